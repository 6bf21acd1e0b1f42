"""minipack.rate_limit: what a written rate means and which window a moment falls in."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from minipack.rate_limit import Rate, parse_rate, window


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("60/m", Rate(60, 60)),
        ("20/h", Rate(20, 3600)),
        ("1/s", Rate(1, 1)),
        ("500/d", Rate(500, 86400)),
        ("10/5m", Rate(10, 300)),
        (" 120/M ", Rate(120, 60)),
        ("off", None),
        ("OFF", None),
    ],
)
def test_rates_read_as_written(text: str, expected: Rate | None) -> None:
    assert parse_rate(text) == expected


@pytest.mark.parametrize(
    "text", ["", "60", "60/", "60/min", "0/m", "10/0m", "-1/m", "1.5/m", "60/m/h", "６０/m", "1/w"]
)
def test_anything_else_is_refused_with_the_value(text: str) -> None:
    with pytest.raises(ValueError, match="rate"):
        parse_rate(text)


def test_windows_are_aligned_so_every_server_agrees() -> None:
    rate = Rate(60, 60)
    assert window(rate, 120.0) == (2, 60)  # the first instant of a window: a whole window to wait
    assert window(rate, 179.2) == (2, 1)  # rounded up: a client told to retry never arrives early
    assert window(rate, 180.0) == (3, 60)


@given(st.integers(1, 10**6), st.floats(0, 2e9, allow_nan=False))
def test_retry_after_reaches_exactly_the_next_window(seconds: int, now: float) -> None:
    rate = Rate(1, seconds)
    index, left = window(rate, now)
    assert 1 <= left <= seconds
    assert window(rate, now + left)[0] > index
