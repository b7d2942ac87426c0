import pytest

from nkru_bench.gold.numbers import find_numbers, parse_number, values_agree


@pytest.mark.parametrize(
    ("surface", "value"),
    [
        ("12 000", 12_000),  # space groups thousands (cs)
        ("12\u00a0000", 12_000),  # no-break space too
        ("10.000", 10_000),  # a dot followed by three digits groups thousands (sl)
        ("1500", 1_500),
        ("1,6 mln", 1_600_000),  # comma is the decimal mark; mln = million (pl)
        ("12 tys.", 12_000),  # tys. = thousand (pl)
        ("3 tis.", 3_000),  # tis. = thousand (cs)
        ("40 mld", 40e9),  # mld = billion (10^9)
        ("40 mld euro", 40e9),  # a currency word belongs to the expression, not to the value
        ("99 proc.", 99),  # so does a percent word
        ("5 %", 5),
        ("tisoče", 1_000),  # a bare plural magnitude is one unit of it ("thousands", vague)
        ("tisíce", 1_000),
        ("tysiące", 1_000),
        ("več milijonov", 1_000_000),  # "several million"
        ("trzykrotnie", 3),  # a multiplier
        ("třikrát", 3),
        ("dwóch", 2),  # a spelled-out cardinal
    ],
)
def test_parse_number_reads_the_value(surface: str, value: float) -> None:
    assert parse_number(surface) == pytest.approx(value)


@pytest.mark.parametrize("surface", ["", "Putin", "1. listopadu", "12 000 vojáků", "1,6,7", "mln"])
def test_parse_number_refuses_what_is_not_a_number_expression(surface: str) -> None:
    assert parse_number(surface) is None


def test_find_numbers_keeps_magnitude_and_unit_words_with_the_numeral() -> None:
    text = "około 1,6 mln pocisków, ponad 99 proc. wsparcia i 40 mld euro; liczba trzykrotnie wyższa"
    assert [(m.text, m.value) for m in find_numbers(text)] == [
        ("1,6 mln", 1.6e6),
        ("99 proc.", 99.0),
        ("40 mld euro", 4e10),
        ("trzykrotnie", 3.0),
    ]


def test_find_numbers_offsets_point_into_the_text() -> None:
    text = "je v Rusiji skupaj okoli 10.000 vojakov, kar 8000"
    for match in find_numbers(text):
        assert text[match.start : match.end] == match.text


def test_values_agree_is_relative() -> None:
    assert values_agree(12_000, 12_000.000001)
    assert not values_agree(12_000, 12_001)
    assert values_agree(0.0, 0.0)
