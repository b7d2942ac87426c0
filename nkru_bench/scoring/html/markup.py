"""The HTML report's building blocks: styles, legends, escaping and the page shell."""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import escape
from typing import Any

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


# Right-to-left letters and every bidirectional control: text holding one is isolated, so that it
# cannot reorder what the page itself says around it (its labels, numbers and other data).
_BIDI = re.compile(
    "[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff\U00010800-\U00010fff\U0001e800-\U0001efff"
    "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)
FSI, PDI = "\u2068", "\u2069"  # first-strong isolate (dir=auto as characters) and its end


def esc(value: Any) -> str:
    """Any value as escaped text (quotes too: safe inside an attribute), isolated as ``<bdi>`` would
    isolate it (FSI ... PDI, which work in attributes too) when it holds right-to-left text or a
    bidirectional control: a U+202E in the data never reverses the page's own labels."""
    text = escape(str(value), quote=True)
    return f"{FSI}{text}{PDI}" if _BIDI.search(text) else text


def number_text(value: float | None, signed: bool = False) -> str:
    if value is None:
        return NOT_GIVEN
    return f"{value:+.3f}" if signed else f"{value:.3f}"


def interval_text(ci: Sequence[float] | None, signed: bool = False) -> str:
    return "" if ci is None else f"[{number_text(ci[0], signed)}, {number_text(ci[1], signed)}]"


def css_kind(kind: str) -> str:
    return kind.replace("_", "-")


def value_text(value: float) -> str:
    return f"{int(value):,}".replace(",", " ") if float(value).is_integer() else f"{value:g}"


def kind_badge(kind: str, legend: dict[str, str]) -> str:
    label = esc(kind.replace("_", " "))
    return f'<span class="k k-{css_kind(kind)}" title="{esc(legend[kind])}">{label}</span>'


def legend() -> str:
    swatches = "".join(
        f'<span><span class="m m-{css_kind(k)} r-{"gp" if k in ("correct", "wrong_type") else role}">'
        f"{esc(k.replace('_', ' '))}</span> {esc(ENTITY_LEGEND[k])}</span>"
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


def page_html(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{esc(CSP)}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta name="referrer" content="no-referrer"><title>{esc(title)}</title>'
        f"<style>{CSS}</style></head><body><main>{body}</main></body></html>\n"
    )
