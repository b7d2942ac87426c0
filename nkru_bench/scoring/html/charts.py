"""The HTML report's charts: F1 by language and slice as inline SVG bars."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from nkru_bench.scoring.bootstrap import CI_LEVEL
from nkru_bench.scoring.html.markup import CHART_METRIC, SERIES_COLORS, esc, interval_text, number_text
from nkru_bench.scoring.metrics import BREAKDOWNS, MIN_DOCS


def _chart_rows(results: Sequence[dict[str, Any]], task: str, slices: str) -> list[tuple[str, bool, list]]:
    """(label, underpowered, [(value, ci) per system]) for the overall score and every slice."""
    metric = CHART_METRIC[task]
    rows = [("all", any(r["documents"]["underpowered"] for r in results), [
        (r[task][metric]["f1"], r[task][metric].get("ci")) for r in results
    ])]  # fmt: skip
    keys: list[str] = []
    for r in results:
        keys += [k for k in r[task][slices] if k not in keys]
    for key in keys:
        objs = [r[task][slices].get(key) for r in results]
        underpowered = any(o is None or o["underpowered"] for o in objs)
        values = [(None, None) if o is None else (o[metric]["f1"], o[metric].get("ci")) for o in objs]
        rows.append((key, underpowered, values))
    return rows


def bar_chart(title: str, rows: Sequence[tuple[str, bool, list]], series: Sequence[str]) -> str:
    """A horizontal bar chart of F1 values in [0, 1], a bar per system, whiskers where an interval is
    given; an underpowered slice is drawn pale and starred."""
    x0, x1, width, bar, gap = 138, 360, 410, 12, 2
    row_h = len(series) * (bar + gap) + 8
    top = 26
    height = top + len(rows) * row_h + 22
    scale = x1 - x0
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{esc(title)}" font-family="system-ui,sans-serif" '
        'font-size="11">',
        f'<text x="0" y="14" font-size="12" font-weight="600">{esc(title)}</text>',
    ]
    for t in (0, 0.25, 0.5, 0.75, 1):
        x = x0 + t * scale
        parts.append(f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{height - 18}" stroke="#d8dee4"/>')
        parts.append(f'<text x="{x:.1f}" y="{height - 6}" text-anchor="middle" fill="#57606a">{t:g}</text>')
    for r, (label, underpowered, values) in enumerate(rows):
        y = top + r * row_h
        star = "*" if underpowered else ""
        parts.append(f'<text x="{x0 - 6}" y="{y + row_h / 2}" text-anchor="end">{esc(label)}{star}</text>')
        for s, (value, ci) in enumerate(values):
            by = y + s * (bar + gap)
            color, opacity = SERIES_COLORS[s % len(SERIES_COLORS)], 0.45 if underpowered else 1
            if value is not None:
                parts.append(
                    f'<rect x="{x0}" y="{by}" width="{value * scale:.1f}" height="{bar}" fill="{color}" '
                    f'fill-opacity="{opacity}"><title>{esc(series[s])}: {number_text(value)} '
                    f"{interval_text(ci)}</title></rect>"
                )
            if ci is not None:
                lo, hi, mid = x0 + ci[0] * scale, x0 + ci[1] * scale, by + bar / 2
                parts.append(
                    f'<path d="M{lo:.1f} {mid}H{hi:.1f}M{lo:.1f} {by + 2}V{by + bar - 2}'
                    f'M{hi:.1f} {by + 2}V{by + bar - 2}" stroke="#1f2328" stroke-width="1.2" fill="none"/>'
                )
            parts.append(f'<text x="{x1 + 6}" y="{by + bar - 2}" fill="#1f2328">{number_text(value)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def charts(results: Sequence[dict[str, Any]], series: Sequence[str]) -> str:
    tasks = [t for t in ("entities", "figures", "stance") if all(t in r for r in results)]
    cells = []
    for slices in ("by_lang", None):
        for task in tasks:
            key = slices or BREAKDOWNS[task][0]
            what = "language" if key == "by_lang" else key.removeprefix("by_")
            title = f"{task} {CHART_METRIC[task]} F1 by {what}"
            cells.append(bar_chart(title, _chart_rows(results, task, key), series))
    if not cells:
        return ""
    note = (
        f"Bars: F1; whiskers: {CI_LEVEL}% bootstrap interval where the result gives one (the overall score). "
        f"* underpowered: fewer than {MIN_DOCS} documents."
    )
    legend = ""
    if len(series) > 1:
        legend = " ".join(
            f'<span><svg width="12" height="12" aria-hidden="true"><rect width="12" height="12" fill="{c}"/>'
            f"</svg> {esc(name)}</span>"
            for name, c in zip(series, SERIES_COLORS, strict=False)
        )
        legend = f'<div class="legend">{legend}</div>'
    grid = f'<div class="charts">{"".join(cells)}</div>'
    return f'<div class="card">{legend}{grid}<p class="note">{note}</p></div>'
