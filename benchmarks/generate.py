"""Synthetic gold and predictions at any size, for the scoring benchmark (``benchmarks/run.py``).

``generate(n_docs, out)`` writes, deterministically from ``seed``:

- ``out/gold/default/test.parquet`` and ``out/gold/kb/test.parquet``: a built dataset folder, so
  ``nkru-bench score PRED --gold out/gold`` reads it the way it reads the shipped data (the same
  Arrow schema and Hugging Face features as ``nkru_bench.gold.schema``, written column by column);
- ``out/predictions.jsonl``: one prediction per document with every outcome the harness counts.

The shape follows the shipped articles: about 2 000 characters of Czech, Polish or Slovenian-looking
text (diacritics, so Python keeps it as 2-byte text), about 30 entity mentions, 5 figures and 5
stance rows per document, and boilerplate at the end of one document in ten.

Predictions are flat and each one overlaps at most one gold mention, so every outcome is
unambiguous (``nervaluate``'s greedy pairing gives the same counts as the harness): per gold
mention exact (with a lemma and an entity id, mostly right), wrong type on the same span, partial
(a boundary moved) with the same or another type, or missed; per document a few spurious mentions
on filler words and, where there is boilerplate, one mention inside it (not scored). Figures are
matched with or without offsets, with the wrong unit, with the wrong value, or missed, plus some
spurious ones; stance rows have the right or the wrong label or are missed, plus spurious rows.

    python benchmarks/generate.py 1000 /tmp/nkru-bench-1k
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

GENERATOR_VERSION = "2"  # 2: writes manifest.json with the stored revision
LANGS = ("cs", "pl", "sl")
TYPES = ("PER", "ORG", "LOC", "EVT", "PRO")
TARGETS = ("nk_troops_in_russia", "nk_arms_to_russia", "russia_war_in_ukraine", "russia_nk_alliance")
LABELS = ("favor", "against", "neutral")
UNITS = ("person", "munition", "missile", "EUR", "USD", "percent", "times", "other")
QUALIFIERS = ("exact", "approximately", "at_least", "more_than", "at_most", "vague")


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Syllables of made-up names and filler words; the diacritics make Python store the text as UCS-2.
_SYLLABLES = _words("ko ra ní sla ve ro čo wo ść ża dę ši ja mi lo ře zé pa tu gó na ký ľu ą vě ro")
_FILLER = _words(
    "podle že se na do který byl jsou vojáci ruské armády według że się na który był są żołnierze "
    "rosyjskiej armii po da se na v ki je bil so vojaki ruske vojske „ “ – jejich także tudi "
    "severokorejských północnokoreańskich severnokorejskih"
)
_BOILERPLATE = " Sdílet na Facebooku | Sdílet na X | Čtěte také: Další zprávy z ciziny ve videu."

# Outcomes of a gold mention, with their shares (the rest of the mix is spurious predictions).
ENTITY_OUTCOMES = {
    "exact": 0.66,
    "wrong_type": 0.08,
    "partial": 0.08,
    "partial_wrong_type": 0.04,
    "missed": 0.14,
}
FIGURE_OUTCOMES = {
    "offsets": 0.50,
    "no_offsets": 0.15,
    "wrong_unit": 0.10,
    "wrong_value": 0.10,
    "missed": 0.15,
}
STANCE_OUTCOMES = {"correct": 0.65, "wrong_label": 0.15, "missed": 0.20}


@dataclass
class _Columns:
    """The flat columns of the ``default`` table, one list per leaf field, and the list offsets."""

    docs: dict[str, list[Any]] = field(default_factory=lambda: {k: [] for k in _DOC_FIELDS})
    entities: dict[str, list[Any]] = field(default_factory=lambda: {k: [] for k in _ENTITY_FIELDS})
    figures: dict[str, list[Any]] = field(default_factory=lambda: {k: [] for k in _FIGURE_FIELDS})
    stance: dict[str, list[Any]] = field(default_factory=lambda: {k: [] for k in _STANCE_FIELDS})
    evidence: dict[str, list[Any]] = field(default_factory=lambda: {"start": [], "end": []})
    boilerplate: dict[str, list[Any]] = field(default_factory=lambda: {"start": [], "end": []})
    offsets: dict[str, list[int]] = field(
        default_factory=lambda: {k: [0] for k in ("entities", "figures", "stance", "evidence", "boilerplate")}
    )


_DOC_FIELDS = ("doc_id", "lang", "date", "title", "text", "source_file", "sha256")
_ENTITY_FIELDS = ("start", "end", "text", "type", "lemma", "entity_id")
_FIGURE_FIELDS = ("start", "end", "text", "value", "unit", "qualifier", "source_id", "claim_id")
_STANCE_FIELDS = ("holder_id", "target", "label")


@dataclass(frozen=True)
class KB:
    ids: tuple[str, ...]
    types: tuple[str, ...]
    names: tuple[dict[str, str], ...]  # lang -> base form (the lemma)


def _word(rng: np.random.Generator, syllables: int) -> str:
    return "".join(_SYLLABLES[i] for i in rng.integers(0, len(_SYLLABLES), syllables))


def make_kb(rng: np.random.Generator, size: int) -> KB:
    ids, types, names = [], [], []
    for i in range(size):
        t = TYPES[int(rng.choice(len(TYPES), p=[0.3, 0.25, 0.3, 0.08, 0.07]))]
        base = _word(rng, 2).capitalize() + (" " + _word(rng, 3).capitalize() if rng.random() < 0.4 else "")
        ids.append(f"{'GPE' if t == 'LOC' else t}-{base.replace(' ', '-')}-{i}")
        types.append(t)
        names.append(
            {lang: base + ("" if lang == "cs" else {"pl": "a", "sl": "o"}[lang][: i % 2]) for lang in LANGS}
        )
    return KB(tuple(ids), tuple(types), tuple(names))


def kb_table(kb: KB) -> Any:
    import pyarrow as pa

    from nkru_bench.gold.schema import features

    rows = {
        "entity_id": list(kb.ids),
        "type": list(kb.types),
        "name_en": [n["cs"] for n in kb.names],
        "names": [[{"lang": lang, "name": n[lang]} for lang in LANGS] for n in kb.names],
        "description": [f"synthetic entity {i}" for i in range(len(kb.ids))],
        "acts_for": [None] * len(kb.ids),
    }
    return pa.Table.from_pydict(rows, schema=features()["kb"].arrow_schema)


def _choice(rng: np.random.Generator, shares: dict[str, float], size: int) -> np.ndarray:
    return rng.choice(len(shares), size=size, p=list(shares.values()))


_SUFFIXES = ("", "", "u", "em", "a", "ie", "i", "om")
_FIGURE_SURFACES = (  # (surface, value, unit word)
    ("12 000", 12000.0, "vojáků"),
    ("1,6 mln", 1600000.0, "granátů"),
    ("10.000", 10000.0, "żołnierzy"),
    ("40 mld euro", 4e10, ""),
    ("99 proc.", 99.0, ""),
    ("3 tis.", 3000.0, "raket"),
    ("500", 500.0, "vojakov"),
    ("trzykrotnie", 3.0, ""),
)
_FIGURE_UNITS = ("person", "munition", "person", "EUR", "percent", "missile", "person", "times")


class _Writer:
    """Builds one document after another: its text, its gold rows and its prediction line."""

    def __init__(self, kb: KB, rng: np.random.Generator) -> None:
        self.kb, self.rng, self.cols, self.lines = kb, rng, _Columns(), []
        self.by_lang_name = {lang: [n[lang] for n in kb.names] for lang in LANGS}

    def document(self, index: int) -> None:
        rng, kb = self.rng, self.kb
        lang = LANGS[index % 3]
        n_ent, n_fig = int(rng.integers(24, 37)), 5
        kinds = np.array([0] * n_ent + [1] * n_fig)
        rng.shuffle(kinds)
        gaps = rng.integers(3, 12, size=len(kinds) + 1)
        filler = rng.integers(0, len(_FILLER), size=int(gaps.sum()))
        entity_ids = rng.integers(0, len(kb.ids), size=n_ent)
        suffixes = rng.integers(0, len(_SUFFIXES), size=n_ent)
        figure_kinds = rng.integers(0, len(_FIGURE_SURFACES), size=n_fig)
        pieces: list[str] = []
        pos, fi, ei, gi = 0, 0, 0, 0
        spans: list[tuple[int, int]] = []  # filler word spans, for spurious predictions
        entities: list[tuple[int, int, str, int]] = []  # start, end, surface, kb index
        figures: list[tuple[int, int, int]] = []  # start, end, surface index
        for k in range(len(kinds) + 1):
            for _ in range(int(gaps[k])):
                word = _FILLER[int(filler[fi])]
                fi += 1
                pieces.append(word + " ")
                spans.append((pos, pos + len(word)))
                pos += len(word) + 1
            if k == len(kinds):
                break
            if kinds[k] == 0:
                kb_i = int(entity_ids[ei])
                surface = self.by_lang_name[lang][kb_i] + _SUFFIXES[int(suffixes[ei])]
                entities.append((pos, pos + len(surface), surface, kb_i))
                ei += 1
            else:
                s = int(figure_kinds[gi])
                surface = _FIGURE_SURFACES[s][0]
                figures.append((pos, pos + len(surface), s))
                surface += " " + _FIGURE_SURFACES[s][2] if _FIGURE_SURFACES[s][2] else ""
                gi += 1
            pieces.append(surface + ". " if rng.random() < 0.15 else surface + " ")
            pos += len(pieces[-1])
        text = "".join(pieces).rstrip()
        boilerplate = None
        if index % 10 == 7:
            boilerplate = (len(text), len(text) + len(_BOILERPLATE))
            text += _BOILERPLATE
        doc_id = f"{index:06d}_{hashlib.sha256(str(index).encode()).hexdigest()[:16]}"
        self.lang = lang
        self._gold(doc_id, lang, text, entities, figures, boilerplate)
        self._prediction(doc_id, entities, figures, spans, boilerplate)

    def _gold(self, doc_id, lang, text, entities, figures, boilerplate) -> None:
        cols, kb, rng = self.cols, self.kb, self.rng
        for key, value in zip(
            _DOC_FIELDS,
            (doc_id, lang, "2024-11", f"Titulek {doc_id}", text, f"seeds/{doc_id}.txt",
             hashlib.sha256(text.encode()).hexdigest()),
            strict=True,
        ):  # fmt: skip
            cols.docs[key].append(value)
        e = cols.entities
        for start, end, surface, kb_i in entities:
            for key, value in zip(
                _ENTITY_FIELDS,
                (start, end, surface, kb.types[kb_i], kb.names[kb_i][lang], kb.ids[kb_i]),
                strict=True,
            ):
                e[key].append(value)
        f = cols.figures
        self.gold_figures = []
        for start, end, s in figures:
            surface, value, _ = _FIGURE_SURFACES[s]
            qualifier = QUALIFIERS[int(rng.integers(0, len(QUALIFIERS)))]
            source = kb.ids[int(rng.integers(0, len(kb.ids)))] if rng.random() < 0.7 else None
            row = (start, end, surface, value, _FIGURE_UNITS[s], qualifier, source, None)
            self.gold_figures.append(row)
            for key, v in zip(_FIGURE_FIELDS, row, strict=True):
                f[key].append(v)
        holders = rng.choice(len(kb.ids), size=3, replace=False)
        pairs = rng.choice(len(holders) * len(TARGETS), size=5, replace=False)
        self.gold_stance = []
        for p in sorted(int(x) for x in pairs):
            row = (kb.ids[int(holders[p // 4])], TARGETS[p % 4], LABELS[int(rng.integers(0, 3))])
            self.gold_stance.append(row)
            for key, v in zip(_STANCE_FIELDS, row, strict=True):
                cols.stance[key].append(v)
            start = int(rng.integers(0, max(1, len(text) - 80)))
            cols.evidence["start"].append(start)
            cols.evidence["end"].append(start + 60)
            cols.offsets["evidence"].append(len(cols.evidence["start"]))
        if boilerplate:
            cols.boilerplate["start"].append(boilerplate[0])
            cols.boilerplate["end"].append(boilerplate[1])
        for layer, leaf in (("entities", e), ("figures", f), ("stance", cols.stance)):
            cols.offsets[layer].append(len(leaf[next(iter(leaf))]))
        cols.offsets["boilerplate"].append(len(cols.boilerplate["start"]))

    def _prediction(self, doc_id, entities, figures, spans, boilerplate) -> None:
        rng, kb = self.rng, self.kb
        outcomes = _choice(rng, ENTITY_OUTCOMES, len(entities))
        names = list(ENTITY_OUTCOMES)
        preds: list[dict[str, Any]] = []
        for (start, end, _, kb_i), o in zip(entities, outcomes, strict=True):
            kind, gold_type = names[int(o)], kb.types[kb_i]
            other_type = TYPES[(TYPES.index(gold_type) + 1 + int(rng.integers(0, 4))) % 5]
            if kind == "missed":
                continue
            if kind in ("partial", "partial_wrong_type"):
                start, end = (start + 1, end) if end - start > 2 and rng.random() < 0.5 else (start, end + 1)
            pred: dict[str, Any] = {"start": start, "end": end}
            pred["type"] = other_type if kind in ("wrong_type", "partial_wrong_type") else gold_type
            if rng.random() < 0.9:
                lemma = kb.names[kb_i][self.lang]
                pred["lemma"] = lemma if rng.random() < 0.9 else lemma.lower()
            if rng.random() < 0.8:
                pred["entity_id"] = (
                    kb.ids[kb_i] if rng.random() < 0.9 else kb.ids[int(rng.integers(0, len(kb.ids)))]
                )
            preds.append(pred)
        for i in rng.choice(len(spans), size=min(len(spans), int(rng.integers(1, 5))), replace=False):
            start, end = spans[int(i)]
            preds.append({"start": start, "end": end, "type": TYPES[int(rng.integers(0, 5))]})
        if boilerplate:
            preds.append({"start": boilerplate[0] + 12, "end": boilerplate[0] + 21, "type": "PRO"})
        preds.sort(key=lambda p: (p["start"], p["end"]))
        line: dict[str, Any] = {"doc_id": doc_id, "entities": preds}
        line["figures"] = self._figures(spans)
        line["stance"] = self._stance()
        self.lines.append(json.dumps(line, ensure_ascii=False))

    def _figures(self, spans) -> list[dict[str, Any]]:
        rng, kb, out = self.rng, self.kb, []
        names = list(FIGURE_OUTCOMES)
        for (start, end, _, value, unit, qualifier, source, _), o in zip(
            self.gold_figures, _choice(rng, FIGURE_OUTCOMES, len(self.gold_figures)), strict=True
        ):
            kind = names[int(o)]
            if kind == "missed":
                continue
            pred: dict[str, Any] = {"value": value * (1.5 if kind == "wrong_value" else 1.0)}
            pred["unit"] = "other" if kind == "wrong_unit" else unit
            if rng.random() < 0.8:
                pred["qualifier"] = qualifier if rng.random() < 0.85 else QUALIFIERS[int(rng.integers(0, 6))]
            if rng.random() < 0.6:
                pred["source_id"] = source or kb.ids[0] if rng.random() < 0.8 else kb.ids[1]
            if kind != "no_offsets":
                pred["start"], pred["end"] = start, end
            out.append(pred)
        if rng.random() < 0.3:
            start, end = spans[int(rng.integers(0, len(spans)))]
            out.append({"value": 7.0, "unit": "person", "start": start, "end": end})
        return out

    def _stance(self) -> list[dict[str, Any]]:
        rng, out = self.rng, []
        names = list(STANCE_OUTCOMES)
        for (holder, target, label), o in zip(
            self.gold_stance, _choice(rng, STANCE_OUTCOMES, len(self.gold_stance)), strict=True
        ):
            kind = names[int(o)]
            if kind == "missed":
                continue
            wrong = LABELS[(LABELS.index(label) + 1 + int(rng.integers(0, 2))) % 3]
            out.append(
                {"holder_id": holder, "target": target, "label": label if kind == "correct" else wrong}
            )
        if rng.random() < 0.5:
            holder = self.kb.ids[int(rng.integers(0, len(self.kb.ids)))]
            if all(row["holder_id"] != holder for row in out):
                out.append({"holder_id": holder, "target": TARGETS[0], "label": "favor"})
        return out


def default_table(cols: _Columns) -> Any:
    """The ``default`` config as Arrow, built from flat columns (no per-row conversion)."""
    import pyarrow as pa

    from nkru_bench.gold.schema import features

    schema = features()["default"].arrow_schema

    def struct(
        kind: pa.DataType, leaves: dict[str, list[Any]], children: dict[str, Any] | None = None
    ) -> Any:
        arrays = []
        for f in kind.value_type:
            if children and f.name in children:
                arrays.append(children[f.name])
            else:
                arrays.append(pa.array(leaves[f.name], type=f.type))
        return pa.StructArray.from_arrays(arrays, fields=list(kind.value_type))

    def listed(name: str, values: Any) -> Any:
        offsets = pa.array(cols.offsets[name], type=pa.int32())
        return pa.ListArray.from_arrays(offsets, values, type=schema.field(name).type)

    stance_type = schema.field("stance").type
    evidence_type = stance_type.value_type.field("evidence").type
    evidence = pa.ListArray.from_arrays(
        pa.array(cols.offsets["evidence"], type=pa.int32()),
        struct(evidence_type, cols.evidence),
        type=evidence_type,
    )
    arrays = [pa.array(cols.docs[k], type=pa.string()) for k in _DOC_FIELDS]
    arrays.append(listed("boilerplate", struct(schema.field("boilerplate").type, cols.boilerplate)))
    arrays.append(listed("entities", struct(schema.field("entities").type, cols.entities)))
    arrays.append(listed("figures", struct(schema.field("figures").type, cols.figures)))
    arrays.append(listed("stance", struct(stance_type, cols.stance, {"evidence": evidence})))
    return pa.Table.from_arrays(arrays, schema=schema)


def generate(n_docs: int, out: Path, seed: int = 20241121, kb_size: int = 2000) -> dict[str, Path]:
    """Write the gold folder and the predictions of ``n_docs`` documents under ``out``; reuse them
    when a previous run wrote the same size, seed and generator version."""
    import pyarrow.parquet as pq

    paths = {"gold": out / "gold", "predictions": out / "predictions.jsonl"}
    stamp = out / "stamp.json"
    key = {"n_docs": n_docs, "seed": seed, "kb_size": kb_size, "version": GENERATOR_VERSION}
    if stamp.is_file() and json.loads(stamp.read_text()) == key:
        return paths
    rng = np.random.default_rng(seed)
    kb = make_kb(rng, kb_size)
    writer = _Writer(kb, rng)
    for i in range(n_docs):
        writer.document(i)
    for config, table in (("default", default_table(writer.cols)), ("kb", kb_table(kb))):
        (paths["gold"] / config).mkdir(parents=True, exist_ok=True)
        pq.write_table(table, paths["gold"] / config / "test.parquet")
    paths["predictions"].write_text("\n".join(writer.lines) + "\n", encoding="utf-8")
    write_manifest(paths["gold"])
    stamp.write_text(json.dumps(key))
    return paths


def write_manifest(gold: Path) -> None:
    """``manifest.json`` as ``nkru-bench build`` writes it beside its Parquet files: the revision
    (computed the long way, by validating and hashing every record, once) and the SHA-256 of the
    files, so that scoring reads the stored revision as it does for a built gold."""
    from nkru_bench.gold.loading import gold_source
    from nkru_bench.gold.revision import DIGESTED, DIGESTS, file_digest, gold_json_chunks, revision_of

    source = gold_source(gold)
    manifest = {
        "gold_revision": revision_of(gold_json_chunks(source.documents(), source.kb)),
        DIGESTS: {config: file_digest(gold / config / "test.parquet") for config in DIGESTED},
    }
    (gold / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("documents", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=20241121)
    args = parser.parse_args(argv)
    paths = generate(args.documents, args.out, args.seed)
    print(f"gold: {paths['gold']}\npredictions: {paths['predictions']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
