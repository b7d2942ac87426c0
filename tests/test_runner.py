"""Running a system: resolving SYSTEM, the JSONL command protocol, failures per document, resume.

The documents come straight from the seeds, so these tests do not depend on the state of the gold.
A "system" here is a small script or module written into ``tmp_path``; each misbehaves on purpose
on some documents (crash, hang, garbage, a bad prediction) and the others must still be written.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from nkru_bench.cli import main
from nkru_bench.common.errors import InputError
from nkru_bench.scoring.predictions import Prediction
from nkru_bench.systems.command import CommandExtractor
from nkru_bench.systems.protocol import ExtractionFailed
from nkru_bench.systems.resolve import documents_from_seeds, resolve_system
from nkru_bench.systems.runner import read_partial, run, to_prediction

ROOT = Path(__file__).resolve().parent.parent
DOCS = documents_from_seeds(ROOT / "seeds")
IDS = [doc["doc_id"] for doc in DOCS]

# One script, told by its argument how to misbehave on which document (by position in DOCS).
MISBEHAVING = """
import json, sys, time
plan = json.loads(sys.argv[1])
for line in sys.stdin:
    doc = json.loads(line)
    what = plan.get(doc["doc_id"], "ok")
    if what == "crash":
        print("boom: cannot handle " + doc["doc_id"], file=sys.stderr, flush=True)
        sys.exit(3)
    if what == "hang":
        time.sleep(60)
    if what == "garbage":
        print("Traceback (most recent call last): this is not JSON", flush=True)
        continue
    if what == "bad":
        entity = {"start": 0, "end": 1, "type": "PERSON"}
        print(json.dumps({"doc_id": doc["doc_id"], "entities": [entity]}), flush=True)
        continue
    if what == "other_doc":
        print(json.dumps({"doc_id": "nope", "entities": []}), flush=True)
        continue
    if what == "slow":
        time.sleep(30)
    print(json.dumps({"doc_id": doc["doc_id"], "entities": [], "figures": []}), flush=True)
"""


def script(tmp_path: Path, plan: dict[str, str]) -> str:
    path = tmp_path / "system.py"
    path.write_text(MISBEHAVING, encoding="utf-8")
    return f"{shlex.quote(sys.executable)} {shlex.quote(str(path))} {shlex.quote(json.dumps(plan))}"


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_documents_from_the_seeds_drop_the_date_header() -> None:
    assert len(DOCS) == 5
    assert sorted(DOCS[0]) == ["date", "doc_id", "lang", "text", "title"]
    assert DOCS[0]["date"] == "2024-10"
    assert not DOCS[0]["text"].startswith(" date")
    assert {doc["lang"] for doc in DOCS} == {"cs", "pl", "sl"}


def test_the_node_example_speaks_the_protocol(tmp_path: Path) -> None:
    out = tmp_path / "node.jsonl"
    report = run(CommandExtractor(f"node {ROOT / 'examples' / 'extractor.js'}"), DOCS, out, progress=None)
    assert report.failures == () and report.predicted == tuple(IDS)
    rows = lines(out)
    assert [row["doc_id"] for row in rows] == IDS
    texts = {doc["doc_id"]: doc["text"] for doc in DOCS}
    found = [
        (texts[row["doc_id"]][e["start"] : e["end"]], e["entity_id"]) for row in rows for e in row["entities"]
    ]
    assert ("NATO", "ORG-NATO") in found and ("AFP", "ORG-AFP") in found
    assert all(f"ORG-{text}" == entity_id for text, entity_id in found)


def test_a_command_that_crashes_hangs_or_prints_garbage_fails_only_those_documents(tmp_path: Path) -> None:
    plan = {IDS[1]: "crash", IDS[2]: "hang", IDS[3]: "garbage"}
    out = tmp_path / "pred.jsonl"
    started = time.monotonic()
    report = run(CommandExtractor(script(tmp_path, plan)), DOCS, out, timeout=1.5, progress=None)
    assert time.monotonic() - started < 20
    assert [row["doc_id"] for row in lines(out)] == [IDS[0], IDS[4]]
    errors = {failure.doc_id: failure.error for failure in report.failures}
    assert list(errors) == [IDS[1], IDS[2], IDS[3]]
    assert "exited with status 3" in errors[IDS[1]] and "boom: cannot handle" in errors[IDS[1]]
    assert "timed out" in errors[IDS[2]]
    assert "not a JSON object" in errors[IDS[3]] and "Traceback" in errors[IDS[3]]


def test_a_bad_prediction_or_one_for_another_document_is_a_failure(tmp_path: Path) -> None:
    plan = {IDS[0]: "bad", IDS[1]: "other_doc"}
    out = tmp_path / "pred.jsonl"
    report = run(CommandExtractor(script(tmp_path, plan)), DOCS, out, progress=None)
    errors = {failure.doc_id: failure.error for failure in report.failures}
    assert "field 'entities.0.type'" in errors[IDS[0]]
    assert "'nope'" in errors[IDS[1]]
    assert [row["doc_id"] for row in lines(out)] == IDS[2:]


def test_python_extractors_by_module_attr_function_or_class(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "my_system.py").write_text(
        textwrap.dedent(
            """
            def extract(doc):
                return {"stance": []}

            class Extractor:
                def __init__(self):
                    self.seen = 0

                def __call__(self, doc):
                    self.seen += 1
                    if doc["lang"] == "sl":
                        raise ValueError("no Slovene today")
                    return {"doc_id": doc["doc_id"], "entities": []}
            """
        ),
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    name, extract = resolve_system("my_system:extract")
    assert name == "my_system.extract"
    report = run(extract, DOCS, tmp_path / "a.jsonl", progress=None)
    assert report.failures == ()
    assert lines(tmp_path / "a.jsonl") == [{"doc_id": doc_id, "stance": []} for doc_id in IDS]
    _, instance = resolve_system("my_system:Extractor")
    report = run(instance, DOCS, tmp_path / "b.jsonl", progress=None)
    assert [(f.doc_id, f.error.split(" (at ")[0]) for f in report.failures] == [
        (IDS[4], "ValueError: no Slovene today")
    ]
    assert "my_system.py:" in report.failures[0].error


def test_a_python_extractor_that_hangs_times_out() -> None:
    def extract(doc: dict[str, Any]) -> dict[str, Any]:
        if doc["doc_id"] == IDS[0]:
            time.sleep(5)
        return {}

    with pytest.raises(ExtractionFailed, match="timed out"):
        from nkru_bench.systems.protocol import call_in_thread

        call_in_thread(extract, DOCS[0], 0.2)


@pytest.mark.parametrize(
    ("system", "message"),
    [
        ("nonsense", "unknown system"),
        ("no_such_module_xyz:f", "cannot import module 'no_such_module_xyz'"),
        ("json:no_such_attr", "has no attribute 'no_such_attr'"),
        ("json:__name__", "not a callable extractor"),
    ],
)
def test_a_system_that_cannot_be_resolved_is_an_input_error(system: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        resolve_system(system)


def test_system_and_cmd_are_exclusive() -> None:
    with pytest.raises(InputError, match="either SYSTEM or --cmd"):
        resolve_system("rules", "cat")
    with pytest.raises(InputError, match="either SYSTEM or --cmd"):
        resolve_system(None, None)


@pytest.mark.parametrize(
    ("result", "message"),
    [
        ([], "returned list"),
        ({"entities": [{"start": 0}]}, "field 'entities.0.end'"),
        ({"unknown": 1}, "field 'unknown'"),
        (Prediction(doc_id="other"), "doc_id 'other'"),
    ],
)
def test_what_is_not_a_prediction_is_said_in_one_line(result: Any, message: str) -> None:
    with pytest.raises(ExtractionFailed, match=message) as caught:
        to_prediction(result, {"doc_id": "doc", "text": "a short text"})
    assert "\n" not in str(caught.value)


def test_resume_keeps_complete_lines_and_redoes_a_truncated_one(tmp_path: Path) -> None:
    out = tmp_path / "pred.jsonl"
    complete = "".join(json.dumps({"doc_id": doc_id, "entities": []}) + "\n" for doc_id in IDS[:2])
    out.write_text(complete + '{"doc_id": "' + IDS[2] + '", "entit', encoding="utf-8")
    called: list[str] = []

    def extract(doc: dict[str, Any]) -> dict[str, Any]:
        called.append(doc["doc_id"])
        return {"entities": []}

    report = run(extract, DOCS, out, resume=True, progress=None)
    assert called == IDS[2:]
    assert report.resumed == tuple(IDS[:2]) and report.predicted == tuple(IDS[2:])
    assert [row["doc_id"] for row in lines(out)] == IDS


def test_resume_refuses_a_file_it_cannot_trust(tmp_path: Path) -> None:
    out = tmp_path / "pred.jsonl"
    out.write_text(f'{{"doc_id": "{IDS[0]}"}}\nnot json\n{{"doc_id": "elsewhere"}}\n', encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_partial(out, DOCS)
    shown = [str(problem) for problem in caught.value.problems]
    assert shown[0].startswith(f"{out}:2:") and "not valid JSON" in shown[0]
    assert shown[1].startswith(f"{out}:3: field 'doc_id':")


def test_without_resume_an_existing_output_is_refused_or_overwritten(tmp_path: Path) -> None:
    out = tmp_path / "pred.jsonl"
    out.write_text("old content\n", encoding="utf-8")
    with pytest.raises(InputError, match="--overwrite"):
        run(lambda doc: {}, DOCS[:1], out, progress=None)
    assert out.read_text(encoding="utf-8") == "old content\n"
    run(lambda doc: {}, DOCS[:1], out, overwrite=True, progress=None)
    assert lines(out) == [{"doc_id": IDS[0]}]


def test_ctrl_c_keeps_what_was_written_and_resume_finishes(tmp_path: Path) -> None:
    out = tmp_path / "pred.jsonl"
    command = script(tmp_path, {IDS[2]: "slow"})
    argv = [sys.executable, "-m", "nkru_bench", "run", "--cmd", command, "-o", str(out), "--no-score"]
    # A suite started in the background (``pytest &``) ignores SIGINT, and a child inherits that: give
    # it the default disposition back, so that Python turns SIGINT into KeyboardInterrupt as at a terminal.
    proc = subprocess.Popen(
        argv,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and (not out.exists() or out.read_text().count("\n") < 2):
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=20)
    assert proc.returncode == 130, stderr
    assert "--resume" in stderr and "Traceback" not in stderr
    assert [row["doc_id"] for row in lines(out)] == IDS[:2]
    report = run(CommandExtractor(script(tmp_path, {})), DOCS, out, resume=True, progress=None)
    assert report.resumed == tuple(IDS[:2]) and report.failures == ()
    assert [row["doc_id"] for row in lines(out)] == IDS


def test_progress_names_each_document(tmp_path: Path) -> None:
    import io

    progress = io.StringIO()
    run(lambda doc: {}, DOCS, tmp_path / "p.jsonl", progress=progress)
    shown = progress.getvalue().splitlines()
    assert [line.split()[0] for line in shown[:-1]] == [f"[{i}/5]" for i in range(1, 6)]
    assert all("elapsed" in line for line in shown[:-1])
    assert shown[-1].startswith("done in") and shown[-1].endswith("5 predicted, 0 failed, 0 resumed")


def test_no_process_is_left_behind(tmp_path: Path) -> None:
    marker = tmp_path / "pid"
    command = f"echo $$ > {shlex.quote(str(marker))}; exec {script(tmp_path, {IDS[0]: 'hang'})}"
    run(CommandExtractor(command), DOCS[:1], tmp_path / "p.jsonl", timeout=0.5, progress=None)
    pid = int(marker.read_text())
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


# --- the command line ---------------------------------------------------------------------------


def test_run_rules_prints_scores_for_all_three_layers_with_intervals(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, scores = tmp_path / "rules.jsonl", tmp_path / "rules.json"
    assert main(["run", "rules", "-o", str(out), "--json", str(scores)]) == 0
    shown = capsys.readouterr()
    for task in ("entities", "figures", "stance"):
        assert re.search(rf"^{task} .*95% CI", shown.out, re.MULTILINE), task
    assert "[5/5]" in shown.err and f"predictions: {out}" in shown.err
    result = json.loads(scores.read_text(encoding="utf-8"))
    assert result["tasks"]["attempted"] == ["entities", "figures", "stance"]
    assert len(result["entities"]["strict"]["ci"]) == 2 and "missing:error" in result["signature"]


def test_run_scores_the_other_documents_when_one_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "pred.jsonl"
    status = main(["run", "--cmd", script(tmp_path, {IDS[1]: "crash"}), "-o", str(out)])
    shown = capsys.readouterr()
    assert status == 1
    assert f"{IDS[1]}: the command exited with status 3" in shown.err
    assert "1 document(s) failed" in shown.err and "--resume" in shown.err
    assert "missing" in shown.out and IDS[1] in shown.out  # scored as predicting nothing
    assert [row["doc_id"] for row in lines(out)] == [IDS[0], *IDS[2:]]


def test_run_where_every_document_fails_does_not_score(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = {doc_id: "garbage" for doc_id in IDS}
    assert main(["run", "--cmd", script(tmp_path, plan), "-o", str(tmp_path / "p.jsonl")]) == 1
    shown = capsys.readouterr()
    assert shown.out == "" and "5 document(s) failed" in shown.err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["run", "nonsense"], "error: nonsense: unknown system"),
        (["run"], "give either SYSTEM or --cmd"),
        (["run", "spacy-cs"], "pip install 'nkru-bench[spacy]'"),
    ],
)
def test_run_with_a_system_that_cannot_run_is_one_line_and_exit_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "spacy", None)  # as if the optional extra were not installed
    assert main(argv) == 2
    shown = capsys.readouterr().err
    assert message in shown and "Traceback" not in shown and len(shown.splitlines()) == 1


def test_run_an_external_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    command = f"node {shlex.quote(str(ROOT / 'examples' / 'extractor.js'))}"
    assert main(["run", "--cmd", command, "-o", str(tmp_path / "node.jsonl")]) == 0
    shown = capsys.readouterr().out
    assert re.search(r"^entities .*95% CI", shown, re.MULTILINE)
    assert "not attempted figures, stance" in shown
