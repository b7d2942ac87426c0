"""``tables.Codes.of_strings`` (strings looked up by Arrow among those seen before) gives every
string the code ``Codes.__call__`` gives it, one name at a time, whatever the order of the arrays,
their sizes (both sides of the size where Arrow is used), strings seen in Python first, or types."""

from __future__ import annotations

import random

import numpy as np
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from nkru_bench.scoring.arrow_compute import index_in
from nkru_bench.scoring.tables import Codes

WORDS = [f"w{i}-ž" for i in range(400)]


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 2**32))
def test_codes_of_arrow_strings_are_those_of_one_name_at_a_time(seed: int) -> None:
    rnd = random.Random(seed)
    fast, slow = Codes(), Codes()
    for _ in range(rnd.randint(1, 12)):
        if rnd.random() < 0.2:  # a name coded from Python (a line read one at a time, the KB)
            name = rnd.choice(WORDS)
            assert fast(name) == slow(name)
            continue
        names = rnd.sample(WORDS, rnd.choice([1, 10, 63, 64, 100, 400]))  # distinct, as a dictionary is
        kind = rnd.choice([pa.string(), pa.string(), pa.large_string()])
        array = pa.array(["pad", *names], type=kind).slice(1) if rnd.random() < 0.5 else pa.array(names, kind)
        assert fast.of_strings(array).tolist() == [slow(name) for name in names]
    assert fast.names == slow.names


def test_arrow_is_used_once_strings_are_known() -> None:
    """Past the first array, the names already known are looked up by Arrow (the array it keeps
    holds them), and the codes stay those of one name at a time."""
    codes = Codes()
    first = pa.array(WORDS[:200])
    codes.of_strings(first)
    again = pa.array(WORDS[100:300])
    assert codes.of_strings(again).tolist() == list(range(100, 300))
    assert codes._known is not None and len(codes._known) == 200
    looked_up = np.array(index_in(pa.array(WORDS[100:300]), codes._known).to_pylist()[:100])
    assert looked_up.tolist() == list(range(100, 200))
