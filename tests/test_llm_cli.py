"""``run llm`` options and the response cache, without a server or the optional dependencies."""

from __future__ import annotations

from pathlib import Path

import pytest

from nkru_bench.cli import main
from nkru_bench.systems.llm.cache import ResponseCache, cache_key


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["run", "llm"], "error: run llm: field '--model': give the model: nkru-bench run llm --model NAME"),
        (["run", "llm", "--model", "m", "--layers", "entities,gists"], "field '--layers': expected a comma"),
        (["preannotate", "000_ad50d04fe0c25486", "--system", "llm"], "runs from the command line"),
    ],
)
def test_bad_llm_options_are_one_line_errors_with_status_2(argv: list[str], message: str, capsys) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("option", [["--concurrency", "0"], ["--max-tokens", "-1"], ["--structured", "xml"]])
def test_out_of_range_llm_numbers_are_refused_by_the_parser(option: list[str], capsys) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["run", "llm", "--model", "m", *option])
    assert stop.value.code == 2
    assert option[0] in capsys.readouterr().err


def test_the_cache_keeps_an_entry_per_key_and_ignores_a_damaged_one(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path / "cache")
    fields = {"endpoint": "http://127.0.0.1:1/v1/", "model": "m", "params": {"temperature": 0.0, "seed": 0}}
    key = cache_key(fields)
    assert key == cache_key(dict(reversed(fields.items())))  # order of the fields does not matter
    assert key != cache_key({**fields, "params": {"temperature": 0.0, "seed": 1}})
    assert cache.get(key) is None
    cache.put(key, {"content": '{"stance": []}'})
    assert cache.get(key) == {"content": '{"stance": []}', "key": key}
    assert [p.name for p in (tmp_path / "cache").rglob("*")] == [key[:2], f"{key}.json"]  # no temporary left
    (tmp_path / "cache" / key[:2] / f"{key}.json").write_text('{"content": "trunc', encoding="utf-8")
    assert cache.get(key) is None
    assert ResponseCache(None).get(key) is None
