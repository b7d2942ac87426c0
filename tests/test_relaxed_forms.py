"""The relaxed measure's surface forms (``relaxed._form_codes``) cut from the texts' UTF-8 bytes with
array operations equal the forms Python makes from ``str`` slices (``matching.bsnlp_form``): same
form, same code; different form, different code. Texts with one- to four-byte characters, white
space of every kind, in several Arrow chunks, some of them slices of a larger array. And the forms made
of many strings at once (``relaxed._bsnlp_forms``) equal ``bsnlp_form`` of each."""

from __future__ import annotations

import sys

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nkru_bench.scoring.matching import bsnlp_form
from nkru_bench.scoring.relaxed import _WHITE_SPACE, _bsnlp_forms, _form_codes

# ASCII, Czech/Polish/Slovenian letters (two bytes), CJK (three), emoji (four), the white space that
# str.split() knows beyond ASCII, and letters whose lower case is longer (İ) or contextual (Σ)
# and control characters: some are white space to str.split (\x0b, \x1c, \x1f), all of them are
# stripped by Java's trim at either end (\x01, \x08 too)
ALPHABET = "aZ .,Kim\tčŠłŻžĆ\u00a0\u2003\u3000평양\U0001f600\u0130\u03a3\n\x01\x08\x0b\x1c\x1f'\u0301"
texts = st.lists(st.text(alphabet=ALPHABET, min_size=1, max_size=40), min_size=1, max_size=8)


class Table:
    """What ``_form_codes`` reads of a ``GoldTable``: the texts as Arrow chunks."""

    def __init__(self, chunks: list[list[str]], sliced: bool) -> None:
        arrays, starts, row = [], [], 0
        for chunk in chunks:
            array = pa.array(["pad", *chunk, "pad"], type=pa.string())
            arrays.append(array.slice(1, len(chunk)) if sliced else pa.array(chunk, type=pa.string()))
            starts.append(row)
            row += len(chunk)
        self.texts, self.text_starts = tuple(arrays), tuple(starts)
        self.doc_ids = tuple(range(row))


@settings(max_examples=150, deadline=None)
@given(st.lists(texts, min_size=1, max_size=4), st.booleans(), st.randoms(use_true_random=False))
def test_forms_cut_from_bytes_equal_python_slices(chunks: list[list[str]], sliced: bool, rnd) -> None:
    table = Table(chunks, sliced)
    every = [text for chunk in chunks for text in chunk]
    spans = []
    for _ in range(rnd.randint(0, 30)):
        doc = rnd.randrange(len(every))
        start = rnd.randrange(len(every[doc]))
        spans.append((doc, start, rnd.randint(start + 1, len(every[doc]))))
    half = len(spans) // 2  # two parts, as the gold's spans and the predictions'; the first in order
    spans[:half] = sorted(spans[:half])
    doc, start, end = (np.array([s[i] for s in spans], dtype=np.int64) for i in range(3))
    parts = [(doc[:half], start[:half], end[:half]), (doc[half:], start[half:], end[half:])]
    codes, n_forms = _form_codes(table, parts)
    codes = np.concatenate(codes)
    forms = [bsnlp_form(every[d][a:b]) for d, a, b in spans]
    assert n_forms == len(set(forms))
    by_form: dict[str, int] = {}
    for form, code in zip(forms, codes.tolist(), strict=True):
        assert by_form.setdefault(form, code) == code  # one form, one code
    assert len(set(by_form.values())) == len(by_form)  # different forms, different codes


def test_white_space_pattern_is_what_str_split_splits_on() -> None:
    """``_bsnlp_forms`` collapses ``\\s+`` where the definition splits with ``str.split()``: the two
    must agree on every code point."""
    every = map(chr, range(sys.maxunicode + 1))
    differ = [c for c in every if bool(_WHITE_SPACE.fullmatch(c)) != c.isspace()]
    assert differ == []


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=ALPHABET, max_size=30), min_size=1, max_size=30))
def test_forms_of_many_strings_equal_each_form(strings: list[str]) -> None:
    forms = _bsnlp_forms(pa.array(strings, type=pa.string())).to_pylist()
    assert forms == [bsnlp_form(s) for s in strings]


@pytest.mark.parametrize(
    "strings",
    [
        ["ΣΑΣ", "ΟΔΟΣ Σ", "Σ", "aΣ", "Σa", "aΣ'", "\u0130stanbul", "  Kim \x01", "\x1c\x1fa\x1c b\x0b", ""],
        ["a\x00b", " Kim\x00 ", "ΣΑΣ"],  # a NUL: the definition, string by string
    ],
)
def test_forms_of_hard_strings(strings: list[str]) -> None:
    array = pa.array(["pad", *strings], type=pa.string()).slice(1)  # a slice: its offsets do not start at 0
    assert _bsnlp_forms(array).to_pylist() == [bsnlp_form(s) for s in strings]
