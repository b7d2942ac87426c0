"""``nkru-bench run llm`` end to end against a real OpenAI-compatible server: llama.cpp (llama-cpp-python).

The test writes a tiny random-weight llama model (``tiny_gguf``), starts llama-cpp-python's server on
127.0.0.1 and runs the system over the five articles through the command line. The server does not
take OpenAI's ``json_schema`` response format (it answers 422), so ``auto`` steps down to JSON mode
with the schema attached, which the server compiles into a grammar that constrains every token.

The model's output projection is zero, so every logit is 0 and greedy decoding picks the allowed
token with the lowest id; ``tiny_gguf.ORDER`` puts ``{``, ``"``, ``]``, ``}``, ``0``, ``,`` first, and
the byte tokens follow in byte order. Under each layer's grammar that gives, for every article:

- entities: one item, ``{"text": "", "type": "EVT", ...}`` (``"`` closes every string at once; ``E`` is
  the lowest first byte of PER/ORG/LOC/EVT/PRO): an empty mention is invalid, so ``entities: []``;
- figures: one item, ``{"text": "", "value": 0, "unit": "EUR", "qualifier": "approximately",
  "source_id": ""}``: kept without offsets (its text cannot be aligned: one unaligned figure);
- stance: one item with ``holder_id ""``: invalid, so ``stance: []``.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from tiny_gguf import write_tiny_llama

from nkru_bench.cli import main
from nkru_bench.gold.loading import load_gold

IDS = [doc.doc_id for doc in load_gold().documents]
START_TIMEOUT = 120.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    folder = tmp_path_factory.mktemp("llama")
    model = write_tiny_llama(folder / "tiny.gguf")
    port = _free_port()
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--model_alias", "tiny"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--n_ctx", "8192", "--n_threads", "2"]
    command += ["--chat_format", "chatml"]
    log = (folder / "server.log").open("wb")
    proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            with urllib.request.urlopen(f"{base_url}/models", timeout=2) as answer:
                if answer.status == 200:
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise AssertionError((folder / "server.log").read_text(errors="replace")[-2000:])
        time.sleep(0.5)
    yield base_url, proc
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    log.close()


def test_run_llm_against_llama_cpp_writes_and_scores_all_articles_then_reruns_from_the_cache(
    llama_server: tuple[str, subprocess.Popen[bytes]], tmp_path: Path, capsys
) -> None:
    base_url, proc = llama_server
    out, scores = tmp_path / "runs" / "tiny.jsonl", tmp_path / "scores.json"
    argv = ["run", "llm", "--model", "tiny", "--base-url", base_url, "-o", str(out), "--json", str(scores)]
    argv += ["--max-tokens", "400", "--concurrency", "2", "--request-timeout", "300", "--timeout", "0"]
    assert main(argv) == 0, capsys.readouterr().err
    err = capsys.readouterr().err

    predictions = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [p["doc_id"] for p in predictions] == IDS
    for prediction in predictions:
        assert prediction["entities"] == [] and prediction["stance"] == []
        assert prediction["figures"] == [{"value": 0.0, "unit": "EUR", "qualifier": "approximately"}]

    meta = json.loads((tmp_path / "runs" / "tiny.meta.json").read_text(encoding="utf-8"))
    assert meta["structured_output"] == {"requested": "auto", "used": "json_object"}
    # every layer of every article asked once in JSON mode, plus the json_schema request(s) rejected
    # (422) before the step down: at most one per worker
    assert 15 + 1 <= meta["requests"] <= 15 + 2 and meta["retries"] == 0
    assert meta["unaligned"]["count"] == 5
    assert meta["invalid"]["count"] == 10  # the empty entity and the empty stance holder of each article
    assert meta["usage"]["prompt_tokens"] > 0 and meta["usage"]["completion_tokens"] > 0
    assert meta["prompt_version"].startswith("v1+")

    result = json.loads(scores.read_text(encoding="utf-8"))
    assert result["signature"].endswith(meta["signature"])
    assert f"prompt:{meta['prompt_version']}" in result["signature"]
    # five figures of value 0, none in the gold: precision and recall of figures are 0
    counts = result["figures"]["value_unit"]["counts"]
    assert (counts["predicted"], counts["correct"]) == (5, 0)
    assert result["figures"]["value_unit"]["f1"] == 0.0
    assert "5 unaligned, 10 invalid item(s)" in err
    assert f"  unaligned {IDS[0]} figures: ''" in err.splitlines()
    assert (
        f"  invalid {IDS[0]} entities item 1: text: String should have at least 1 character"
        in err.splitlines()
    )

    # The server goes away: the second run is served from the cache, with no request at all.
    proc.terminate()
    proc.wait(timeout=10)
    first = out.read_bytes()
    assert main([*argv, "--overwrite"]) == 0, capsys.readouterr().err
    again = json.loads((tmp_path / "runs" / "tiny.meta.json").read_text(encoding="utf-8"))
    assert again["requests"] == 0 and again["cache_hits"] == 15
    assert again["usage"]["prompt_tokens"] == 0
    assert again["usage_from_cache"]["prompt_tokens"] == meta["usage"]["prompt_tokens"]
    assert out.read_bytes() == first
