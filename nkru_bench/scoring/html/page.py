"""Rendering only: a result or a comparison as one self-contained HTML page for error analysis.

``render_report(result, gold, predictions)`` and ``render_comparison(comparison, gold, a, b)``
return an HTML string: the scorecard with intervals and the signature, F1 bar charts by language
and by type / unit / target (inline SVG), and every article with its gold and predicted entity
spans marked by what the matching made of them, beside tables of its figures and stance rows.

The numbers come from ``Result.to_json()``; the item outcomes from ``outcomes.entity_outcomes``,
``figure_outcomes`` and ``stance_outcomes``, the same pairings the counts come from, so the page
and the JSON agree: the number of distinct ``data-item`` values of the elements of class
``m-correct`` is ``entities.strict.counts.correct``, and so on (the relations are documented in
``matching``). Every string from the gold or a prediction goes through ``html.escape``; the page
has no script and a Content-Security-Policy that forbids any, and it loads nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from nkru_bench.gold.records import Gold
from nkru_bench.scoring.bootstrap import CI_LEVEL
from nkru_bench.scoring.html.charts import charts
from nkru_bench.scoring.html.documents import doc_header, document_views, side_by_side, summary_table
from nkru_bench.scoring.html.markup import NOT_GIVEN, esc, interval_text, legend, number_text, page_html
from nkru_bench.scoring.metrics import METRICS
from nkru_bench.scoring.predictions import Prediction
from nkru_bench.scoring.scorer import Comparison, Result

# --- small formatting ----------------------------------------------------------------------------


# --- one article ---------------------------------------------------------------------------------


# --- scorecard and charts ------------------------------------------------------------------------


def _metric_rows(task: str, obj: dict[str, Any]) -> str:
    rows = []
    for name, kind in METRICS[task]:
        m = obj[name]
        if kind in ("semeval", "set"):
            counts = ", ".join(f"{k} {v}" for k, v in m["counts"].items() if k not in ("possible", "actual"))
            cells = (
                number_text(m["precision"]),
                number_text(m["recall"]),
                number_text(m["f1"]),
                interval_text(m.get("ci")),
                counts,
            )
        elif kind == "tally":
            c = m["counts"]
            note = f"accuracy {c['correct']}/{c['total']}" if m["attempted"] else "not attempted"
            cells = ("", "", number_text(m["accuracy"]), interval_text(m.get("ci")), note)
        else:
            note = f"macro-F1; F_avg {number_text(m['f_avg'])}, accuracy {number_text(m['accuracy'])}, "
            cells = (
                "",
                "",
                number_text(m["macro_f1"]),
                interval_text(m.get("ci")),
                note + f"pairs {m['counts']['pairs']}",
            )
        nums = "".join(f'<td class="num">{esc(c)}</td>' for c in cells[:4])
        rows.append(f"<tr><td>{esc(name)}</td>{nums}<td class=note>{esc(cells[4])}</td></tr>")
    head = f'<tr class="task"><th>{esc(task)}</th><th class="num">P</th><th class="num">R</th>'
    head += f'<th class="num">F1</th><th class="num">{CI_LEVEL}% CI</th><th>counts</th></tr>'
    return head + "".join(rows)


# --- pages ---------------------------------------------------------------------------------------


def _result_header(result: dict[str, Any]) -> str:
    docs = result["documents"]
    underpowered = " (underpowered)" if docs["underpowered"] else ""
    revision = esc(result["gold"]["revision"])
    lines = [
        f'<p class="meta">gold revision <code>{revision}</code>, {docs["scored"]} documents{underpowered}</p>'
    ]
    if docs["missing"]:
        missing = esc(", ".join(docs["missing"]))
        lines.append(f'<p class="meta">no prediction for {missing}: scored as predicting nothing</p>')
    if result["tasks"]["not_attempted"]:
        lines.append(f'<p class="meta">not attempted: {esc(", ".join(result["tasks"]["not_attempted"]))}</p>')
    return "".join(lines)


def render_report(result: Result, gold: Gold, predictions: Sequence[Prediction]) -> str:
    """The error report of one system: ``result`` is ``score(predictions, gold, ...)``."""
    obj = result.to_json()
    views = document_views(gold, predictions, result.settings.allow_missing)
    names = {entry.entity_id: entry.name_en for entry in gold.kb}
    series = [result.predictions]
    rows = "".join(_metric_rows(t, obj[t]) for t in obj["tasks"]["attempted"])
    body = [
        f"<h1>nkru_bench error report: <code>{esc(result.predictions)}</code></h1>",
        f'<span class="sig">{esc(obj["signature"])}</span>',
        _result_header(obj),
        f'<div class="card"><table class="scores">{rows}</table></div>',
        charts([obj], series),
        legend(),
        summary_table([views], series),
    ]
    for d, view in enumerate(views):
        text, tables = side_by_side(view, names, f"d{d}")
        body.append(f'<section class="article">{doc_header(view.doc, d)}<div class="doc"><div>{text}</div>')
        body.append(f"<div>{tables}</div></div></section>")
    return page_html(f"nkru_bench report: {result.predictions}", "".join(body))


def _comparison_rows(obj: dict[str, Any]) -> str:
    head = '<tr><th>metric</th><th class="num">A</th><th class="num">B</th><th class="num">A−B</th>'
    head += f'<th class="num">{CI_LEVEL}% CI of A−B</th><th class="num">p</th></tr>'
    rows = []
    for path, m in obj["metrics"].items():
        p = NOT_GIVEN if m["p_value"] is None else f"{m['p_value']:.3f}"
        cells = (
            number_text(m["a"]),
            number_text(m["b"]),
            number_text(m["difference"], True),
            interval_text(m["ci"], True),
            p,
        )
        nums = "".join(f'<td class="num">{esc(c)}</td>' for c in cells)
        rows.append(f"<tr><td>{esc(path)}</td>{nums}</tr>")
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
        f"<h1>nkru_bench comparison: <code>{esc(comparison.a.predictions)}</code> (A) vs "
        f"<code>{esc(comparison.b.predictions)}</code> (B)</h1>",
        f'<span class="sig">{esc(obj["signature"])}</span>',
        _result_header(results[0]),
        _comparison_rows(obj),
        charts(results, series),
        legend(),
        summary_table(views, series),
    ]
    for d, (view_a, view_b) in enumerate(zip(*views, strict=True)):
        body.append(f'<section class="article">{doc_header(view_a.doc, d)}<div class="pair">')
        for side, view, name in (("a", view_a, series[0]), ("b", view_b, series[1])):
            text, tables = side_by_side(view, names, f"{side}{d}", name)
            body.append(f'<div class="side side-{side}">{text}{tables}</div>')
        body.append("</div></section>")
    title = f"nkru_bench comparison: {comparison.a.predictions} vs {comparison.b.predictions}"
    return page_html(title, "".join(body))
