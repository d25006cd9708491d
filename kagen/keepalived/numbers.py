"""keepalived's number readers (``read_unsigned``, ``read_int``, ``read_decimal_unsigned`` in
``lib/parser.c``), as checks: each returns why keepalived rejects a word, or None.

The rules use them so that "is this a valid priority" means exactly what it means to keepalived:
decimal only, a leading '+' allowed, '-' refused for unsigned values, at most six decimal places
for seconds, and an empty quoted string read as 0. The answers are cached: a large configuration
repeats the same few values (weight 1, port 80) tens of thousands of times.
"""

from __future__ import annotations

import functools
import re
from decimal import Decimal

_UNSIGNED = re.compile(r"[ \t\f\n\r\v]*\+?[0-9]*")
_SIGNED = re.compile(r"[ \t\f\n\r\v]*[+-]?[0-9]*")
_DECIMAL = re.compile(r"[ \t\f\n\r\v]*\+?[0-9]*(\.[0-9]*)?")
_WHOLE = re.compile(r"[+-]?[0-9]+")
_DIGITS = re.compile(r"[0-9]+")
DECIMAL_PLACES = 6
SATURATED = 10**30  # past every range keepalived has


def whole(word: str, signed: bool = True) -> int | None:
    """``word`` as a whole number when it is one, in ASCII decimal digits (with a sign if
    ``signed``), else None: the one reader for the values the model and the rules compare
    (priority, VRID, prefix, weight). Python's ``isdigit()`` and ``int()`` also take other
    scripts' digits (² ٣), keepalived does not; and a number of thousands of digits saturates
    instead of being converted (Python refuses over 4,300)."""
    if not (_WHOLE if signed else _DIGITS).fullmatch(word):
        return None
    digits = word.lstrip("+-")
    value = int(digits) if len(digits) <= 30 else SATURATED
    return -value if word.startswith("-") else value


def _range(value: Decimal, low: str | None, high: str | None) -> str | None:
    if (low is not None and value < _bound(low)) or (high is not None and value > _bound(high)):
        return f"is outside {low or ''}..{high or ''}"
    return None


@functools.cache
def _bound(text: str) -> Decimal:
    return Decimal(text)


def _integer(text: str) -> Decimal:
    digits = text.strip(" \t\f\n\r\v").lstrip("+")
    return Decimal(digits) if digits not in ("", "-") else Decimal(0)


@functools.lru_cache(maxsize=8192)
def unsigned(word: str, low: str | None, high: str | None) -> str | None:
    if word.lstrip(" \t\f\n\r\v").startswith("-"):
        return "is negative"
    if not _UNSIGNED.fullmatch(word):
        return "is not a whole number"
    return _range(_integer(word), low, high)


@functools.lru_cache(maxsize=8192)
def signed(word: str, low: str | None, high: str | None) -> str | None:
    if not _SIGNED.fullmatch(word):
        return "is not a whole number"
    return _range(_integer(word), low, high)


@functools.lru_cache(maxsize=8192)
def decimal(word: str, low: str | None, high: str | None) -> str | None:
    if word.startswith("-"):
        return "is negative"
    if not _DECIMAL.fullmatch(word):
        return "is not a number"
    whole, _, fraction = word.strip(" \t\f\n\r\v").lstrip("+").partition(".")
    if len(fraction) > DECIMAL_PLACES:
        return f"has more than {DECIMAL_PLACES} decimal places"
    value = Decimal(f"{whole or 0}.{fraction or 0}")
    return _range(value, low, high)


READERS = {"uint": unsigned, "int": signed, "dec": decimal}
