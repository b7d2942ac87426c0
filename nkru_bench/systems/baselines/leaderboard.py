"""The README's leaderboard: each built-in baseline run by the harness and scored on the gold.

From a checkout::

    python -m nkru_bench.systems.baselines.leaderboard          # run the baselines, rewrite the table
    python -m nkru_bench.systems.baselines.leaderboard --check  # exit 1 when the table or a file is stale

Each baseline's predictions are kept in ``examples/predictions/<name>.jsonl`` (so that anyone can
``nkru-bench score`` them) and the table between the README's leaderboard markers is rendered from
the scores of those files, held-out baselines first (``HELD_OUT``). A baseline whose optional extra
is not installed keeps its file as it is, unless ``--all`` is given: then it is an error. To
regenerate everything (after the gold changed), in one command from a checkout::

    pip install -e '.[lexicon,spacy]' && python -m nkru_bench.systems.baselines.leaderboard --all

``tests/test_baselines.py`` runs the same check.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from nkru_bench.common.errors import InputError
from nkru_bench.gold.records import Gold
from nkru_bench.systems.baselines import BASELINES, HELD_OUT

ROOT = Path(".")  # the checkout: run the tool from its root, or pass --root
BEGIN, END = "<!-- leaderboard:begin -->", "<!-- leaderboard:end -->"


def predictions_path(name: str, root: Path = ROOT) -> Path:
    return root / "examples" / "predictions" / f"{name}.jsonl"


def run_baseline(name: str, gold: Gold, out: Path) -> None:
    """Run one baseline over the gold's documents into ``out`` (InputError when it cannot run)."""
    from nkru_bench.systems.protocol import document_dict
    from nkru_bench.systems.resolve import resolve_system
    from nkru_bench.systems.runner import run

    _, extractor = resolve_system(name)
    report = run(extractor, [document_dict(doc) for doc in gold.documents], out, progress=None)
    if report.failures:
        failure = report.failures[0]
        raise RuntimeError(f"baseline {name} failed on {failure.doc_id}: {failure.error}")


SECTIONS = (
    (True, "Held out: built without the test articles in view"),
    (False, "Written with the test articles in view: a reference point, not a result"),
)


def table(gold: Gold, root: Path = ROOT) -> str:
    """The leaderboard (``report.leaderboard``) of every baseline's stored predictions on ``gold``,
    held-out systems first, then those written with the test articles in view."""
    from nkru_bench.scoring.report import leaderboard
    from nkru_bench.scoring.scorer import score

    parts = []
    for held_out, title in SECTIONS:
        names = [n for n in BASELINES if (n in HELD_OUT) == held_out and predictions_path(n, root).exists()]
        if names:
            results = [score(predictions_path(name, root), gold).to_json() for name in names]
            parts.append(f"**{title}**\n\n" + leaderboard(results, names).rstrip("\n"))
    return "\n\n".join(parts)


def readme_region(text: str) -> str | None:
    start, stop = text.find(BEGIN), text.find(END)
    if start == -1 or stop < start:
        return None
    return text[start + len(BEGIN) : stop].strip("\n")


def stale(gold: Gold, root: Path = ROOT) -> list[str]:
    """What is out of date: a baseline's stored predictions, or the README table."""
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in BASELINES:
            fresh = Path(tmp) / f"{name}.jsonl"
            try:
                run_baseline(name, gold, fresh)
            except InputError:
                continue  # its optional extra is not installed: its stored file is kept as it is
            stored = predictions_path(name, root)
            if not stored.exists() or stored.read_bytes() != fresh.read_bytes():
                problems.append(f"{stored} differs from a fresh run of the {name!r} baseline")
    region = readme_region((root / "README.md").read_text(encoding="utf-8"))
    if region is None:
        problems.append(f"README.md has no leaderboard region: add the lines {BEGIN} and {END}")
    elif region != table(gold, root):
        problems.append("README.md: the leaderboard table differs from the scores of the stored predictions")
    return problems


def update(gold: Gold, root: Path = ROOT, require_all: bool = False) -> list[str]:
    """Run every baseline that can run, store its predictions, rewrite the README table.

    With ``require_all``, a baseline that cannot run (its extra is missing) stops it before anything
    is written.
    """
    notes = []
    for name in BASELINES:
        out = predictions_path(name, root)
        out.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory() as tmp:
            fresh = Path(tmp) / out.name
            try:
                run_baseline(name, gold, fresh)
            except InputError as error:
                if require_all:
                    raise SystemExit(
                        f"cannot run the {name!r} baseline: {error.problems[0].message}"
                    ) from None
                notes.append(f"kept {out} as it is: {error.problems[0].message}")
                continue
            out.write_bytes(fresh.read_bytes())
            notes.append(f"wrote {out}")
    readme = root / "README.md"
    text = readme.read_text(encoding="utf-8")
    if readme_region(text) is None:
        raise SystemExit(f"README.md has no leaderboard region: add the lines {BEGIN} and {END}")
    start, stop = text.find(BEGIN) + len(BEGIN), text.find(END)
    readme.write_text(text[:start] + "\n" + table(gold, root) + "\n" + text[stop:], encoding="utf-8")
    return [*notes, f"wrote the leaderboard in {readme}"]


def main(argv: Sequence[str] | None = None) -> int:
    from nkru_bench.gold.loading import load_gold

    parser = argparse.ArgumentParser(
        prog="python -m nkru_bench.systems.baselines.leaderboard", description=__doc__
    )
    parser.add_argument("--check", action="store_true", help="exit 1 when anything is stale")
    parser.add_argument(
        "--all", action="store_true", help="fail when a baseline cannot run (an extra missing)"
    )
    parser.add_argument("--gold", type=Path, help="gold to score on (default: the shipped gold)")
    parser.add_argument("--root", type=Path, default=ROOT, help="checkout root (README.md, examples/)")
    args = parser.parse_args(argv)
    gold = load_gold(args.gold)
    if args.check:
        problems = stale(gold, args.root)
        for problem in problems:
            print(problem, file=sys.stderr)
        return 1 if problems else 0
    for note in update(gold, args.root, require_all=args.all):
        print(note)
    return 0


if __name__ == "__main__":
    sys.exit(main())
