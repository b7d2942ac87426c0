"""The LLM system against a scripted OpenAI-compatible server on loopback: each fault fails only its document.

The server answers every question from the gold of the document in the prompt, except where the
script puts a fault: rate limiting, a server error that passes on retry, a hang past the request
timeout, a truncated JSON answer, a body that is not JSON, a server that goes away mid-run.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest
from scripted_server import Action, ScriptedServer, completion, error

from nkru_bench.cli import main
from nkru_bench.gold.loading import load_gold
from nkru_bench.systems.llm.client import Settings
from nkru_bench.systems.llm.system import LlmSystem
from nkru_bench.systems.protocol import document_dict
from nkru_bench.systems.runner import run

GOLD = load_gold()
DOCS = [document_dict(doc) for doc in GOLD.documents]
IDS = [doc["doc_id"] for doc in DOCS]


def which(body: dict[str, Any]) -> tuple[int, str]:
    """(index of the document, layer) that a request asks about."""
    prompt = body["messages"][-1]["content"]
    index = next(i for i, doc in enumerate(DOCS) if doc["text"] in prompt)
    for layer, words in (("entities", "named-entity"), ("figures", "every figure"), ("stance", "positions")):
        if words in prompt:
            return index, layer
    raise AssertionError("no layer in the prompt")


def gold_answer(index: int, layer: str) -> str:
    doc = GOLD.documents[index]
    if layer == "entities":
        items = [e.model_dump(include={"text", "type", "lemma", "entity_id"}) for e in doc.entities]
    elif layer == "figures":
        items = [
            f.model_dump(include={"text", "value", "unit", "qualifier", "source_id"}) for f in doc.figures
        ]
    else:
        items = [s.model_dump(include={"holder_id", "target", "label"}) for s in doc.stance]
    return json.dumps({layer: items}, ensure_ascii=False)


def test_each_fault_fails_only_its_document_and_a_rerun_asks_only_what_failed(tmp_path: Path, capsys) -> None:
    seen: dict[tuple[int, str], int] = {}
    lock = threading.Lock()

    def script(body: dict[str, Any], number: int) -> Action:
        index, layer = which(body)
        with lock:
            seen[index, layer] = attempt = seen.get((index, layer), 0) + 1
        if index == 0 and layer == "entities":
            return Action(429, {"error": {"message": "rate limited"}}, headers={"retry-after": "0"})
        if index == 1 and attempt == 1:
            return error(503, "overloaded, try again")
        if index == 2 and layer == "figures":
            return Action(200, completion(gold_answer(index, layer)), delay=5.0)  # past --request-timeout
        if index == 3 and layer == "stance":
            return Action(200, completion(gold_answer(index, layer)[:40], finish_reason="length"))
        content = gold_answer(index, layer)
        if index == 4 and layer == "entities":  # the validated fallback: a fence and prose around the JSON
            content = f"```json\n{content}\n```\nThese are all the mentions."
        return Action(200, completion(content, prompt_tokens=100, completion_tokens=10))

    out = tmp_path / "runs" / "llm.jsonl"
    options = ["--retries", "2", "--backoff", "0.01", "--request-timeout", "2", "--concurrency", "3"]
    with ScriptedServer(script) as server:
        argv = ["run", "llm", "--model", "scripted", "--base-url", server.base_url, "-o", str(out), *options]
        assert main(argv) == 1
        captured = capsys.readouterr()
        first_requests = len(server.requests)

        predicted = [json.loads(line)["doc_id"] for line in out.read_text(encoding="utf-8").splitlines()]
        assert predicted == [IDS[1], IDS[4]]
        assert f"{IDS[0]}: LlmFailure: entities: HTTP 429 after 3 attempt(s)" in captured.err
        assert f"{IDS[2]}: LlmFailure: figures: APITimeoutError after 3 attempt(s)" in captured.err
        assert f"{IDS[3]}: LlmFailure: stance: the answer is not valid JSON" in captured.err
        assert "cut off at the token limit (finish_reason=length)" in captured.err
        assert "missing:empty" in captured.out  # the failed documents are scored as predicting nothing

        meta = json.loads((tmp_path / "runs" / "llm.meta.json").read_text(encoding="utf-8"))
        # 3 retried 429s on doc 0, 3 timeouts on doc 2, one 503 per layer of doc 1: 2 + 2 + 3 retries
        assert meta["retries"] == 7
        assert meta["requests"] == first_requests == 15 + 7
        assert meta["structured_output"] == {"requested": "auto", "used": "json_schema"}
        assert meta["cache_hits"] == 0
        # usage counts the answers that came back: 15 layers - doc 0 entities (429) - doc 2 figures
        # (timed out) - doc 1's three 503s carry no usage; the truncated answer of doc 3 did come back
        assert meta["usage"]["prompt_tokens"] == 100 * 12 + 10 * 1

        # a rerun (replacing the output, as run requires): every answer that passed its check comes from
        # the cache; only the 3 failed layers are asked
        assert main([*argv, "--overwrite"]) == 1
        rerun = json.loads((tmp_path / "runs" / "llm.meta.json").read_text(encoding="utf-8"))
        assert rerun["cache_hits"] == 15 - 3
        asked = [which(body) for body in server.requests[first_requests:]]
        assert sorted(set(asked)) == [(0, "entities"), (2, "figures"), (3, "stance")]


def test_a_server_that_dies_mid_run_fails_the_documents_after_it(tmp_path: Path) -> None:
    holder: dict[str, ScriptedServer] = {}

    def script(body: dict[str, Any], number: int) -> Action:
        if number <= 6:  # documents 0 and 1, three layers each, in order (one request at a time)
            return Action(200, completion(gold_answer(*which(body))))
        threading.Thread(target=holder["server"].stop, daemon=True).start()
        return Action(close=True)

    with ScriptedServer(script) as server:
        holder["server"] = server
        settings = Settings(model="m", base_url=server.base_url, retries=1, backoff=0.01, concurrency=1)
        system = LlmSystem(settings)
        system.prefetch(DOCS)
        report = run(system, DOCS, tmp_path / "p.jsonl", progress=None)
        system.close()
    assert report.predicted == (IDS[0], IDS[1])
    assert [failure.doc_id for failure in report.failures] == IDS[2:]
    assert all("APIConnectionError after 2 attempt(s)" in failure.error for failure in report.failures)


@pytest.mark.parametrize(
    ("action", "message"),
    [
        (Action(200, b"<html>502 Bad Gateway</html>"), "the answer is not a chat completion"),
        (Action(200, completion('{"stance": [{"holder_id": "GPE-Russia", "target": ')), "not valid JSON"),
        (Action(200, completion('{"answer": "none"}')), 'expected a JSON object {"stance": [...]}'),
        (error(401, "invalid api key"), "HTTP 401: Error code: 401"),
    ],
)
def test_answers_that_cannot_be_used_fail_the_document_at_once(action: Action, message: str) -> None:
    with ScriptedServer(lambda body, number: action) as server:
        settings = Settings(model="m", base_url=server.base_url, retries=3, backoff=0.01)
        system = LlmSystem(settings, layers=("stance",))
        with pytest.raises(Exception, match=message.replace("[", r"\[").replace("{", r"\{")):
            system(DOCS[0])
        system.close()
        assert len(server.requests) == 1  # not retried: the same request would get the same answer


@pytest.mark.parametrize("status", [400, 422, 500])  # llama-cpp-python's server answers 500
def test_a_server_without_json_schema_support_gets_json_mode_with_the_schema(status: int) -> None:
    def script(body: dict[str, Any], number: int) -> Action:
        if body.get("response_format", {}).get("type") == "json_schema":
            return error(status, "response_format.type: Input should be 'text' or 'json_object'")
        return Action(200, completion(gold_answer(*which(body))))

    with ScriptedServer(script) as server:
        system = LlmSystem(Settings(model="m", base_url=server.base_url, concurrency=1), layers=("figures",))
        prediction = system(DOCS[4])
        system.close()
        formats = [body.get("response_format", {}) for body in server.requests]
    assert [f["type"] for f in formats] == ["json_schema", "json_object"]  # no retry of the rejected form
    assert formats[1]["schema"]["required"] == ["figures"]  # the schema rides along for the server's grammar
    assert "JSON schema" in server.requests[1]["messages"][-1]["content"]  # and is in the prompt
    assert system.metadata()["structured_output"]["used"] == "json_object"
    gold_values = sorted(f.value for f in GOLD.documents[4].figures)
    assert sorted(f["value"] for f in prediction["figures"]) == gold_values
