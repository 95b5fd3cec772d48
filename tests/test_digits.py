"""Whole numbers from text: ASCII digits only, bounded, sign only when asked."""

from __future__ import annotations

import pytest

from moderation.digits import MAX_DIGITS, number_or_text, whole_number


@pytest.mark.parametrize(
    "value, expected",
    [("12", 12), (" 7 ", 7), (0, 0), (42, 42), ("9" * MAX_DIGITS, int("9" * MAX_DIGITS))],
)
def test_digits_and_ints_are_read(value, expected):
    assert whole_number(value) == expected


@pytest.mark.parametrize(
    "value",
    ["①", "²", "１２", "١٢", "1.5", "", "12a", "-3", -3, True, None, 2.0, "9" * (MAX_DIGITS + 1),
     10**MAX_DIGITS],
)  # fmt: skip
def test_what_is_not_plain_digits_is_not_a_number(value):
    assert whole_number(value) is None


def test_a_sign_only_when_asked():
    assert whole_number("-1", signed=True) == -1 and whole_number(-1, signed=True) == -1
    assert whole_number("--1", signed=True) is None


def test_number_or_text_keeps_what_is_not_digits():
    assert number_or_text("2247483650") == 2247483650
    assert number_or_text("①") == "①"
