"""Request rates: what a limit like ``60/m`` means, and which counting window a moment falls in.

This module is responsible for the arithmetic of the site's per-client
limits, not for counting (the web layer counts in the shared cache). A rate
is written ``COUNT/PERIOD``, the period one of ``s``, ``m``, ``h``, ``d``,
optionally with a multiple (``10/5m``); ``off`` means no limit. Windows are
fixed and aligned to the epoch, so every server agrees which window a
request falls in without talking to the others: ``window(rate, now)`` gives
the window's number (part of the counter's key) and the whole seconds until
it ends (the ``Retry-After`` a refused client is told). A fixed window lets
a client send up to twice the count across a boundary; for a limit on
scrapers that is fine, and it costs one counter per client and window.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

__all__ = ["OFF", "Rate", "parse_rate", "window"]

OFF = "off"
_UNITS = {"s": 1, "m": 60, "h": 60 * 60, "d": 24 * 60 * 60}
_RATE = re.compile(r"([0-9]{1,9})/([0-9]{1,6})?([smhd])")


@dataclass(frozen=True)
class Rate:
    """At most ``count`` requests in each window of ``seconds``."""

    count: int
    seconds: int

    def __str__(self) -> str:
        return f"{self.count}/{self.seconds}s"


def parse_rate(text: str) -> Rate | None:
    """``'60/m'`` -> Rate(60, 60); ``'10/5m'`` -> Rate(10, 300); ``'off'`` -> None; ``ValueError`` otherwise."""
    cleaned = text.strip().lower()
    if cleaned == OFF:
        return None
    found = _RATE.fullmatch(cleaned)
    if found is None:
        raise ValueError(f"{text!r} is not a rate: write COUNT/PERIOD, e.g. 60/m, 20/h, 10/5m, or {OFF!r}")
    count, multiple, unit = int(found[1]), int(found[2] or 1), found[3]
    if count < 1 or multiple < 1:
        raise ValueError(f"rate {text!r}: the count and the period must be at least 1 (or write {OFF!r})")
    return Rate(count, multiple * _UNITS[unit])


def window(rate: Rate, now: float) -> tuple[int, int]:
    """(the number of the window ``now`` falls in, whole seconds until it ends, at least 1)."""
    index = math.floor(now / rate.seconds)
    left = math.ceil((index + 1) * rate.seconds - now)
    return index, max(1, left)
