"""The HTML report's documents: each article's text with marked outcomes, and figure and stance tables."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from nkru_bench.gold.records import Document, Gold, Span
from nkru_bench.scoring.checking import check_against_gold
from nkru_bench.scoring.html.markup import (
    ENTITY_LEGEND,
    FIGURE_LEGEND,
    NOT_GIVEN,
    STANCE_LEGEND,
    css_kind,
    esc,
    kind_badge,
    value_text,
)
from nkru_bench.scoring.outcomes import (
    ENTITY_OUTCOMES,
    FIGURE_OUTCOMES,
    STANCE_OUTCOMES,
    Outcome,
    entity_outcomes,
    figure_outcomes,
    stance_outcomes,
)
from nkru_bench.scoring.predictions import Prediction


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
    return f'<sup class="tag t-{css_kind(o.kind)}">{esc(label)}</sup>'


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
    titles = [esc(_entity_title(o, text)) for o in outcomes]
    out = []
    for a, b in itertools.pairwise(cuts):
        roles: dict[int, set[str]] = {}
        for s, e, i, role in spans:
            if s <= a and b <= e:
                roles.setdefault(i, set()).add(role)
        piece = esc(text[a:b])
        for i in sorted(roles, reverse=True):
            role = "".join(sorted(roles[i]))
            kind, item = css_kind(outcomes[i].kind), f"{prefix}{i}"
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
    parts = [f"{esc(value_text(item.value))} {esc(item.unit)}"]
    for name in ("qualifier", "source_id"):
        value = getattr(item, name)
        mark = ""
        if other is not None and value is not None:
            mark = " ok" if value == getattr(other, name) else " bad"
        parts.append(f'<span class="{mark.strip()}">{esc(value if value is not None else NOT_GIVEN)}</span>')
    return " · ".join(parts)


def _rows_by_kind(outcomes: Sequence[Outcome], order: Sequence[str]) -> list[tuple[int, Outcome]]:
    """(item number, outcome), grouped by kind in ``order``, each group in the outcomes' order."""
    return sorted(enumerate(outcomes), key=lambda pair: order.index(pair[1].kind))


def figure_table(text: str, outcomes: Sequence[Outcome], prefix: str) -> str:
    rows = []
    for i, o in _rows_by_kind(outcomes, FIGURE_OUTCOMES):
        kind = css_kind(o.kind)
        rows.append(
            f'<tr class="row f-{kind}" data-item="{prefix}{i}"><td>{kind_badge(o.kind, FIGURE_LEGEND)}</td>'
            f'<td class="nw">{esc(_figure_text(text, o))}</td><td>{_figure_cell(o.gold)}</td>'
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
            f'<tr class="row s-{css_kind(o.kind)}" data-item="{prefix}{i}">'
            f"<td>{kind_badge(o.kind, STANCE_LEGEND)}</td>"
            f'<td title="{esc(names.get(row.holder_id, ""))}">{esc(row.holder_id)}'
            f'<br><span class="note">{esc(row.target)}</span></td><td>{esc(gold_label)}</td>'
            f'<td class="{css}">{esc(pred_label)}</td></tr>'
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
        f'<div class="items"><h3>{esc(title)} <span class="note">{esc(summary)}</span></h3>'
        f"<table>{head}{body}</table></div>"
    )


def side_by_side(
    view: DocumentView, names: dict[str, str], prefix: str, heading: str = ""
) -> tuple[str, str]:
    """(marked text, tables) of one system on one article."""
    doc = view.doc
    if view.entities is None:
        text = f'<div class="text">{esc(doc.text)}</div><p class="note">entities: not attempted</p>'
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
    return (f"<h3>{esc(heading)}</h3>" if heading else "") + text, "".join(tables)


def doc_header(doc: Document, index: int) -> str:
    title = f" — {esc(doc.title)}" if doc.title else ""
    return (
        f'<h2 id="doc-{index}">{index + 1}. <code>{esc(doc.doc_id)}</code> ({esc(doc.lang)}){title}</h2>'
        f'<p class="meta">{esc(doc.source_file)} · {esc(doc.date or "no date")} · {len(doc.text)} characters'
        f" · {len(doc.boilerplate)} boilerplate span(s), shown in grey</p>"
    )


def summary_table(views_by_system: Sequence[Sequence[DocumentView]], series: Sequence[str]) -> str:
    """One row per article and system: how many outcomes of each kind, linked to the article."""
    head = "<tr><th>article</th><th>lang</th>" + ("<th>system</th>" if len(series) > 1 else "")
    head += "".join(f'<th class="num">{kind_badge(k, ENTITY_LEGEND)}</th>' for k in ENTITY_OUTCOMES)
    head += '<th class="num">figures<br><span class="note">matched/missed/spurious</span></th>'
    head += '<th class="num">stance<br><span class="note">correct/wrong label/missed/spurious</span></th>'
    head += "</tr>"
    rows = []
    for d, views in enumerate(zip(*views_by_system, strict=True)):
        for s, view in enumerate(views):
            doc_cells = (
                f'<td><a href="#doc-{d}">{esc(view.doc.doc_id)}</a></td><td>{esc(view.doc.lang)}</td>'
                if s == 0
                else "<td></td><td></td>"
            )
            system = f"<td>{esc(series[s])}</td>" if len(series) > 1 else ""
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
