"""Which gold a command scored, said in its header; the warning when a checkout has built another;
``run`` with the scoring options of ``score``; help texts with their defaults.

The shipped gold's revision and size come from its manifest (``shipped_revision``) and from
``load_gold``, never from numbers written here. The case of an installed package run inside a
checkout whose gold was extended is in ``tests/test_wheel.py``.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from nkru_bench.cli import build_parser, main
from nkru_bench.gold.checkout import checkout_gold, gold_label, mismatch_warning
from nkru_bench.gold.loading import load_gold, shipped_revision
from nkru_bench.gold.paths import DATA_DIR, DATA_MANIFEST, data_root
from nkru_bench.scoring.report import compare_table
from nkru_bench.scoring.scorer import compare

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "examples" / "predictions" / "rules.jsonl"
GOLDEN = ROOT / "tests" / "golden"


def test_score_names_the_shipped_gold(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "r.json"
    assert main(["score", str(RULES), "--resamples", "0", "--json", str(out)]) == 0
    documents = len(load_gold().documents)
    shipped = f"shipped ({data_root() / DATA_DIR})"
    line = f"gold         {shipped}, revision {shipped_revision()}, {documents} documents"
    assert line in capsys.readouterr().out.splitlines()
    gold = json.loads(out.read_text(encoding="utf-8"))["gold"]
    assert gold == {"source": "shipped", "revision": shipped_revision(), "documents": documents}


def test_score_names_a_gold_given_by_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gold = GOLDEN / "annotations"
    predictions = GOLDEN / "predictions.jsonl"
    assert main(["score", str(predictions), "--gold", str(gold), "--resamples", "0"]) == 0
    documents = len(load_gold(gold).documents)
    shown = capsys.readouterr()
    assert any(
        line.startswith(f"gold         {gold}, revision ") and line.endswith(f", {documents} documents")
        for line in shown.out.splitlines()
    )
    assert "warning" not in shown.err  # a gold named on the command line is never second-guessed


def test_run_takes_the_scoring_options(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, scores = tmp_path / "rules.jsonl", tmp_path / "rules.json"
    argv = ["run", "rules", "-o", str(out), "--json", str(scores), "--markdown"]
    assert main([*argv, "--resamples", "0", "--seed", "7", "--allow-missing"]) == 0
    shown = capsys.readouterr().out
    assert shown.startswith("| system |")  # the Markdown leaderboard row, not the table
    result = json.loads(scores.read_text(encoding="utf-8"))
    assert "|missing:empty|" in result["signature"] and result["signature"].endswith("resamples:0|seed:7")
    assert result["entities"]["strict"]["ci"] is None  # no resamples, no interval


def test_help_shows_the_defaults_and_points_to_the_readme() -> None:
    parser = build_parser()
    assert "README" in parser.format_help()
    commands = parser._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    for name in ("score", "compare", "run", "report"):
        text = " ".join(commands[name].format_help().split())
        assert "bootstrap resamples (default: 1000)" in text, name
        assert "bootstrap seed (default: 12345)" in text, name
    assert "(default: 120.0)" in " ".join(commands["run"].format_help().split())
    assert "(default: annotations)" in " ".join(commands["validate"].format_help().split())


def test_a_command_parsed_alone_has_the_help_and_defaults_it_has_among_all() -> None:
    """``main`` builds only the parser of the command it is given; that parser is the same one."""
    everything = build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    assert len(everything) == 12
    for name, full in everything.items():
        alone = build_parser(name)._subparsers._group_actions[0].choices  # type: ignore[union-attr]
        assert list(alone) == [name]
        assert alone[name].format_help() == full.format_help()
        assert alone[name].get_default("handler") is full.get_default("handler")


def test_compare_shows_a_task_only_one_side_attempted() -> None:
    gold = load_gold()
    only_entities = [{"doc_id": d.doc_id, "entities": []} for d in gold.documents]
    only_stance = [{"doc_id": d.doc_id, "stance": []} for d in gold.documents]
    comparison = compare(only_entities, only_stance, None, resamples=0).to_json()
    table = compare_table(comparison)
    rows = {line.split()[0]: line for line in table.splitlines() if line.startswith(("entities.", "stance."))}
    assert rows["entities.strict.f1"].endswith("A only") and rows["stance.tuple.f1"].endswith("B only")
    assert not any(line.startswith("figures.") for line in table.splitlines())
    assert "gold       shipped (" in table


def _checkout(tmp_path: Path, revision: str, documents: int) -> Path:
    root = tmp_path / "checkout"
    (root / DATA_DIR).mkdir(parents=True)
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    manifest = {"gold_revision": revision, "totals": {"documents": documents}}
    (root / DATA_DIR / DATA_MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    (root / "deep" / "er").mkdir(parents=True)
    return root


def test_a_checkout_whose_built_gold_differs_is_named(tmp_path: Path) -> None:
    root = _checkout(tmp_path, "0123456789ab", 6)
    built = checkout_gold(root / "deep" / "er")  # found from a folder inside the checkout too
    assert built is not None and (built.revision, built.documents) == ("0123456789ab", 6)
    warning = mismatch_warning("shipped", "8c7fa80ef4ed", 5, root / "deep")
    assert warning is not None and "\n" not in warning
    assert "revision 0123456789ab, 6 documents" in warning and "revision 8c7fa80ef4ed, 5 documents" in warning
    assert f"--gold {root}" in warning
    assert mismatch_warning("shipped", "0123456789ab", 6, root) is None  # the same gold: nothing to say


def test_no_warning_outside_a_checkout_or_with_an_unreadable_manifest(tmp_path: Path) -> None:
    assert mismatch_warning("shipped", "8c7fa80ef4ed", 5, tmp_path) is None
    root = _checkout(tmp_path, "0123456789ab", 6)
    (root / DATA_DIR / DATA_MANIFEST).write_text("{not json", encoding="utf-8")
    assert checkout_gold(root) is None


def test_the_shipped_command_in_an_extended_checkout_warns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _checkout(tmp_path, "0123456789ab", 6)
    monkeypatch.chdir(root)
    assert main(["score", str(RULES), "--resamples", "0"]) == 0
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith("warning: this checkout's built gold")
    assert f"(shipped: revision {shipped_revision()}" in err[0]


def test_gold_label() -> None:
    assert gold_label(None) == "shipped"
    assert gold_label(Path("a/b")) == str(Path("a/b"))
    assert gold_label(load_gold(GOLDEN / "annotations")) == "given in memory"


def test_a_python_without_a_dependency_gets_one_line_naming_it(tmp_path: Path) -> None:
    """``build --check`` (or any command) run by a Python that lacks a dependency: one line naming
    the module and how to install, exit 2, no traceback."""
    import subprocess
    import sys

    blocker = (
        "import sys, importlib.abc\n"
        "class Block(importlib.abc.MetaPathFinder):\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] == 'pyarrow':\n"
        "            raise ModuleNotFoundError(f'No module named {name!r}', name=name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "from nkru_bench.cli import main\n"
        "sys.exit(main(['build', '--check']))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", blocker], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("error: build: ") and "has no pyarrow" in line and "pip install" in line


def test_the_required_modules_are_the_dependencies_of_pyproject() -> None:
    import tomllib

    from nkru_bench.cli import REQUIRED_MODULES

    modules = {"scikit-learn": "sklearn", "pyyaml": "yaml"}
    wanted = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    names = {dependency.split(">")[0].split("=")[0].split("<")[0].strip() for dependency in wanted}
    assert {modules.get(name, name) for name in names} == REQUIRED_MODULES
