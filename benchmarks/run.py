"""The scoring benchmark: synthetic gold and predictions at 1k, 10k and 100k documents.

For each size (``benchmarks/generate.py`` writes the data once, in a process of its own, then
reuses it), every measurement runs in a fresh process, timed from the outside: wall time, CPU time
(user + system) and peak resident memory, all three from ``wait4``; each is the minimum of
``--runs`` runs (the machine is shared: the minimum is the least disturbed run).

- score: ``nkru-bench score PRED --gold DIR --json OUT``, all layers, 1000 bootstrap resamples;
- physical floor: a process that reads the prediction file with ``pyarrow.json`` (the schema of a
  prediction line given) and the gold Parquet file's columns that scoring needs, and does nothing
  else: what reading this input costs at all;
- read and check: ``score`` up to counting (``nkru_bench.scoring.scorer.read_and_check``: the gold
  and the predictions read and checked), for the profile;
- entities against ``nervaluate``: the same spans (predictions inside boilerplate left out, as the
  harness leaves them out; ends made inclusive) through ``nervaluate.Evaluator``, timed against the
  harness's entity layer (``scorer.count_table("entities", ...)``, as ``score`` counts it: every
  count of the layer, relaxed, lemma and linking included) on the same input. Its
  strict/exact/partial/ent_type counts and P/R/F1, overall and by type, must equal the harness's
  JSON exactly.

Before the sizes, ``nkru-bench --help`` and the shipped gold scored end to end against
``examples/predictions/rules.jsonl`` (the minimum of 10 runs each). The results go to
``benchmarks/results.md`` (and stdout).

The parent process stays small (it only starts the others): a child's peak memory as ``wait4``
reports it includes its parent's resident memory at the time of the fork, so data is never made
in the parent.

    python benchmarks/run.py                      # 1k, 10k, 100k (about 15 minutes on 2 cores)
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

# The targets.
MAX_GROWTH = 11.0  # 100k documents cost at most this many times what 10k cost
MAX_OVER_FLOOR = 5.0  # scoring with 1000 resamples, at most this many times the physical floor (10k, 100k)
MIN_SPEEDUP = 10.0  # entity matching against nervaluate at 100k documents
MAX_PEAK = 1 * GIB  # at 100k documents
MAX_HELP = 0.3  # seconds
MAX_SHIPPED = 0.25  # seconds


# --- running a measured process ------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    seconds: float  # wall
    cpu: float  # user + system
    peak_bytes: int
    stdout: str


def measure(cmd: list[str]) -> Run:
    """Run ``cmd`` to the end; its wall time, CPU time and peak resident memory (from ``wait4``)."""
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
    return Run(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024, stdout)


def best(cmd: list[str], times: int) -> Run:
    """The minimum of each figure over ``times`` runs (the stdout of the last)."""
    runs = [measure(cmd) for _ in range(times)]
    return Run(
        min(r.seconds for r in runs),
        min(r.cpu for r in runs),
        min(r.peak_bytes for r in runs),
        runs[-1].stdout,
    )


def nkru_bench() -> str:
    """The ``nkru-bench`` script of this interpreter (not a version manager's shim in front of it)."""
    script = Path(sys.executable).parent / "nkru-bench"
    found = str(script) if script.exists() else shutil.which("nkru-bench")
    if found is None:
        raise SystemExit("nkru-bench is not installed: pip install -e .")
    return found


# --- what runs inside the measured processes -----------------------------------------------------


def physical_floor(predictions: str, gold: str) -> None:
    """Read the prediction file with ``pyarrow.json`` and the gold's needed Parquet columns; nothing else."""
    import pyarrow.json as pj
    import pyarrow.parquet as pq

    from nkru_bench.gold.schema import DOCUMENT_FIELDS
    from nkru_bench.scoring.arrow_predictions import prediction_schema

    options = pj.ParseOptions(explicit_schema=prediction_schema())
    read = pj.read_json(predictions, read_options=pj.ReadOptions(block_size=1 << 26), parse_options=options)
    documents = pq.ParquetFile(Path(gold) / "default" / "test.parquet").read(columns=list(DOCUMENT_FIELDS))
    print(json.dumps({"predictions": read.num_rows, "documents": documents.num_rows}))


def floor(predictions: str, gold: str) -> None:
    """Read and check the predictions against the gold, as ``score`` does before matching."""
    from nkru_bench.scoring.scorer import read_and_check

    _, found = read_and_check(predictions, gold)
    print(json.dumps({"predictions": found.lines, "attempted": found.attempted}))


def stages(predictions: str, gold: str) -> None:
    """``score``'s work stage by stage in one process (as ``scorer.score`` and ``Result.to_json`` do
    it): CPU seconds of each stage, and the peak resident memory when it ends; printed as JSON."""
    import resource

    def peak() -> int:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

    found: list[tuple[str, float, int]] = []
    clock = 0.0  # the process's CPU time: the first stage includes starting Python

    def stage(name: str) -> None:
        nonlocal clock
        now = time.process_time()
        found.append((name, now - clock, peak()))
        clock = now

    from nkru_bench.scoring.scorer import (
        DEFAULT_RESAMPLES,
        DEFAULT_SEED,
        Result,
        Settings,
        count_table,
        read_and_check,
        resolve_gold_table,
    )

    stage("start and imports")
    table = resolve_gold_table(gold)
    stage("gold")
    _, read = read_and_check(predictions, table)
    stage("predictions")
    tables = {}
    for task in read.attempted:
        tables[task] = count_table(task, table, read)
        stage(f"counting: {task}")
    settings = Settings(table.revision, len(table.doc_ids), False, DEFAULT_RESAMPLES, DEFAULT_SEED)
    result = Result(read.source, settings, read.attempted, read.missing, tables)
    del table, read  # as when score() returns: only the counts are left
    result.to_json()
    stage("summary")
    print(json.dumps(found))


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

    from nkru_bench.scoring.scorer import count_table, read_and_check

    table, found = read_and_check(predictions, gold_path)
    true, pred = nervaluate_input(table, found)
    gc.collect()
    gc.disable()  # as score() has it while reading
    start = time.perf_counter()
    count_table("entities", table, found)
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
    physical: Run
    read_and_check: Run
    nervaluate_seconds: float
    matching_seconds: float
    stages: list[tuple[str, float, int]]  # (stage, CPU seconds, peak RSS at its end)


def _me(*args: str) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), *args]


def run_size(n_docs: int, work: Path, runs: int) -> Size:
    start = time.perf_counter()
    folder = work / str(n_docs)
    subprocess.run(
        [sys.executable, str(HERE / "generate.py"), str(n_docs), str(folder)], check=True, cwd=ROOT
    )
    print(f"[{n_docs}] data ready in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    pred, gold = str(folder / "predictions.jsonl"), str(folder / "gold")
    out = folder / "result.json"
    score = best([nkru_bench(), "score", pred, "--gold", gold, "--json", str(out)], runs)
    print(f"[{n_docs}] score {score.seconds:.2f} s ({score.cpu:.2f} s CPU)", file=sys.stderr)
    result = json.loads(out.read_text(encoding="utf-8"))
    physical = best(_me("--physical-floor", pred, gold), runs)
    print(f"[{n_docs}] physical floor {physical.seconds:.2f} s ({physical.cpu:.2f} s CPU)", file=sys.stderr)
    checked = best(_me("--floor", pred, gold), runs)
    print(f"[{n_docs}] read and check {checked.seconds:.2f} s", file=sys.stderr)
    profile = json.loads(measure(_me("--stages", pred, gold)).stdout)
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
        n_docs,
        counts["possible"],
        predicted,
        score,
        physical,
        checked,
        compared["nervaluate"],
        compared["harness"],
        [tuple(stage) for stage in profile],
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


def _ratio(a: Run, b: Run) -> str:
    return f"{a.seconds / b.seconds:.1f}x wall, {a.cpu / b.cpu:.1f}x CPU"


def report(sizes: list[Size], runs: int, help_run: Run, shipped: Run) -> str:
    lines = [
        "# Scoring benchmark",
        "",
        f"Machine: {_machine()}. {_versions()}.",
        "Reproduce: `python benchmarks/run.py` (synthetic data from `benchmarks/generate.py`, seeded). "
        f"Every figure is the minimum of {runs} runs, each a fresh process; CPU is user + system time.",
        "",
        "| documents | gold / predicted mentions | score: wall | score: CPU | score: peak RSS "
        "| physical floor: wall | floor: CPU | floor: peak RSS | score / floor | read and check: wall "
        "| nervaluate (entities) | harness entity layer | speed-up |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for s in sizes:
        lines.append(
            f"| {s.documents:,} | {s.gold_mentions:,} / {s.predicted_mentions:,} | {s.score.seconds:.2f} s "
            f"| {s.score.cpu:.2f} s | {_mib(s.score.peak_bytes)} | {s.physical.seconds:.2f} s "
            f"| {s.physical.cpu:.2f} s | {_mib(s.physical.peak_bytes)} | {_ratio(s.score, s.physical)} "
            f"| {s.read_and_check.seconds:.2f} s | {s.nervaluate_seconds:.2f} s | {s.matching_seconds:.2f} s "
            f"| {s.nervaluate_seconds / s.matching_seconds:.1f}x |"
        )
    lines += [
        "",
        "Score: `nkru-bench score PRED --gold DIR --json OUT`, every layer, 1000 bootstrap resamples. "
        "Physical floor: a process that reads the predictions with `pyarrow.json` and the gold Parquet "
        "file's needed columns, and nothing else. Read and check: `score` up to counting "
        "(`nkru_bench.scoring.scorer.read_and_check`). Entities: `nervaluate.Evaluator` and the harness's "
        'whole entity layer (`scorer.count_table("entities", ...)`, as `score` counts it) on the same '
        "input; nervaluate and the harness got the "
        "same spans and gave the same strict/exact/partial/ent_type counts and P/R/F1, overall and by "
        "type, at every size.",
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
    for s in (s for s in sizes if s.documents >= 10_000):
        ratio = s.score.seconds / s.physical.seconds
        lines.append(
            f"| score <= {MAX_OVER_FLOOR:g}x the physical floor ({s.documents:,} documents) "
            f"| {_ratio(s.score, s.physical)} | {_status(ratio <= MAX_OVER_FLOOR)} |"
        )
    largest = sizes[-1]
    speedup = largest.nervaluate_seconds / largest.matching_seconds
    lines.append(
        f"| entity matching >= {MIN_SPEEDUP:g}x faster than nervaluate ({largest.documents:,} documents), "
        f"same numbers | {speedup:.1f}x, same numbers | {_status(speedup >= MIN_SPEEDUP)} |"
    )
    lines.append(
        f"| peak memory <= {MAX_PEAK / GIB:g} GiB ({largest.documents:,} documents) "
        f"| {_mib(largest.score.peak_bytes)} | {_status(largest.score.peak_bytes <= MAX_PEAK)} |"
    )
    lines.append(
        f"| `nkru-bench --help` < {MAX_HELP:g} s | {help_run.seconds:.2f} s "
        f"| {_status(help_run.seconds < MAX_HELP)} |"
    )
    lines.append(
        f"| shipped gold scored end to end <= {MAX_SHIPPED:g} s | {shipped.seconds:.2f} s "
        f"({shipped.cpu:.2f} s CPU) | {_status(shipped.seconds <= MAX_SHIPPED)} |"
    )
    lines += [
        "",
        "## Where the time and the memory go",
        "",
        "CPU seconds of each stage of `score` in one process (`scorer.read_and_check`, then each task's "
        "counting, then the JSON with its resamples), one run, and the peak resident memory when the "
        "stage ends; beside them, the physical floor's CPU time and peak.",
        "",
        "| stage | " + " | ".join(f"{s.documents:,}: CPU | peak RSS" for s in sizes) + " |",
        "| --- | " + " | ".join("---: | ---:" for _ in sizes) + " |",
    ]
    for i, (name, _, _) in enumerate(sizes[0].stages):
        cells = " | ".join(f"{s.stages[i][1]:.2f} s | {_mib(s.stages[i][2])}" for s in sizes)
        lines.append(f"| {name} | {cells} |")
    total = " | ".join(f"**{sum(t for _, t, _ in s.stages):.2f} s** | " for s in sizes)
    lines.append(f"| all | {total}|")
    floor_cells = " | ".join(f"{s.physical.cpu:.2f} s | {_mib(s.physical.peak_bytes)}" for s in sizes)
    lines.append(f"| physical floor (whole process) | {floor_cells} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES), metavar="N")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "nkru-bench-benchmark")
    parser.add_argument("--out", type=Path, default=HERE / "results.md", help="the Markdown report")
    parser.add_argument("--runs", type=int, default=3, help="runs of each measurement (the minimum is kept)")
    parser.add_argument("--floor", nargs=2, metavar=("PRED", "GOLD"), help=argparse.SUPPRESS)
    parser.add_argument("--physical-floor", nargs=2, metavar=("PRED", "GOLD"), help=argparse.SUPPRESS)
    parser.add_argument("--nervaluate", nargs=2, metavar=("PRED", "GOLD"), help=argparse.SUPPRESS)
    parser.add_argument("--stages", nargs=2, metavar=("PRED", "GOLD"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.stages:
        stages(*args.stages)
        return 0
    if args.floor:
        floor(*args.floor)
        return 0
    if args.physical_floor:
        physical_floor(*args.physical_floor)
        return 0
    if args.nervaluate:
        against_nervaluate(*args.nervaluate)
        return 0
    # the small commands first, before the large sizes fill memory and push the libraries out of the
    # page cache (which a user's next command would find as they were)
    help_run = best([nkru_bench(), "--help"], 10)
    with tempfile.TemporaryDirectory() as tmp:
        shipped = [nkru_bench(), "score", "examples/predictions/rules.jsonl", "--json", f"{tmp}/rules.json"]
        shipped_run = best(shipped, 10)
    sizes = [run_size(n, args.work, args.runs) for n in sorted(args.sizes)]
    text = report(sizes, args.runs, help_run, shipped_run)
    args.out.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
