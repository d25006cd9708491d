"""Reading saved API responses: each file one response or a JSON list of them (one per page),
every value looked up defensively. A response is whatever the user saved, so nothing in it is
trusted: a missing list is empty, a single value is a list of one, an item without its id is
refused with the file it came from (kagen.diagnostics.InputError, exit 2)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from kagen.diagnostics import InputError
from kagen.inventory import datafile


def documents(path: str) -> list[object]:
    """The pages in ``path``: one response, or each item of a JSON list of them."""
    try:
        data = datafile.read(path).data
    except datafile.DataError as exc:
        raise InputError(str(exc)) from None
    return data if isinstance(data, list) else [data]


def pages(
    paths: list[str], api: str, key: str, unwrap: str | None, looks_like: Callable[[dict], str]
) -> Iterator[tuple[str, dict]]:
    """The pages of ``api`` in ``paths``, each one holding ``key`` (inside ``unwrap`` when the
    provider wraps its responses: Tencent's ``Response``, Volcengine's ``Result``); anything
    else is refused, saying what it looks like (``looks_like(page)``)."""
    for path in paths:
        for page in documents(path):
            if not isinstance(page, dict):
                raise InputError(f"{path}: expected a {api} response object (or a list of them)")
            wrapped = page.get(unwrap) if unwrap else None
            inner = wrapped if isinstance(wrapped, dict) else page
            if key not in inner:
                raise InputError(f"{path}: not a {api} response (no {key}): {looks_like(inner)}")
            yield path, inner


def keys_of(page: dict) -> str:
    return ", ".join(sorted(map(str, page))[:5]) or "none"


def dig(data: object, keys: tuple[str, ...]) -> list:
    """``data[k1][k2]...`` as a list: missing or null is empty, a single value is a list of one."""
    for key in keys:
        if not isinstance(data, dict):
            return []
        data = data.get(key)
    if data is None:
        return []
    return data if isinstance(data, list) else [data]


def items(data: object, *keys: str) -> list[dict]:
    return [item for item in dig(data, keys) if isinstance(item, dict)]


def strings(data: object, *keys: str) -> list[str]:
    return [str(item) for item in dig(data, keys) if isinstance(item, str | int) and str(item)]


def mapping(item: dict, key: str) -> dict:
    """``item[key]`` when it is a mapping, else an empty one."""
    value = item.get(key)
    return value if isinstance(value, dict) else {}


def text(item: dict, key: str) -> str | None:
    value = item.get(key)
    return value if isinstance(value, str) and value else None


def need(item: dict, key: str, path: str, what: str) -> str:
    value = item.get(key)
    if not isinstance(value, str) or not value:
        raise InputError(f"{path}: a {what} without {key}")
    return value
