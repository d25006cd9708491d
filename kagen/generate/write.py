"""Writing files kagen produces: atomically (a temporary file in the same directory, then
``os.replace``), never over a file the user did not ask to replace, and ``-`` for standard output."""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import sys
from collections.abc import Iterator

from kagen.diagnostics import InputError


def write_text(path: str, text: str, force: bool = False) -> None:
    """Write ``text`` to ``path`` (``-``: standard output). An existing file is replaced only with
    ``force``; a failure leaves it as it was."""
    if path == "-":
        sys.stdout.write(text)
        return
    if os.path.lexists(path) and not force:
        raise InputError(f"{path} exists; use --force to replace it")
    write_all([(path, text, 0o644)])


def _make_directories(directory: str, created: list[str], known: set[str]) -> None:
    """Create ``directory`` and its missing parents (recorded in ``created`` for a roll-back);
    ``known`` holds directories already seen to exist, so each costs one system call at most."""
    missing = []
    while directory not in known:
        try:
            os.mkdir(directory)
        except FileExistsError:
            if not os.path.isdir(directory):
                raise
            known.add(directory)
            break
        except FileNotFoundError:
            missing.append(directory)
            parent = os.path.dirname(directory)
            if parent == directory:
                raise
            directory = parent
        else:
            created.append(directory)
            known.add(directory)
            break
    for path in reversed(missing):
        os.mkdir(path)
        created.append(path)
        known.add(path)


def _fresh(directory: str, prefix: str) -> str:
    """A name in ``directory`` that is most likely free; callers create it exclusively and retry."""
    return os.path.join(directory, f"{prefix}{secrets.token_hex(6)}")


def _stage(directory: str, data: bytes, mode: int, sync: bool) -> str:
    """Write ``data`` to a new file of a name no other file has in ``directory``; its path."""
    while True:
        temporary = _fresh(directory, ".kagen-new-")
        try:
            handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
            break
        except FileExistsError:
            continue
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(handle, view) :]
        os.fchmod(handle, mode)
        if sync:
            os.fsync(handle)
    except OSError:
        os.close(handle)
        os.unlink(temporary)
        raise
    os.close(handle)
    return temporary


def _keep_old(path: str) -> str:
    """A second name for the current file at ``path`` (a hard link, else a copy) to restore it."""
    while True:
        backup = _fresh(os.path.dirname(path), ".kagen-old-")
        try:
            os.link(path, backup)
        except FileExistsError:
            continue
        except OSError:
            if os.path.lexists(backup):
                continue
            shutil.copy2(path, backup)
        return backup


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """SIGINT and SIGTERM wait until the block is done (they then act as usual): a run is
    complete or rolled back, never stopped between two files by them."""
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)


class Staging:
    """Files written in full next to their targets under temporary names (``.kagen-new-*``, which
    no configuration glob matches), not yet in place: ``commit`` puts them all in place, or none,
    and ``discard`` removes them. A SIGKILL can stop either between two files; each file is
    then whole, old or new, never half-written."""

    def __init__(self) -> None:
        self.created: list[str] = []  # directories made for the files, outermost first
        self._known: set[str] = set()
        self.staged: list[tuple[str, str, bool]] = []  # temporary, target, target existed
        self.failure: InputError | None = None

    def add(self, files: list[tuple[str, str, int]]) -> None:
        """Stage every ``(path, text, mode)``; a failure removes what was staged and is kept in
        ``failure`` (raised by ``commit``), so a caller doing this alongside other work finishes it."""
        try:
            for path, text, mode in files:
                path = os.path.abspath(path)
                _make_directories(os.path.dirname(path), self.created, self._known)
                # On disk before it replaces a file (so a power cut finds the old or the new one,
                # never an empty one); a new file has nothing to lose and skips the costly sync.
                exists = os.path.lexists(path)
                temporary = _stage(os.path.dirname(path), text.encode("utf-8", "surrogateescape"), mode, exists)
                self.staged.append((temporary, path, exists))
        except OSError as exc:
            self.discard()
            self.failure = _failed(exc, path)

    def commit(self) -> None:
        """Replace every target with its staged file; on a failure put every file back as it was."""
        if self.failure is not None:
            raise self.failure
        done: list[tuple[str, str | None]] = []
        try:
            for temporary, path, exists in self.staged:
                backup = _keep_old(path) if exists else None
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
            self.discard()
            raise _failed(exc, path) from None
        for _, backup in done:
            if backup is not None:
                os.unlink(backup)
        self.staged, self.created = [], []  # in place now: nothing left to discard

    def discard(self) -> None:
        """Remove the staged files and the directories made for them."""
        for temporary, _, _ in self.staged:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
        self.staged = []
        for directory in reversed(self.created):
            with contextlib.suppress(OSError):
                os.rmdir(directory)
        self.created = []


def _failed(exc: OSError, path: str) -> InputError:
    return InputError(f"{exc.filename or path}: cannot write: {exc.strerror or exc}; nothing was changed")


def stage(files: list[tuple[str, str, int]]) -> Staging:
    """A Staging of every ``(path, text, mode)``."""
    staging = Staging()
    staging.add(files)
    return staging


def write_all(files: list[tuple[str, str, int]]) -> None:
    """Write every ``(path, text, mode)`` or none (see Staging), with SIGINT and SIGTERM held."""
    with signals_held():
        stage(files).commit()
