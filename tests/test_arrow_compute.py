"""``arrow_compute`` gives what ``pyarrow.compute`` gives, on the arrays scoring reads: sliced ones
(an offset into their buffers), nulls, null lists, text beyond ASCII."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from nkru_bench.scoring import arrow_compute

STRINGS = pa.array(["Pchjongjang", None, "Šojgu", "", "Kim Čong-un", "a\x01b", "Київ", "Pchjongjang"])
ENTITY = pa.struct([("start", pa.int64()), ("type", pa.string())])
LISTS = pa.array(
    [[{"start": 1, "type": "PER"}], None, [], [{"start": 2, "type": None}, {"start": 3, "type": "LOC"}]] * 3,
    type=pa.list_(ENTITY),
)


def _arrays(array: pa.Array) -> list[pa.Array]:
    return [array, array.slice(1), array.slice(2, len(array) - 3), array.slice(len(array))]


@pytest.mark.parametrize("lists", _arrays(LISTS))
def test_lists_flatten_and_parents_as_pyarrow_compute(lists: pa.Array) -> None:
    assert arrow_compute.list_flatten(lists).equals(pc.list_flatten(lists))
    assert arrow_compute.list_parent_indices(lists).equals(pc.list_parent_indices(lists))


@pytest.mark.parametrize("strings", _arrays(STRINGS))
def test_strings_as_pyarrow_compute(strings: pa.Array) -> None:
    assert arrow_compute.dictionary_encode(strings).equals(pc.dictionary_encode(strings))
    assert arrow_compute.utf8_length(strings).equals(pc.utf8_length(strings))
    pattern = "[\x00-\x1f]"
    matches = arrow_compute.match_substring_regex(strings, pattern)
    assert matches.equals(pc.match_substring_regex(strings, pattern))
    assert arrow_compute.any(matches).equals(pc.any(matches))


def test_the_control_character_is_found_and_lengths_count_code_points() -> None:
    """Not only equal to pyarrow.compute: the values themselves (so a wrong kernel cannot pass)."""
    found_array = arrow_compute.match_substring_regex(STRINGS, "[\x00-\x1f]")
    assert found_array.to_pylist() == [
        None if s is None else any(ord(c) < 32 for c in s) for s in STRINGS.to_pylist()
    ]
    before_it = arrow_compute.match_substring_regex(STRINGS.slice(0, 5), "[\x00-\x1f]")
    assert (arrow_compute.any(found_array).as_py(), arrow_compute.any(before_it).as_py()) == (True, False)
    assert arrow_compute.utf8_length(STRINGS).to_pylist() == [
        None if s is None else len(s) for s in STRINGS.to_pylist()
    ]
    encoded = arrow_compute.dictionary_encode(STRINGS)
    assert encoded.dictionary.to_pylist() == list(
        dict.fromkeys(s for s in STRINGS.to_pylist() if s is not None)
    )
