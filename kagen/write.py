"""Writing files kagen produces: atomically (a temporary file in the same directory, then
``os.replace``), never over a file the user did not ask to replace, and ``-`` for standard output."""

from __future__ import annotations

import os
import sys
import tempfile

from kagen.source import InputError


def write_text(path: str, text: str, force: bool = False) -> None:
    """Write ``text`` to ``path`` (``-``: standard output). An existing file is replaced only with
    ``force``; a failure leaves it as it was."""
    if path == "-":
        sys.stdout.write(text)
        return
    if os.path.lexists(path) and not force:
        raise InputError(f"{path} exists; use --force to replace it")
    directory = os.path.dirname(os.path.abspath(path))
    try:
        handle, temporary = tempfile.mkstemp(prefix=".kagen-", dir=directory)
    except OSError as exc:
        raise InputError(f"{path}: cannot write there: {exc.strerror}") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except OSError as exc:
        os.unlink(temporary)
        raise InputError(f"{path}: cannot write: {exc.strerror}") from None
