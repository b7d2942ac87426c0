"""The scoring benchmark: synthetic gold and predictions at 1k, 10k and 100k documents.

For each size (``benchmarks/generate.py`` writes the data once, then reuses it), every measurement
runs in a fresh process, timed from the outside (wall time, and peak resident memory from
``wait4``):

- score: ``nkru-bench score PRED --gold DIR --json OUT``, all layers, 1000 bootstrap resamples;
- floor: the same process up to counting and no further (``nkru_bench.scoring.scorer.read_and_check``:
  the gold loaded and validated, the predictions read, validated and checked against it): what any
  scorer of this input format pays;
- entities against ``nervaluate``: the same spans (predictions inside boilerplate left out, as the
  harness leaves them out; ends made inclusive) through ``nervaluate.Evaluator``, timed against the
  harness's entity layer (``nkru_bench.scoring.counting.count_entities``: every count of the layer, relaxed,
  lemma and linking included) on the same input; both with the cyclic collector paused, as
  ``score`` pauses it while reading. Its strict/exact/partial/ent_type counts and P/R/F1, overall
  and by type, must equal the harness's JSON exactly.

Then ``nkru-bench --help`` (best of 10) and the shipped gold scored end to end against
``examples/predictions/rules.jsonl`` (best of 5). The results go to ``benchmarks/results.md``
(and stdout).

    python benchmarks/run.py                      # 1k, 10k, 100k (about 8 minutes on 2 cores)
    python benchmarks/run.py --sizes 1000 10000   # quicker
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SIZES = (1_000, 10_000, 100_000)
TYPES = ("PER", "ORG", "LOC", "EVT", "PRO")
SCHEMES = ("strict", "exact", "partial", "ent_type")
COUNTS = ("correct", "incorrect", "partial", "missed", "spurious")
RATES = ("precision", "recall", "f1")
GIB = 2**30

# The targets of issue 7.
MAX_GROWTH = 11.0  # 100k documents cost at most this many times what 10k cost
MAX_OVER_FLOOR = 2.0  # scoring with 1000 resamples, at most this many times the floor
MIN_SPEEDUP = 10.0  # entity matching against nervaluate at 100k documents
MAX_PEAK = 2 * GIB  # at 100k documents
MAX_HELP = 0.3  # seconds
MAX_SHIPPED = 2.0  # seconds


# --- running a measured process ------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_bytes: int
    stdout: str


def measure(cmd: list[str]) -> Run:
    """Run ``cmd`` to the end; its wall time and peak resident memory (``ru_maxrss`` from ``wait4``)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(cmd, stdout=out, stderr=err, cwd=ROOT)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited with {process.returncode}:\n{stderr[-3000:]}")
    return Run(seconds, usage.ru_maxrss * 1024, stdout)


def best(cmd: list[str], times: int) -> float:
    return min(measure(cmd).seconds for _ in range(times))


def nkru_bench() -> str:
    """The ``nkru-bench`` script of this interpreter (not a version manager's shim in front of it)."""
    script = Path(sys.executable).parent / "nkru-bench"
    found = str(script) if script.exists() else shutil.which("nkru-bench")
    if found is None:
        raise SystemExit("nkru-bench is not installed: pip install -e .")
    return found


# --- what runs inside the measured processes -----------------------------------------------------


def floor(predictions: str, gold: str) -> None:
    """Read and check the predictions against the gold, as ``score`` does before matching."""
    from nkru_bench.scoring.scorer import read_and_check

    _, found = read_and_check(predictions, gold)
    print(json.dumps({"predictions": found.lines, "attempted": found.attempted}))


def nervaluate_input(table: Any, found: Any) -> tuple[list[list[dict]], list[list[dict]]]:
    """nervaluate's dicts for the spans the harness scores (``table``, ``found``: what
    ``read_and_check`` gives): predictions wholly inside boilerplate are not scored by the harness,
    so they are left out; nervaluate's ends are inclusive."""
    from nkru_bench.gold.records import ENTITY_TYPES
    from nkru_bench.scoring.counting import inside_spans

    def spans(columns: Any, rows: Any) -> list[list[dict]]:
        out: list[list[dict]] = [[] for _ in table.doc_ids]
        for doc, start, end, kind in zip(
            *(getattr(columns, f)[rows].tolist() for f in ("doc", "start", "end", "type")), strict=True
        ):
            out[doc].append({"label": ENTITY_TYPES[kind], "start": start, "end": end - 1})
        return out

    gold, pred = table.entities, found.entities
    kept = ~inside_spans(pred.doc, pred.start, pred.end, table.boilerplate)
    return spans(gold, slice(None)), spans(pred, kept)


def nervaluate_numbers(results: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """``{"strict": {...}, "by_type.PER.strict": {...}}``: counts and P/R/F1 of every scheme."""

    def numbers(r: Any) -> dict[str, Any]:
        return {**{c: getattr(r, c) for c in COUNTS}, **{m: getattr(r, m) for m in RATES}}

    out = {s: numbers(results["overall"][s]) for s in SCHEMES}
    for t, by_scheme in results["entities"].items():
        out |= {f"by_type.{t}.{s}": numbers(by_scheme[s]) for s in SCHEMES}
    return out


def harness_numbers(entities: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The same numbers from the harness's JSON (``result["entities"]``)."""

    def numbers(m: dict[str, Any]) -> dict[str, Any]:
        return {**{c: m["counts"][c] for c in COUNTS}, **{r: m[r] for r in RATES}}

    out = {s: numbers(entities[s]) for s in SCHEMES}
    for t, by_scheme in entities["by_type"].items():
        out |= {f"by_type.{t}.{s}": numbers(by_scheme[s]) for s in SCHEMES}
    return out


def differences(nervaluate: dict[str, dict], harness: dict[str, dict]) -> list[str]:
    """Every number on which the two disagree (none: identical). Where the harness says undefined
    (nothing to find, nothing predicted), nervaluate says 0."""
    found = []
    for key in sorted(nervaluate.keys() | harness.keys()):
        a, b = nervaluate.get(key), harness.get(key)
        if a is None or b is None:
            found.append(f"{key}: only in {'harness' if a is None else 'nervaluate'}")
            continue
        for name, value in a.items():
            theirs = b[name] if b[name] is not None or name not in RATES else 0.0
            if value != theirs:
                found.append(f"{key}.{name}: nervaluate {value!r}, harness {theirs!r}")
    return found


def against_nervaluate(predictions: str, gold_path: str) -> None:
    """Time nervaluate and the harness's entity matching on the same spans; print both times and
    nervaluate's numbers as JSON."""
    from nervaluate import Evaluator

    from nkru_bench.scoring.counting import count_entities
    from nkru_bench.scoring.scorer import read_and_check

    table, found = read_and_check(predictions, gold_path)
    true, pred = nervaluate_input(table, found)
    gc.collect()
    gc.disable()  # as score() has it while reading
    start = time.perf_counter()
    count_entities(table, found.entities)
    harness = time.perf_counter() - start
    del table, found
    start = time.perf_counter()
    results = Evaluator(true, pred, list(TYPES), loader="dict").evaluate()
    seconds = time.perf_counter() - start
    print(json.dumps({"nervaluate": seconds, "harness": harness, "numbers": nervaluate_numbers(results)}))


# --- one size ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Size:
    documents: int
    gold_mentions: int
    predicted_mentions: int
    score: Run
    floor: Run
    nervaluate_seconds: float
    matching_seconds: float


def _me(*args: str) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), *args]


def run_size(n_docs: int, work: Path) -> Size:
    sys.path.insert(0, str(HERE))
    from generate import generate

    start = time.perf_counter()
    paths = generate(n_docs, work / str(n_docs))
    print(f"[{n_docs}] data ready in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    pred, gold = str(paths["predictions"]), str(paths["gold"])
    out = work / str(n_docs) / "result.json"
    score = measure([nkru_bench(), "score", pred, "--gold", gold, "--json", str(out)])
    print(f"[{n_docs}] score {score.seconds:.1f} s", file=sys.stderr)
    result = json.loads(out.read_text(encoding="utf-8"))
    floor_run = measure(_me("--floor", pred, gold))
    print(f"[{n_docs}] floor {floor_run.seconds:.1f} s", file=sys.stderr)
    compared = json.loads(measure(_me("--nervaluate", pred, gold)).stdout)
    print(f"[{n_docs}] nervaluate {compared['nervaluate']:.1f} s", file=sys.stderr)
    wrong = differences(compared["numbers"], harness_numbers(result["entities"]))
    if wrong:
        raise AssertionError(
            f"nervaluate and the harness disagree at {n_docs} documents:\n" + "\n".join(wrong)
        )
    counts = result["entities"]["strict"]["counts"]
    predicted = counts["actual"] + result["entities"]["ignored_in_boilerplate"]
    return Size(
        n_docs, counts["possible"], predicted, score, floor_run, compared["nervaluate"], compared["harness"]
    )


# --- the report ----------------------------------------------------------------------------------


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    info = Path("/proc/cpuinfo")
    if info.exists():
        names = [
            line.split(":", 1)[1].strip() for line in info.read_text().splitlines() if "model name" in line
        ]
        cpu = names[0] if names else cpu
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / GIB
    return f"{cpu}, {os.cpu_count()} cores, {memory:.0f} GiB; Linux {platform.release()}"


def _versions() -> str:
    from importlib.metadata import version

    names = ("nkru-bench", "numpy", "pyarrow", "pydantic", "nervaluate")
    return f"Python {platform.python_version()}, " + ", ".join(f"{n} {version(n)}" for n in names)


def _mib(n: int) -> str:
    return f"{n / 2**20:,.0f} MiB"


def _status(ok: bool) -> str:
    return "**pass**" if ok else "**FAIL**"


def report(sizes: list[Size], help_seconds: float, shipped_seconds: float) -> str:
    lines = [
        "# Scoring benchmark",
        "",
        f"Machine: {_machine()}. {_versions()}.",
        "Reproduce: `python benchmarks/run.py` (synthetic data from `benchmarks/generate.py`, seeded).",
        "",
        "| documents | gold / predicted mentions | score: wall | score: peak RSS | floor: wall "
        "| floor: peak RSS | score / floor | nervaluate (entities) | harness `count_entities` "
        "| speed-up |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for s in sizes:
        lines.append(
            f"| {s.documents:,} | {s.gold_mentions:,} / {s.predicted_mentions:,} | {s.score.seconds:.1f} s "
            f"| {_mib(s.score.peak_bytes)} | {s.floor.seconds:.1f} s | {_mib(s.floor.peak_bytes)} "
            f"| {s.score.seconds / s.floor.seconds:.2f} | {s.nervaluate_seconds:.2f} s "
            f"| {s.matching_seconds:.2f} s | {s.nervaluate_seconds / s.matching_seconds:.1f}x |"
        )
    lines += [
        "",
        "Score: `nkru-bench score PRED --gold DIR --json OUT`, every layer, 1000 bootstrap resamples. "
        "Floor: the same up to counting (`nkru_bench.scoring.scorer.read_and_check`: gold loaded and "
        "validated, "
        "predictions read, validated, checked). Entities: `nervaluate.Evaluator` and the harness's whole "
        "entity layer (`count_entities`) on the same input. nervaluate and the harness got the same "
        "spans and gave the same strict/exact/partial/ent_type counts and P/R/F1, overall and by type, "
        "at every size.",
        "",
        "| target | measured | status |",
        "| --- | --- | --- |",
    ]
    by_size = {s.documents: s for s in sizes}
    if 10_000 in by_size and 100_000 in by_size:
        growth = by_size[100_000].score.seconds / by_size[10_000].score.seconds
        lines.append(
            f"| 100k documents cost <= {MAX_GROWTH:g}x 10k | {growth:.1f}x "
            f"| {_status(growth <= MAX_GROWTH)} |"
        )
    worst = max(sizes, key=lambda s: s.score.seconds / s.floor.seconds)
    ratios = ", ".join(f"{s.score.seconds / s.floor.seconds:.2f} ({s.documents:,})" for s in sizes)
    lines.append(
        f"| score <= {MAX_OVER_FLOOR:g}x the read-and-validate floor | {ratios} "
        f"| {_status(worst.score.seconds / worst.floor.seconds <= MAX_OVER_FLOOR)} |"
    )
    largest = sizes[-1]
    speedup = largest.nervaluate_seconds / largest.matching_seconds
    lines.append(
        f"| entity matching >= {MIN_SPEEDUP:g}x faster than nervaluate ({largest.documents:,} documents), "
        f"same numbers | {speedup:.1f}x, same numbers | {_status(speedup >= MIN_SPEEDUP)} |"
    )
    lines.append(
        f"| peak memory < {MAX_PEAK / GIB:g} GiB ({largest.documents:,} documents) "
        f"| {_mib(largest.score.peak_bytes)} | {_status(largest.score.peak_bytes < MAX_PEAK)} |"
    )
    lines.append(
        f"| `nkru-bench --help` < {MAX_HELP:g} s | {help_seconds:.2f} s "
        f"| {_status(help_seconds < MAX_HELP)} |"
    )
    lines.append(
        f"| shipped gold scored end to end < {MAX_SHIPPED:g} s | {shipped_seconds:.2f} s "
        f"| {_status(shipped_seconds < MAX_SHIPPED)} |"
    )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES), metavar="N")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "nkru-bench-benchmark")
    parser.add_argument("--out", type=Path, default=HERE / "results.md", help="the Markdown report")
    parser.add_argument("--floor", nargs=2, metavar=("PRED", "GOLD"), help=argparse.SUPPRESS)
    parser.add_argument("--nervaluate", nargs=2, metavar=("PRED", "GOLD"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.floor:
        floor(*args.floor)
        return 0
    if args.nervaluate:
        against_nervaluate(*args.nervaluate)
        return 0
    sizes = [run_size(n, args.work) for n in sorted(args.sizes)]
    help_seconds = best([nkru_bench(), "--help"], 10)
    with tempfile.TemporaryDirectory() as tmp:
        shipped = [nkru_bench(), "score", "examples/predictions/rules.jsonl", "--json", f"{tmp}/rules.json"]
        shipped_seconds = best(shipped, 5)
    text = report(sizes, help_seconds, shipped_seconds)
    args.out.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
