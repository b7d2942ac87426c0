"""The alignment rule of the LLM system: quoted mention strings to offsets (nkru_bench.systems.llm.align)."""

from __future__ import annotations

import itertools

from nkru_bench.systems.llm.align import align

TEXT = "Kim Čong-un a Putin. Putin řekl, že KLDR (Severní Korea) a Rusko...  Putinova vláda; Putin."


def test_a_repeated_name_takes_its_next_occurrence_in_reading_order() -> None:
    spans = align(TEXT, ["Putin", "Putin", "Putin"]).spans
    starts = [i for i in range(len(TEXT)) if TEXT.startswith("Putin", i)]
    # "Putinova" is not a match (a letter follows), so the three are the 1st, 2nd and 4th occurrence
    assert [s[0] for s in spans] == [starts[0], starts[1], starts[3]]
    assert all(TEXT[a:b] == "Putin" for a, b in spans)


def test_a_name_listed_out_of_order_falls_back_to_the_first_free_occurrence() -> None:
    spans = align(TEXT, ["Rusko", "Kim Čong-un"]).spans
    assert TEXT[slice(*spans[0])] == "Rusko"
    assert spans[1] == (0, len("Kim Čong-un"))


def test_whitespace_and_case_are_matched_loosely_only_when_the_exact_string_is_absent() -> None:
    spans = align(TEXT, ["severní  korea", "Severní Korea"]).spans
    assert TEXT[slice(*spans[0])] == "Severní Korea"
    assert spans[1] is None  # the only occurrence is taken: a second listing cannot reuse it


def test_strings_that_are_not_in_the_text_or_empty_are_unaligned_and_counted() -> None:
    alignment = align(TEXT, ["Atlantis", "", "Putin", "utin", "  "])
    assert alignment.unaligned == (0, 1, 3, 4)  # "utin" is inside a word everywhere
    assert TEXT[slice(*alignment.spans[2])] == "Putin"


def test_no_two_spans_overlap_and_the_result_is_deterministic() -> None:
    mentions = ["Severní Korea", "Korea", "KLDR", "Putin", "Putinova"]
    first = align(TEXT, mentions)
    assert first == align(TEXT, mentions)
    placed = sorted(span for span in first.spans if span is not None)
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(placed))
    assert first.spans[1] is None  # "Korea" occurs only inside "Severní Korea", already placed
    assert TEXT[slice(*first.spans[4])] == "Putinova"
