"""Rendering only: a result or a comparison as a terminal table or as Markdown.

Everything here reads the JSON object of ``Result.to_json()`` / ``Comparison.to_json()``, so
what is printed is exactly what is written with ``--json``. No arithmetic beyond formatting.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from nkru_bench.gold.checkout import SHIPPED
from nkru_bench.gold.paths import DATA_DIR, data_root
from nkru_bench.scoring.bootstrap import CI_LEVEL
from nkru_bench.scoring.metrics import BREAKDOWNS, MAIN_RATE, METRICS, MIN_DOCS

UNDERPOWERED = "*"
NOTE = f"{UNDERPOWERED} underpowered: fewer than {MIN_DOCS} documents"
RELAXED_NOTE = (
    "relaxed (the official BSNLP relaxed exact, per document and type, from the spans' text): gold = the\n"
    "  entities (ids), found = correct = those with one of their forms among the predicted forms (R =\n"
    "  found/gold); predicted = found + distinct predicted forms of no gold entity (P = correct/predicted)"
)


def gold_line(gold: dict[str, Any]) -> str:
    """Which gold was scored: its source (a path, or "shipped" with the folder it is read from: the
    installed package's, or the checkout's for an editable install), revision and document count."""
    source = gold.get("source", SHIPPED)
    if source == SHIPPED:
        source = f"{SHIPPED} ({data_root() / DATA_DIR})"
    return f"{source}, revision {gold['revision']}, {gold['documents']} documents"


# The leaderboard columns: (header, path of the rate, path of its interval).
LEADERBOARD = (
    ("entities strict F1", "entities.strict.f1", "entities.strict.ci"),
    ("entities relaxed F1", "entities.relaxed.f1", "entities.relaxed.ci"),
    ("figures value+unit F1", "figures.value_unit.f1", "figures.value_unit.ci"),
    ("stance tuple F1", "stance.tuple.f1", "stance.tuple.ci"),
    ("stance tuple F1 holder-relaxed", "stance.relaxed_tuple.f1", "stance.relaxed_tuple.ci"),
    ("stance label macro-F1", "stance.label.macro_f1", "stance.label.ci"),
)


def _num(value: float | None, signed: bool = False) -> str:
    if value is None:
        return "-"
    return f"{value:+.3f}" if signed else f"{value:.3f}"


def _ci(ci: Sequence[float] | None, signed: bool = False) -> str:
    return "" if ci is None else f"[{_num(ci[0], signed)}, {_num(ci[1], signed)}]"


def _get(tree: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(tree, dict) or part not in tree:
            return None
        tree = tree[part]
    return tree


def _columns(rows: Sequence[Sequence[str]], align: str = "l") -> list[str]:
    """Rows of cells as aligned text; ``align`` has an ``l`` or ``r`` per column (the last repeats)."""
    widths = [max(len(row[i]) for row in rows if i < len(row)) for i in range(max(map(len, rows)))]
    lines = []
    for row in rows:
        cells = []
        for i, cell in enumerate(row):
            left = (align[i] if i < len(align) else "r") == "l"
            cells.append(cell.ljust(widths[i]) if left else cell.rjust(widths[i]))
        lines.append("  ".join(cells).rstrip())
    return lines


def _counts(counts: dict[str, Any]) -> str:
    return "  ".join(f"{k} {v}" for k, v in counts.items() if not isinstance(v, dict))


def _metric_row(name: str, kind: str, obj: dict[str, Any]) -> list[str]:
    if kind in ("semeval", "set"):
        counts = _counts({k: v for k, v in obj["counts"].items() if k not in ("possible", "actual")})
        return [
            f"  {name}",
            _num(obj["precision"]),
            _num(obj["recall"]),
            _num(obj["f1"]),
            _ci(obj.get("ci")),
            counts,
        ]
    if kind == "tally":
        if not obj["attempted"]:
            return [f"  {name}", "", "", "", "", "not attempted"]
        c = obj["counts"]
        return [
            f"  {name}",
            "",
            "",
            _num(obj["accuracy"]),
            _ci(obj.get("ci")),
            f"accuracy {c['correct']}/{c['total']}",
        ]
    label = f"F_avg {_num(obj['f_avg'])}  accuracy {_num(obj['accuracy'])}  pairs {obj['counts']['pairs']}"
    return [f"  {name}", "", "", _num(obj["macro_f1"]), _ci(obj.get("ci")), f"macro-F1; {label}"]


def _marked(label: str, obj: dict[str, Any]) -> str:
    return f"{label} ({obj['documents']}){UNDERPOWERED if obj['underpowered'] else ''}"


def _slices(title: str, slices: dict[str, Any], metrics: Iterable[tuple[str, str]]) -> list[str]:
    if not slices:
        return []
    header = [title, *(_marked(key, obj) for key, obj in slices.items())]
    rows = [header]
    for name, kind in metrics:
        rate = MAIN_RATE[kind]
        rows.append([f"  {name} {rate}", *(_num(obj[name][rate]) for obj in slices.values())])
    return ["", *_columns(rows)]


def score_table(result: dict[str, Any]) -> str:
    """A score result (its JSON object) as a readable terminal table."""
    docs = result["documents"]
    head = [
        f"predictions  {result['predictions']}",
        f"gold         {gold_line(result['gold'])}",
        f"signature    {result['signature']}",
        f"documents    {docs['scored']}{f' {UNDERPOWERED}' if docs['underpowered'] else ''}",
    ]
    if docs["missing"]:
        head.append(f"missing      {', '.join(docs['missing'])} (scored as predicting nothing)")
    if result["tasks"]["not_attempted"]:
        head.append(f"not attempted {', '.join(result['tasks']['not_attempted'])}")
    lines = [*head]
    for task in result["tasks"]["attempted"]:
        obj = result[task]
        rows = [[task, "P", "R", "F1", f"{CI_LEVEL}% CI", "counts"]]
        rows += [_metric_row(name, kind, obj[name]) for name, kind in METRICS[task]]
        lines += ["", *_columns(rows, "lrrrrl")]
        lines += _slices(f"{task} by language", obj["by_lang"], METRICS[task])
        breakdown, _, metrics = BREAKDOWNS[task]
        lines += _slices(f"{task} {breakdown.replace('_', ' ')}", obj[breakdown], metrics)
    lines += ["", NOTE]
    if "entities" in result["tasks"]["attempted"]:
        lines.append(RELAXED_NOTE)
    return "\n".join(lines) + "\n"


def leaderboard(results: Sequence[dict[str, Any]], names: Sequence[str] | None = None) -> str:
    """Results as a Markdown leaderboard table for a README, with their signatures below."""
    names = list(names) if names else [Path(r["predictions"]).stem or r["predictions"] for r in results]
    header = ["system", "docs", *(h for h, _, _ in LEADERBOARD)]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(["---"] + ["---:"] * (len(header) - 1)) + "|"]
    for name, result in zip(names, results, strict=True):
        docs = result["documents"]
        cells = [name, f"{docs['scored']}{UNDERPOWERED if docs['underpowered'] else ''}"]
        for _, path, ci_path in LEADERBOARD:
            value = _get(result, path)
            ci = _ci(_get(result, ci_path))
            cells.append("-" if value is None else f"{_num(value)} {ci}".strip())
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    lines += [f"`{name}`: `{r['signature']}`  " for name, r in zip(names, results, strict=True)]
    if any(r["documents"]["underpowered"] for r in results):
        lines.append(f"{UNDERPOWERED} underpowered: fewer than {MIN_DOCS} documents")
    return "\n".join(lines) + "\n"


def compare_table(comparison: dict[str, Any]) -> str:
    """A comparison (its JSON object) as a terminal table."""
    docs = comparison["documents"]
    lines = [
        f"A          {comparison['a']['predictions']}",
        f"B          {comparison['b']['predictions']}",
        f"gold       {gold_line(comparison['gold'])}",
        f"signature  {comparison['signature']}",
        f"documents  {docs['scored']}{f' {UNDERPOWERED}' if docs['underpowered'] else ''}",
        "",
    ]
    rows = [["metric", "A", "B", "A-B", f"{CI_LEVEL}% CI of A-B", "p"]]
    for path, m in comparison["metrics"].items():
        p = "-" if m["p_value"] is None else f"{m['p_value']:.3f}"
        if "only" in m:
            p = f"{m['only'].upper()} only"
        rows.append([path, _num(m["a"]), _num(m["b"]), _num(m["difference"], True), _ci(m["ci"], True), p])
    lines += _columns(rows)
    if any("only" in m for m in comparison["metrics"].values()):
        lines += ["", "A only / B only: a task the other system did not attempt (no difference is computed)"]
    if docs["underpowered"]:
        lines += ["", NOTE]
    return "\n".join(lines) + "\n"


def compare_markdown(comparison: dict[str, Any]) -> str:
    """A comparison as a Markdown table."""
    a, b = (Path(comparison[k]["predictions"]).stem for k in ("a", "b"))
    lines = [f"| metric | {a} (A) | {b} (B) | A-B | {CI_LEVEL}% CI | p |", "|---|---:|---:|---:|---:|---:|"]
    for path, m in comparison["metrics"].items():
        p = "-" if m["p_value"] is None else f"{m['p_value']:.3f}"
        if "only" in m:
            p = f"{m['only'].upper()} only"
        cells = [path, _num(m["a"]), _num(m["b"]), _num(m["difference"], True), _ci(m["ci"], True), p]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", f"`{comparison['signature']}`"]
    if comparison["documents"]["underpowered"]:
        lines.append(NOTE)
    return "\n".join(lines) + "\n"
