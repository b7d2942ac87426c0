"""Small synthetic gold and predictions for the scoring tests: builders for table tests, a seeded
random generator, and Hypothesis strategies.

Synthetic gold keeps the invariants of the real gold (flat, non-overlapping entity and figure
spans; one stance row per holder and target; no label inside boilerplate) so that what is tested
on it holds on the real gold too.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from hypothesis import strategies as st

from nkru_bench.gold.records import (
    ENTITY_TYPES,
    LABELS,
    LANGS,
    QUALIFIERS,
    TARGETS,
    UNITS,
    Document,
    Entity,
    Figure,
    Gold,
    KBEntry,
    Span,
    Stance,
)
from nkru_bench.scoring.predictions import PredEntity, PredFigure, Prediction, PredStance

WORDS = ("Kim", "Putin", "NATO", "Kreml", "Soul", "Ukrajina", "armáda", "wojska", "vojaki", "tisíc", "12 000")


def entity(
    text: str, start: int, end: int, type: str = "PER", entity_id: str | None = None, lemma: str | None = None
):
    """A gold entity over ``text[start:end]``; id and lemma default to ones derived from the surface."""
    surface = text[start:end]
    return Entity(
        start=start,
        end=end,
        text=surface,
        type=type,
        lemma=lemma if lemma is not None else surface,
        entity_id=entity_id or f"{type}-{surface.replace(' ', '-') or 'x'}",
    )


def figure(
    text: str,
    start: int,
    end: int,
    value: float,
    unit: str = "person",
    qualifier: str = "exact",
    source_id: str | None = None,
) -> Figure:
    return Figure(
        start=start,
        end=end,
        text=text[start:end],
        value=value,
        unit=unit,
        qualifier=qualifier,
        source_id=source_id,
    )


def stance(holder_id: str, target: str = "nk_troops_in_russia", label: str = "favor") -> Stance:
    return Stance(holder_id=holder_id, target=target, label=label)


def document(
    doc_id: str = "d1",
    text: str = "x" * 100,
    lang: str = "cs",
    entities: Sequence[Entity] = (),
    figures: Sequence[Figure] = (),
    stance: Sequence[Stance] = (),
    boilerplate: Sequence[tuple[int, int]] = (),
) -> Document:
    return Document(
        doc_id=doc_id,
        lang=lang,
        date=None,
        title=None,
        text=text,
        source_file=f"seeds/{doc_id}.txt",
        sha256="0" * 64,
        boilerplate=tuple(Span(start=s, end=e) for s, e in boilerplate),
        entities=tuple(sorted(entities, key=lambda e: (e.start, e.end))),
        figures=tuple(sorted(figures, key=lambda f: (f.start, f.end))),
        stance=tuple(sorted(stance, key=lambda s: (s.holder_id, s.target))),
    )


def _type_of(entity_id: str) -> str:
    prefix = entity_id.split("-")[0]
    return prefix if prefix in ENTITY_TYPES else "LOC"


# One sentence with three gold mentions, shared by the matching and outcome tests.
TEXT = "Kim Čong-un poslal vojáky do Ruska, tvrdí NATO a Soul." + " " * 50
KIM = entity(TEXT, 0, 11, "PER", "PER-Kim-Jong-un", "Kim Čong-un")
RUSKO = entity(TEXT, 29, 34, "LOC", "GPE-Russia", "Rusko")
NATO = entity(TEXT, 42, 46, "ORG", "ORG-NATO")


def gold(*documents: Document) -> Gold:
    ids = sorted({e.entity_id for d in documents for e in d.entities})
    kb = tuple(KBEntry(entity_id=i, type=_type_of(i), name_en=i) for i in ids)
    return Gold(documents=tuple(sorted(documents, key=lambda d: d.doc_id)), kb=kb)


def pred_entity(
    start: int, end: int, type: str = "PER", lemma: str | None = None, entity_id: str | None = None
):
    return PredEntity(start=start, end=end, type=type, lemma=lemma, entity_id=entity_id)


# --- random gold ---------------------------------------------------------------------------------


def flat_spans(rnd: random.Random, length: int, count: int, max_len: int = 12) -> list[tuple[int, int]]:
    """Up to ``count`` non-overlapping, non-empty spans in ``[0, length)``, sorted."""
    spans: list[tuple[int, int]] = []
    for _ in range(count):
        start = rnd.randrange(length)
        end = min(length, start + rnd.randint(1, max_len))
        if all(end <= s or e <= start for s, e in spans):
            spans.append((start, end))
    return sorted(spans)


def random_text(rnd: random.Random, length: int) -> str:
    words: list[str] = []
    while sum(len(w) + 1 for w in words) < length:
        words.append(rnd.choice(WORDS))
    return " ".join(words)[:length].ljust(length)


def random_document(rnd: random.Random, doc_id: str, lang: str | None = None) -> Document:
    length = rnd.randint(30, 160)
    text = random_text(rnd, length)
    boiler = [(length - 10, length)] if rnd.random() < 0.3 else []
    limit = length - 10 if boiler else length
    spans = flat_spans(rnd, limit, rnd.randint(0, 8))
    entities, figures = [], []
    for start, end in spans:
        if rnd.random() < 0.75:
            type_ = rnd.choice(ENTITY_TYPES)
            entities.append(entity(text, start, end, type_, entity_id=f"{type_}-{rnd.randint(1, 4)}"))
        else:
            figures.append(
                figure(
                    text,
                    start,
                    end,
                    float(rnd.choice([3, 12, 100, 12000, 1.5e6])),
                    rnd.choice(UNITS),
                    rnd.choice(QUALIFIERS),
                    rnd.choice([None, "ORG-1", "PER-2"]),
                )
            )
    pairs = {(f"PER-{rnd.randint(1, 3)}", rnd.choice(TARGETS)) for _ in range(rnd.randint(0, 4))}
    stances = [stance(h, t, rnd.choice(LABELS)) for h, t in sorted(pairs)]
    return document(doc_id, text, lang or rnd.choice(LANGS), entities, figures, stances, boiler)


def random_gold(seed: int, n_docs: int = 5) -> Gold:
    rnd = random.Random(seed)
    return gold(*(random_document(rnd, f"doc{i:02d}", LANGS[i % len(LANGS)]) for i in range(n_docs)))


def perturb(rnd: random.Random, doc: Document) -> Prediction:
    """A plausible system output for ``doc``: some items kept, some shifted, relabelled, dropped, added."""
    entities: list[PredEntity] = []
    for e in doc.entities:
        roll = rnd.random()
        if roll < 0.15:
            continue
        start, end, type_ = e.start, e.end, e.type
        if roll < 0.3:
            start = min(len(doc.text) - 1, max(0, start + rnd.choice([-2, -1, 1])))
            end = max(start + 1, min(len(doc.text), end + rnd.choice([-1, 1, 2])))
        elif roll < 0.4:
            type_ = rnd.choice(ENTITY_TYPES)
        lemma = rnd.choice([e.lemma, e.lemma.lower(), None])
        entity_id = rnd.choice([e.entity_id, "PER-9", None])
        entities.append(PredEntity(start=start, end=end, type=type_, lemma=lemma, entity_id=entity_id))
    for start, end in flat_spans(rnd, len(doc.text), rnd.randint(0, 3)):
        entities.append(PredEntity(start=start, end=end, type=rnd.choice(ENTITY_TYPES)))
    figures = []
    for f in doc.figures:
        if rnd.random() < 0.2:
            continue
        value = f.value if rnd.random() < 0.8 else f.value * 10
        offsets = {"start": f.start, "end": f.end} if rnd.random() < 0.5 else {}
        figures.append(
            PredFigure(
                value=value,
                unit=f.unit if rnd.random() < 0.8 else rnd.choice(UNITS),
                qualifier=rnd.choice([f.qualifier, None, "vague"]),
                source_id=rnd.choice([f.source_id, None, "ORG-1"]),
                **offsets,
            )
        )
    if rnd.random() < 0.3:
        figures.append(PredFigure(value=7.0, unit="missile"))
    stances = []
    for s in doc.stance:
        if rnd.random() < 0.2:
            continue
        stances.append(
            PredStance(holder_id=s.holder_id, target=s.target, label=rnd.choice([s.label, *LABELS]))
        )
    extra = ("PER-7", rnd.choice(TARGETS))
    if rnd.random() < 0.3:
        stances.append(PredStance(holder_id=extra[0], target=extra[1], label=rnd.choice(LABELS)))
    return Prediction(
        doc_id=doc.doc_id, entities=tuple(entities), figures=tuple(figures), stance=tuple(stances)
    )


def random_predictions(seed: int, g: Gold) -> list[Prediction]:
    rnd = random.Random(seed)
    return [perturb(rnd, doc) for doc in g.documents]


def as_dicts(predictions: Sequence[Prediction]) -> list[dict[str, Any]]:
    return [p.model_dump(mode="json", exclude_none=True) for p in predictions]


# --- Hypothesis ----------------------------------------------------------------------------------

seeds = st.integers(min_value=0, max_value=2**32 - 1)


@st.composite
def golds(draw: st.DrawFn, max_docs: int = 6) -> Gold:
    """A random synthetic gold of 1 to ``max_docs`` documents (drawn from a seed: cheap, reproducible)."""
    return random_gold(draw(seeds), draw(st.integers(min_value=1, max_value=max_docs)))
