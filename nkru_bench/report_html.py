"""Rendering only: a result or a comparison as one self-contained HTML page for error analysis.

``render_report(result, gold, predictions)`` and ``render_comparison(comparison, gold, a, b)``
return an HTML string: the scorecard with intervals and the signature, F1 bar charts by language
and by type / unit / target (inline SVG), and every article with its gold and predicted entity
spans marked by what the matching made of them, beside tables of its figures and stance rows.

The numbers come from ``Result.to_json()``; the item outcomes from ``matching.entity_outcomes``,
``figure_outcomes`` and ``stance_outcomes``, the same pairings the counts come from, so the page
and the JSON agree: the number of distinct ``data-item`` values of the elements of class
``m-correct`` is ``entities.strict.counts.correct``, and so on (the relations are documented in
``matching``). Every string from the gold or a prediction goes through ``html.escape``; the page
has no script and a Content-Security-Policy that forbids any, and it loads nothing.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from nkru_bench.matching import (
    ENTITY_OUTCOMES,
    FIGURE_OUTCOMES,
    STANCE_OUTCOMES,
    Outcome,
    entity_outcomes,
    figure_outcomes,
    stance_outcomes,
)
from nkru_bench.metrics import BREAKDOWNS, CI_LEVEL, METRICS, MIN_DOCS
from nkru_bench.predictions import Prediction, check_against_gold
from nkru_bench.records import Document, Gold, Span
from nkru_bench.scoring import Comparison, Result

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
# What each outcome means, for the legend and the tooltips.
ENTITY_LEGEND = {
    "correct": "same span, same type (strict correct)",
    "wrong_type": "same span, another type",
    "partial": "overlapping span, not the same (any type)",
    "missed": "gold span that nothing matched",
    "spurious": "predicted span that matched nothing",
    "ignored": "predicted inside boilerplate: not scored",
}
FIGURE_LEGEND = {
    "matched": "same value and unit (offsets overlap where the prediction gives them)",
    "missed": "gold figure that nothing matched",
    "spurious": "predicted figure that matched nothing",
    "ignored": "predicted inside boilerplate: not scored",
}
STANCE_LEGEND = {
    "correct": "same holder, target and label",
    "wrong_label": "same holder and target, another label",
    "missed": "gold row: no prediction for its holder and target",
    "spurious": "predicted row: no gold row for its holder and target",
}
# The metric each task's charts show.
CHART_METRIC = {"entities": "strict", "figures": "value_unit", "stance": "tuple"}
SERIES_COLORS = ("#3b5bdb", "#e8590c")
NOT_GIVEN = "—"

CSS = """
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2328;margin:0;
 background:#f6f8fa}
main{max-width:1400px;margin:0 auto;padding:16px 24px 48px}
h1{font-size:20px;margin:4px 0 8px}h2{font-size:17px;margin:24px 0 8px}h3{font-size:15px;margin:12px 0 6px}
code,.sig{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,monospace}
.sig{background:#eef1f4;padding:4px 8px;border-radius:4px;word-break:break-all;display:block}
.meta{color:#57606a;margin:2px 0}
.card{background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:12px 16px;margin:12px 0}
table{border-collapse:collapse;font-size:13px}
th,td{padding:2px 8px;border-bottom:1px solid #eaeef2;text-align:left;vertical-align:top}
th{font-weight:600;color:#57606a}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.scores tr.task th{padding-top:10px;color:#1f2328}.scores tr.task:first-child th{padding-top:2px}
.charts{display:grid;grid-template-columns:repeat(3,minmax(0,1fr));gap:8px 16px}
.charts svg{width:100%;height:auto}
.legend{display:flex;flex-wrap:wrap;gap:6px 18px;font-size:13px;align-items:center}
.legend .m{padding:0 4px}
.doc{display:grid;grid-template-columns:minmax(0,7fr) minmax(0,5fr);gap:16px}
.pair{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:16px}
.side h3{margin-top:0}
.text{white-space:pre-wrap;line-height:1.9;font-size:14px;background:#fff;border:1px solid #d0d7de;
 border-radius:6px;padding:10px 12px;overflow-wrap:anywhere}
.bp{color:#8c959f;font-style:italic}
.m{border-radius:2px;padding:1px 0}
.m-correct{--c:#1a7f37;--bg:#c6efd0}.m-wrong-type{--c:#8250df;--bg:#e4d7fc}
.m-partial{--c:#b35900;--bg:#ffe0a8}.m-missed{--c:#cf222e;--bg:#ffd8d3}
.m-spurious{--c:#0969da;--bg:#cfe3ff}.m-ignored{--c:#8c959f;--bg:#eaeef2}
.r-p,.r-gp{background:var(--bg)}
.r-g,.r-gp{border-bottom:3px solid var(--c)}
.m-missed.r-g{border-bottom-style:dashed}
.tag{font-size:9px;font-weight:600;color:var(--c);margin:0 2px 0 1px;vertical-align:super;line-height:0}
.t-correct{--c:#1a7f37}.t-wrong-type{--c:#8250df}.t-partial{--c:#b35900}.t-missed{--c:#cf222e}
.t-spurious{--c:#0969da}.t-ignored{--c:#8c959f}
.k{display:inline-block;font-size:11px;font-weight:600;padding:0 6px;border-radius:8px;color:#fff;
 background:var(--c);white-space:nowrap}
.k-matched,.k-correct{--c:#1a7f37}.k-wrong-label,.k-wrong-type{--c:#8250df}.k-partial{--c:#b35900}
.k-missed{--c:#cf222e}.k-spurious{--c:#0969da}.k-ignored{--c:#8c959f}
.bad{color:#cf222e;font-weight:600}.ok{color:#1a7f37}
.n{font-variant-numeric:tabular-nums}
.note{color:#57606a;font-size:12px}
.items{margin-top:8px}
.items table{width:100%;font-size:12px}.items td{padding:2px 4px;overflow-wrap:anywhere}
.nw{white-space:nowrap}
"""


# --- small formatting ----------------------------------------------------------------------------


def _e(value: Any) -> str:
    """Any value as escaped text (quotes too: safe inside an attribute)."""
    return escape(str(value), quote=True)


def _num(value: float | None, signed: bool = False) -> str:
    if value is None:
        return NOT_GIVEN
    return f"{value:+.3f}" if signed else f"{value:.3f}"


def _ci(ci: Sequence[float] | None, signed: bool = False) -> str:
    return "" if ci is None else f"[{_num(ci[0], signed)}, {_num(ci[1], signed)}]"


def _css_kind(kind: str) -> str:
    return kind.replace("_", "-")


def _value(value: float) -> str:
    return f"{int(value):,}".replace(",", " ") if float(value).is_integer() else f"{value:g}"


def _kind_badge(kind: str, legend: dict[str, str]) -> str:
    label = _e(kind.replace("_", " "))
    return f'<span class="k k-{_css_kind(kind)}" title="{_e(legend[kind])}">{label}</span>'


# --- one article ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentView:
    """One article and one system's outcomes on it; a task that was not attempted is ``None``."""

    doc: Document
    entities: list[Outcome] | None
    figures: list[Outcome] | None
    stance: list[Outcome] | None


def document_views(gold: Gold, predictions: Sequence[Prediction], allow_missing: bool) -> list[DocumentView]:
    """The outcomes of every gold document, from the same matching as the counts."""
    aligned = check_against_gold(predictions, gold, allow_missing).predictions
    views = []
    for doc, pred in zip(gold.documents, aligned, strict=True):
        views.append(
            DocumentView(
                doc,
                None
                if pred.entities is None
                else entity_outcomes(doc.entities, pred.entities, doc.boilerplate),
                None if pred.figures is None else figure_outcomes(doc.figures, pred.figures, doc.boilerplate),
                None if pred.stance is None else stance_outcomes(doc.stance, pred.stance),
            )
        )
    return views


def _entity_tag(o: Outcome) -> str:
    g, p = o.gold, o.pred
    both = g is not None and p is not None
    label = f"{g.type}→{p.type}" if both and g.type != p.type else (g or p).type
    if o.kind == "correct" and p is not None:
        label += "".join(
            f" {name}✗" for name, want, got in (("lemma", g.lemma, p.lemma), ("id", g.entity_id, p.entity_id))
            if got is not None and got != want
        )  # fmt: skip
    return f'<sup class="tag t-{_css_kind(o.kind)}">{_e(label)}</sup>'


def _entity_title(o: Outcome, text: str) -> str:
    lines = [f"{o.kind.replace('_', ' ')}: {ENTITY_LEGEND[o.kind]}"]
    if o.gold is not None:
        g = o.gold
        lines.append(f"gold {g.type} “{g.text}” [{g.start}-{g.end}] lemma “{g.lemma}” id {g.entity_id}")
    if o.pred is not None:
        p = o.pred
        lemma = NOT_GIVEN if p.lemma is None else f"“{p.lemma}”"
        lines.append(
            f"predicted {p.type} “{text[p.start : p.end]}” [{p.start}-{p.end}] lemma {lemma} "
            f"id {p.entity_id or NOT_GIVEN}"
        )
    return "\n".join(lines)


def marked_text(text: str, outcomes: Sequence[Outcome], boilerplate: Sequence[Span], prefix: str) -> str:
    """The text cut at every span boundary; each piece wrapped in one ``<span class="m m-KIND r-ROLE"
    data-item=ID>`` per outcome that covers it (``r-g``: the gold span, ``r-p``: the predicted one,
    ``r-gp``: both), earlier outcomes outside; a type tag after each outcome's last piece."""
    spans = [
        (item.start, item.end, i, role)
        for i, o in enumerate(outcomes)
        for item, role in ((o.gold, "g"), (o.pred, "p"))
        if item is not None
    ]
    cuts = sorted(
        {0, len(text)} | {s for s, _, _, _ in spans} | {e for _, e, _, _ in spans}
        | {b.start for b in boilerplate} | {b.end for b in boilerplate}
    )  # fmt: skip
    ends: dict[int, list[int]] = {}
    for i, o in enumerate(outcomes):
        ends.setdefault(max(x.end for x in (o.gold, o.pred) if x is not None), []).append(i)
    titles = [_e(_entity_title(o, text)) for o in outcomes]
    out = []
    for a, b in itertools.pairwise(cuts):
        roles: dict[int, set[str]] = {}
        for s, e, i, role in spans:
            if s <= a and b <= e:
                roles.setdefault(i, set()).add(role)
        piece = _e(text[a:b])
        for i in sorted(roles, reverse=True):
            role = "".join(sorted(roles[i]))
            kind, item = _css_kind(outcomes[i].kind), f"{prefix}{i}"
            piece = f'<span class="m m-{kind} r-{role}" data-item="{item}" title="{titles[i]}">{piece}</span>'
        if any(s.start <= a and b <= s.end for s in boilerplate):
            piece = f'<span class="bp">{piece}</span>'
        out.append(piece)
        out.extend(_entity_tag(outcomes[i]) for i in ends.get(b, ()))
    return "".join(out)


def _figure_text(text: str, o: Outcome) -> str:
    if o.gold is not None:
        return o.gold.text
    p = o.pred
    return NOT_GIVEN if p.start is None or p.end is None else text[p.start : p.end]


def _figure_cell(item: Any, other: Any = None) -> str:
    """value unit · qualifier · source, attributes that disagree with ``other`` marked."""
    if item is None:
        return NOT_GIVEN
    parts = [f"{_e(_value(item.value))} {_e(item.unit)}"]
    for name in ("qualifier", "source_id"):
        value = getattr(item, name)
        mark = ""
        if other is not None and value is not None:
            mark = " ok" if value == getattr(other, name) else " bad"
        parts.append(f'<span class="{mark.strip()}">{_e(value if value is not None else NOT_GIVEN)}</span>')
    return " · ".join(parts)


def _rows_by_kind(outcomes: Sequence[Outcome], order: Sequence[str]) -> list[tuple[int, Outcome]]:
    """(item number, outcome), grouped by kind in ``order``, each group in the outcomes' order."""
    return sorted(enumerate(outcomes), key=lambda pair: order.index(pair[1].kind))


def figure_table(text: str, outcomes: Sequence[Outcome], prefix: str) -> str:
    rows = []
    for i, o in _rows_by_kind(outcomes, FIGURE_OUTCOMES):
        kind = _css_kind(o.kind)
        rows.append(
            f'<tr class="row f-{kind}" data-item="{prefix}{i}"><td>{_kind_badge(o.kind, FIGURE_LEGEND)}</td>'
            f'<td class="nw">{_e(_figure_text(text, o))}</td><td>{_figure_cell(o.gold)}</td>'
            f"<td>{_figure_cell(o.pred, o.gold if o.kind == 'matched' else None)}</td></tr>"
        )
    head = "<tr><th></th><th>text</th><th>gold: value unit · qualifier · source</th><th>predicted</th></tr>"
    return _items_table("Figures", head, rows, FIGURE_OUTCOMES, outcomes)


def stance_table(outcomes: Sequence[Outcome], names: dict[str, str], prefix: str) -> str:
    rows = []
    for i, o in _rows_by_kind(outcomes, STANCE_OUTCOMES):
        row = o.gold or o.pred
        gold_label = NOT_GIVEN if o.gold is None else o.gold.label
        pred_label = NOT_GIVEN if o.pred is None else o.pred.label
        css = "bad" if o.kind == "wrong_label" else ""
        rows.append(
            f'<tr class="row s-{_css_kind(o.kind)}" data-item="{prefix}{i}">'
            f"<td>{_kind_badge(o.kind, STANCE_LEGEND)}</td>"
            f'<td title="{_e(names.get(row.holder_id, ""))}">{_e(row.holder_id)}'
            f'<br><span class="note">{_e(row.target)}</span></td><td>{_e(gold_label)}</td>'
            f'<td class="{css}">{_e(pred_label)}</td></tr>'
        )
    head = "<tr><th></th><th>holder / target</th><th>gold</th><th>predicted</th></tr>"
    return _items_table("Stance", head, rows, STANCE_OUTCOMES, outcomes)


def _items_table(
    title: str, head: str, rows: list[str], order: Sequence[str], outcomes: Sequence[Outcome]
) -> str:
    counts = Counter(o.kind for o in outcomes)
    summary = ", ".join(f"{counts[k]} {k.replace('_', ' ')}" for k in order if counts[k])
    body = "".join(rows) or '<tr><td colspan="5" class="note">nothing in gold, nothing predicted</td></tr>'
    return (
        f'<div class="items"><h3>{_e(title)} <span class="note">{_e(summary)}</span></h3>'
        f"<table>{head}{body}</table></div>"
    )


def _side(view: DocumentView, names: dict[str, str], prefix: str, heading: str = "") -> tuple[str, str]:
    """(marked text, tables) of one system on one article."""
    doc = view.doc
    if view.entities is None:
        text = f'<div class="text">{_e(doc.text)}</div><p class="note">entities: not attempted</p>'
    else:
        marked = marked_text(doc.text, view.entities, doc.boilerplate, prefix + "e")
        text = f'<div class="text">{marked}</div>'
    tables = [
        '<p class="note">figures: not attempted</p>'
        if view.figures is None
        else figure_table(doc.text, view.figures, prefix + "f"),
        '<p class="note">stance: not attempted</p>'
        if view.stance is None
        else stance_table(view.stance, names, prefix + "s"),
    ]
    return (f"<h3>{_e(heading)}</h3>" if heading else "") + text, "".join(tables)


def _doc_header(doc: Document, index: int) -> str:
    title = f" — {_e(doc.title)}" if doc.title else ""
    return (
        f'<h2 id="doc-{index}">{index + 1}. <code>{_e(doc.doc_id)}</code> ({_e(doc.lang)}){title}</h2>'
        f'<p class="meta">{_e(doc.source_file)} · {_e(doc.date or "no date")} · {len(doc.text)} characters'
        f" · {len(doc.boilerplate)} boilerplate span(s), shown in grey</p>"
    )


# --- scorecard and charts ------------------------------------------------------------------------


def _metric_rows(task: str, obj: dict[str, Any]) -> str:
    rows = []
    for name, kind in METRICS[task]:
        m = obj[name]
        if kind in ("semeval", "set"):
            counts = ", ".join(f"{k} {v}" for k, v in m["counts"].items() if k not in ("possible", "actual"))
            cells = (_num(m["precision"]), _num(m["recall"]), _num(m["f1"]), _ci(m.get("ci")), counts)
        elif kind == "tally":
            c = m["counts"]
            note = f"accuracy {c['correct']}/{c['total']}" if m["attempted"] else "not attempted"
            cells = ("", "", _num(m["accuracy"]), _ci(m.get("ci")), note)
        else:
            note = f"macro-F1; F_avg {_num(m['f_avg'])}, accuracy {_num(m['accuracy'])}, "
            cells = ("", "", _num(m["macro_f1"]), _ci(m.get("ci")), note + f"pairs {m['counts']['pairs']}")
        nums = "".join(f'<td class="num">{_e(c)}</td>' for c in cells[:4])
        rows.append(f"<tr><td>{_e(name)}</td>{nums}<td class=note>{_e(cells[4])}</td></tr>")
    head = f'<tr class="task"><th>{_e(task)}</th><th class="num">P</th><th class="num">R</th>'
    head += f'<th class="num">F1</th><th class="num">{CI_LEVEL}% CI</th><th>counts</th></tr>'
    return head + "".join(rows)


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
        f'height="{height}" role="img" aria-label="{_e(title)}" font-family="system-ui,sans-serif" '
        'font-size="11">',
        f'<text x="0" y="14" font-size="12" font-weight="600">{_e(title)}</text>',
    ]
    for t in (0, 0.25, 0.5, 0.75, 1):
        x = x0 + t * scale
        parts.append(f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{height - 18}" stroke="#d8dee4"/>')
        parts.append(f'<text x="{x:.1f}" y="{height - 6}" text-anchor="middle" fill="#57606a">{t:g}</text>')
    for r, (label, underpowered, values) in enumerate(rows):
        y = top + r * row_h
        star = "*" if underpowered else ""
        parts.append(f'<text x="{x0 - 6}" y="{y + row_h / 2}" text-anchor="end">{_e(label)}{star}</text>')
        for s, (value, ci) in enumerate(values):
            by = y + s * (bar + gap)
            color, opacity = SERIES_COLORS[s % len(SERIES_COLORS)], 0.45 if underpowered else 1
            if value is not None:
                parts.append(
                    f'<rect x="{x0}" y="{by}" width="{value * scale:.1f}" height="{bar}" fill="{color}" '
                    f'fill-opacity="{opacity}"><title>{_e(series[s])}: {_num(value)} {_ci(ci)}</title></rect>'
                )
            if ci is not None:
                lo, hi, mid = x0 + ci[0] * scale, x0 + ci[1] * scale, by + bar / 2
                parts.append(
                    f'<path d="M{lo:.1f} {mid}H{hi:.1f}M{lo:.1f} {by + 2}V{by + bar - 2}'
                    f'M{hi:.1f} {by + 2}V{by + bar - 2}" stroke="#1f2328" stroke-width="1.2" fill="none"/>'
                )
            parts.append(f'<text x="{x1 + 6}" y="{by + bar - 2}" fill="#1f2328">{_num(value)}</text>')
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
            f"</svg> {_e(name)}</span>"
            for name, c in zip(series, SERIES_COLORS, strict=False)
        )
        legend = f'<div class="legend">{legend}</div>'
    grid = f'<div class="charts">{"".join(cells)}</div>'
    return f'<div class="card">{legend}{grid}<p class="note">{note}</p></div>'


def legend() -> str:
    swatches = "".join(
        f'<span><span class="m m-{_css_kind(k)} r-{"gp" if k in ("correct", "wrong_type") else role}">'
        f"{_e(k.replace('_', ' '))}</span> {_e(ENTITY_LEGEND[k])}</span>"
        for k, role in (
            ("correct", "gp"), ("wrong_type", "gp"), ("partial", "gp"), ("missed", "g"), ("spurious", "p"),
            ("ignored", "p"),
        )
    )  # fmt: skip
    return (
        f'<div class="card"><div class="legend"><b>Entities</b>{swatches}</div>'
        '<p class="note">Underline: the gold span. Fill: the predicted span. The tag after a mention gives '
        "its type (gold→predicted when they differ; “lemma✗”, “id✗”: a correct mention with a wrong lemma "
        "or id). "
        "Hover a mark for both sides. Figures and stance rows are listed beside each text: "
        "matched / missed / spurious.</p></div>"
    )


def _summary_table(views_by_system: Sequence[Sequence[DocumentView]], series: Sequence[str]) -> str:
    """One row per article and system: how many outcomes of each kind, linked to the article."""
    head = "<tr><th>article</th><th>lang</th>" + ("<th>system</th>" if len(series) > 1 else "")
    head += "".join(f'<th class="num">{_kind_badge(k, ENTITY_LEGEND)}</th>' for k in ENTITY_OUTCOMES)
    head += '<th class="num">figures<br><span class="note">matched/missed/spurious</span></th>'
    head += '<th class="num">stance<br><span class="note">correct/wrong label/missed/spurious</span></th>'
    head += "</tr>"
    rows = []
    for d, views in enumerate(zip(*views_by_system, strict=True)):
        for s, view in enumerate(views):
            doc_cells = (
                f'<td><a href="#doc-{d}">{_e(view.doc.doc_id)}</a></td><td>{_e(view.doc.lang)}</td>'
                if s == 0
                else "<td></td><td></td>"
            )
            system = f"<td>{_e(series[s])}</td>" if len(series) > 1 else ""
            ent = Counter(o.kind for o in view.entities or ())
            cells = "".join(
                f'<td class="num n">{ent[k] if view.entities is not None else NOT_GIVEN}</td>'
                for k in ENTITY_OUTCOMES
            )
            for outcomes, order in ((view.figures, FIGURE_OUTCOMES[:3]), (view.stance, STANCE_OUTCOMES)):
                counted = Counter(o.kind for o in outcomes or ())
                text = NOT_GIVEN if outcomes is None else "/".join(str(counted[k]) for k in order)
                cells += f'<td class="num n">{text}</td>'
            rows.append(f"<tr>{doc_cells}{system}{cells}</tr>")
    return f'<div class="card"><h3>Articles</h3><table>{head}{"".join(rows)}</table></div>'


# --- pages ---------------------------------------------------------------------------------------


def _page(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_e(CSP)}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta name="referrer" content="no-referrer"><title>{_e(title)}</title>'
        f"<style>{CSS}</style></head><body><main>{body}</main></body></html>\n"
    )


def _result_header(result: dict[str, Any]) -> str:
    docs = result["documents"]
    underpowered = " (underpowered)" if docs["underpowered"] else ""
    revision = _e(result["gold"]["revision"])
    lines = [
        f'<p class="meta">gold revision <code>{revision}</code>, {docs["scored"]} documents{underpowered}</p>'
    ]
    if docs["missing"]:
        missing = _e(", ".join(docs["missing"]))
        lines.append(f'<p class="meta">no prediction for {missing}: scored as predicting nothing</p>')
    if result["tasks"]["not_attempted"]:
        lines.append(f'<p class="meta">not attempted: {_e(", ".join(result["tasks"]["not_attempted"]))}</p>')
    return "".join(lines)


def render_report(result: Result, gold: Gold, predictions: Sequence[Prediction]) -> str:
    """The error report of one system: ``result`` is ``score(predictions, gold, ...)``."""
    obj = result.to_json()
    views = document_views(gold, predictions, result.settings.allow_missing)
    names = {entry.entity_id: entry.name_en for entry in gold.kb}
    series = [result.predictions]
    rows = "".join(_metric_rows(t, obj[t]) for t in obj["tasks"]["attempted"])
    body = [
        f"<h1>nkru_bench error report: <code>{_e(result.predictions)}</code></h1>",
        f'<span class="sig">{_e(obj["signature"])}</span>',
        _result_header(obj),
        f'<div class="card"><table class="scores">{rows}</table></div>',
        charts([obj], series),
        legend(),
        _summary_table([views], series),
    ]
    for d, view in enumerate(views):
        text, tables = _side(view, names, f"d{d}")
        body.append(f'<section class="article">{_doc_header(view.doc, d)}<div class="doc"><div>{text}</div>')
        body.append(f"<div>{tables}</div></div></section>")
    return _page(f"nkru_bench report: {result.predictions}", "".join(body))


def _comparison_rows(obj: dict[str, Any]) -> str:
    head = '<tr><th>metric</th><th class="num">A</th><th class="num">B</th><th class="num">A−B</th>'
    head += f'<th class="num">{CI_LEVEL}% CI of A−B</th><th class="num">p</th></tr>'
    rows = []
    for path, m in obj["metrics"].items():
        p = NOT_GIVEN if m["p_value"] is None else f"{m['p_value']:.3f}"
        cells = (_num(m["a"]), _num(m["b"]), _num(m["difference"], True), _ci(m["ci"], True), p)
        nums = "".join(f'<td class="num">{_e(c)}</td>' for c in cells)
        rows.append(f"<tr><td>{_e(path)}</td>{nums}</tr>")
    return f'<div class="card"><table>{head}{"".join(rows)}</table></div>'


def render_comparison(
    comparison: Comparison, gold: Gold, a: Sequence[Prediction], b: Sequence[Prediction]
) -> str:
    """Two systems side by side on every article: ``comparison`` is ``compare(a, b, gold, ...)``."""
    obj = comparison.to_json()
    results = [comparison.a.to_json(), comparison.b.to_json()]
    allow_missing = comparison.a.settings.allow_missing
    views = [document_views(gold, preds, allow_missing) for preds in (a, b)]
    names = {entry.entity_id: entry.name_en for entry in gold.kb}
    series = [f"A: {comparison.a.predictions}", f"B: {comparison.b.predictions}"]
    body = [
        f"<h1>nkru_bench comparison: <code>{_e(comparison.a.predictions)}</code> (A) vs "
        f"<code>{_e(comparison.b.predictions)}</code> (B)</h1>",
        f'<span class="sig">{_e(obj["signature"])}</span>',
        _result_header(results[0]),
        _comparison_rows(obj),
        charts(results, series),
        legend(),
        _summary_table(views, series),
    ]
    for d, (view_a, view_b) in enumerate(zip(*views, strict=True)):
        body.append(f'<section class="article">{_doc_header(view_a.doc, d)}<div class="pair">')
        for side, view, name in (("a", view_a, series[0]), ("b", view_b, series[1])):
            text, tables = _side(view, names, f"{side}{d}", name)
            body.append(f'<div class="side side-{side}">{text}{tables}</div>')
        body.append("</div></section>")
    title = f"nkru_bench comparison: {comparison.a.predictions} vs {comparison.b.predictions}"
    return _page(title, "".join(body))
