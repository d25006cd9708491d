"""Writing files kagen produces: atomically (a temporary file in the same directory, then
``os.replace``), never over a file the user did not ask to replace, and ``-`` for standard output."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
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
    write_all([(path, text, 0o644)])


def _make_directories(directory: str, created: list[str]) -> None:
    missing = []
    while directory and not os.path.isdir(directory):
        missing.append(directory)
        parent = os.path.dirname(directory)
        if parent == directory:
            break
        directory = parent
    for path in reversed(missing):
        os.mkdir(path)
        created.append(path)


def _keep_old(path: str) -> str:
    """A second name for the current file at ``path`` (a hard link, else a copy) to restore it."""
    handle, backup = tempfile.mkstemp(prefix=".kagen-old-", dir=os.path.dirname(path))
    os.close(handle)
    os.unlink(backup)
    try:
        os.link(path, backup)
    except OSError:
        shutil.copy2(path, backup)
    return backup


def write_all(files: list[tuple[str, str, int]]) -> None:
    """Write every ``(path, text, mode)`` or none: each file is first written in full next to its
    target, then all are put in place; a failure on the way puts back every file as it was and
    removes what was created. SIGINT and SIGTERM wait until the run is complete (they then act as
    usual); a SIGKILL can still stop it between two files, and each file is then whole, old or
    new, never half-written."""
    created: list[str] = []
    staged: list[tuple[str, str]] = []
    done: list[tuple[str, str | None]] = []
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        for path, text, mode in files:
            directory = os.path.dirname(os.path.abspath(path))
            _make_directories(directory, created)
            handle, temporary = tempfile.mkstemp(prefix=".kagen-new-", dir=directory)
            staged.append((temporary, path))
            with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
                out.write(text)
                out.flush()
                os.fchmod(out.fileno(), mode)
                # On disk before it replaces a file (so a power cut finds the old or the new one,
                # never an empty one); a new file has nothing to lose and skips the costly sync.
                if os.path.lexists(path):
                    os.fsync(out.fileno())
        for temporary, path in staged:
            backup = _keep_old(path) if os.path.lexists(path) else None
            try:
                os.replace(temporary, path)
            except OSError:
                if backup is not None:  # still the same file as path: only the second name goes
                    os.unlink(backup)
                raise
            done.append((path, backup))
    except OSError as exc:
        for path, backup in reversed(done):
            if backup is not None:
                os.replace(backup, path)
            elif os.path.lexists(path):
                os.unlink(path)
        for temporary, _ in staged:
            if os.path.lexists(temporary):
                os.unlink(temporary)
        for directory in reversed(created):
            with contextlib.suppress(OSError):
                os.rmdir(directory)
        where = exc.filename or (staged[-1][1] if staged else "")
        raise InputError(f"{where}: cannot write: {exc.strerror or exc}; nothing was changed") from None
    else:
        for _, backup in done:
            if backup is not None:
                os.unlink(backup)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
