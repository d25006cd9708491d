"""Reading a file the user points at, the same guarded way everywhere: configurations, inventories,
password files, settings, generated files on disk.

What is read is checked after symbolic links are followed: a directory, a device (``/dev/zero``
never ends, ``/dev/tty`` waits), a socket, or a kernel interface file under ``/proc`` or ``/sys``
(``/proc/kmsg`` blocks) is refused; a pipe only where the caller allows it (``kagen lint <(...)``)
and never where opening it would wait for a writer nobody starts (a password file). At most
``limit`` bytes are read, so a file that grows or a pipe without end costs bounded memory.
"""

from __future__ import annotations

import os
import stat
from typing import BinaryIO

from kagen.diagnostics import InputError

KERNEL_FILES = ("/proc/", "/sys/")  # regular files there are the kernel's: reading can block


def _size(limit: int) -> str:
    return f"{limit // 2**20} MiB" if limit >= 2**20 else f"{limit:,} bytes"


def _actual(size: int, limit: int) -> str:
    return f"{size / 2**20:.1f} MiB" if limit >= 2**20 else f"{size:,} bytes"


def refusal(path: str, pipes: bool = False) -> str | None:
    """Why ``path`` is not something kagen reads, or None; ``pipes``: a FIFO is fine."""
    try:
        info = os.stat(path)
    except OSError as exc:
        return exc.strerror or str(exc)
    mode = info.st_mode
    if stat.S_ISDIR(mode):
        return "is a directory"
    if stat.S_ISFIFO(mode):
        return None if pipes else "is a pipe, not a file"
    if not stat.S_ISREG(mode):
        kind = "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "a socket" if stat.S_ISSOCK(mode) else ""
        return f"is {kind or 'not a regular file'}, not a file kagen reads"
    if os.path.realpath(path).startswith(KERNEL_FILES):
        return "is a kernel interface file (/proc, /sys); kagen does not read them"
    return None


def shown(path: str) -> str:
    """The name kagen gives ``path`` in what it prints, one style for a whole run (as ruff does):
    relative to the working directory when the file is under it, else absolute. A path with
    ``..`` is resolved (lexically dropping ``x/..`` could name another file when x is a link)."""
    if path == "-":
        return path
    absolute = os.path.realpath(path) if ".." in path.split(os.sep) else os.path.abspath(path)
    relative = os.path.relpath(absolute)
    return absolute if relative == os.pardir or relative.startswith(os.pardir + os.sep) else relative


class Unreadable(InputError):
    """``path`` is not read; ``reason`` says why (the message is ``PATH: reason``)."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


def read_capped(path: str, limit: int, pipes: bool = False) -> bytes:
    """The contents of ``path``, of at most ``limit`` bytes; raises Unreadable for what
    ``refusal`` refuses and for anything larger."""
    problem = refusal(path, pipes)
    if problem is not None:
        raise Unreadable(path, problem)
    try:
        size = os.stat(path).st_size
        if size > limit:
            raise Unreadable(path, f"file is {_actual(size, limit)}; kagen reads files of at most {_size(limit)}")
        with open(path, "rb") as handle:
            return read_stream(handle, limit, path)
    except OSError as exc:
        raise Unreadable(path, exc.strerror or str(exc)) from None


def read_stream(stream: BinaryIO, limit: int, name: str) -> bytes:
    """At most ``limit`` bytes of ``stream`` (standard input, a pipe); Unreadable beyond."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise Unreadable(name, f"more than {_size(limit)}; kagen reads files of at most {_size(limit)}")
    return data
