"""Which files ``kagen lint`` reads, read: files named on the command line always, and, inside
directories, files that look like keepalived configurations; each parsed into the context the
rules see."""

from __future__ import annotations

import fnmatch
import functools
import os
import re

from kagen.diagnostics import InputError
from kagen.keepalived.keywords import table
from kagen.keepalived.parse import parse_file
from kagen.keepalived.source import default_config_id
from kagen.lint.context import FileContext
from kagen.lint.settings import Options
from kagen.reading import refusal

NAME_PATTERNS = ("*.conf", "keepalived*", "*.keepalived", "*.cfg")
SNIFF_BYTES = 65536


def _looks_like_keepalived(path: str) -> bool:
    """A top-level keepalived keyword at the start of a line within the first 64 KiB."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(SNIFF_BYTES).decode("utf-8", "replace")
    except OSError:
        return False
    return bool(_top_level_keyword().search(head))


@functools.cache
def _top_level_keyword() -> re.Pattern:
    names = [*sorted(table().root, key=len, reverse=True), "include"]
    return re.compile(r"^[ \t]*(?:" + "|".join(map(re.escape, names)) + r")\b", re.M)


def _excluded(path: str, exclude: list[str]) -> bool:
    return any(
        fnmatch.fnmatch(path, pattern) or fnmatch.fnmatch(os.path.basename(path), pattern) for pattern in exclude
    )


def expand(paths: list[str], exclude: list[str]) -> list[str]:
    """Every file to lint: those named, and those found in the directories named."""
    found: list[str] = []
    for path in paths:
        if path == "-":
            found.append(path)
        elif os.path.isdir(path):
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(
                    d for d in dirs if not d.startswith(".") and not _excluded(os.path.join(root, d), exclude)
                )
                for name in sorted(files):
                    candidate = os.path.join(root, name)
                    # Only regular files: opening a FIFO or a device found in a tree would block or read
                    # forever (a file named on the command line is read whatever it is).
                    if name.startswith(".") or _excluded(candidate, exclude) or refusal(candidate) is not None:
                        continue
                    if any(fnmatch.fnmatch(name, pattern) for pattern in NAME_PATTERNS) and _looks_like_keepalived(
                        candidate
                    ):
                        found.append(candidate)
        elif os.path.exists(path):
            found.append(path)
        else:
            raise InputError(f"{path}: No such file or directory")
    return found


def contexts(paths: list[str], options: Options, overlay: dict[str, bytes] | None = None) -> list[FileContext]:
    """Parse the files to lint (directories walked); a file that another file of the run includes
    is checked as part of it, not again on its own (pre-commit passes both). ``overlay``: file
    contents by real path to read instead of the disk's."""
    config_id = options.config_id if options.config_id is not None else default_config_id()
    keywords = table()
    ctxs = [
        FileContext(path, parse_file(path, config_id, overlay), options, keywords)
        for path in expand(paths, options.exclude)
    ]
    included = {source.realpath for ctx in ctxs for source in ctx.config.files[1:]}
    return [ctx for ctx in ctxs if ctx.path == "-" or os.path.realpath(ctx.path) not in included]
