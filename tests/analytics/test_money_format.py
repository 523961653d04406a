"""The one money format: £1.57m, −£1.57m (a true minus), £350k, £900, $1.20bn."""

import math

import pandas as pd
import pytest

from analytics import money
from analytics.money import MINUS


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1_574_000, "£1.57m"),
        (-1_574_000, "−£1.57m"),
        (19_369_000, "£19.37m"),
        (211_893_000, "£211.9m"),  # from £100m one decimal: a fourth figure says nothing
        (350_000, "£350k"),
        (-58_400, "−£58k"),
        (900, "£900"),
        (0, "£0"),
        (999_600, "£1.00m"),  # rounds up into the next unit, never "£1,000k"
        (99_996_000, "£100.0m"),
        (1_200_000_000, "£1.20bn"),
    ],
)
def test_money_format(value, text):
    assert money.money(value, "GBP") == text


def test_true_minus_sign_before_the_symbol():
    text = money.money(-1_574_000, "GBP")
    assert text.startswith(MINUS) and MINUS == "\u2212"
    assert "-" not in text and "£-" not in text
    assert money.money(-2e6, "USD") == "−$2.00m"
    assert money.millions(-2.5e5, "GBP", digits=2) == "−£0.25m"
    assert money.plain(-1_574_000, "GBP") == "−£1,574,000"


def test_signed_and_missing():
    assert money.money(250_000, "GBP", signed=True) == "+£250k"
    assert money.money(-250_000, "GBP", signed=True) == "−£250k"
    assert money.money(0, "GBP", signed=True) == "£0"  # no change has no sign
    for gap in (None, math.nan, pd.NA, pd.NaT):
        assert money.money(gap, "GBP") == "n/a"
    assert money.money(None, "GBP", missing="") == ""


def test_slides_and_sentences_use_the_same_format():
    assert money.compact(-1_574_000, "GBP", signed=True) == "−£1.57m"
    assert money.compact(3_421_989, "GBP", signed=True) == "+£3.42m"
    assert money.compact(math.nan, "GBP") == "n/c"  # a slide's "not computable"


def test_totals_per_currency_use_the_format():
    by_ccy = {"GBP": {"budget": 211_893_000.0}, "USD": {"budget": 60_000_000.0}}
    assert money.per_currency(by_ccy, "budget") == "£211.9m · $60.00m"
    assert money.per_currency({}, "budget") == "0"  # nothing to total: no currency either
