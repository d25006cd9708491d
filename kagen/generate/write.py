"""Writing files kagen produces: atomically (a temporary file in the same directory, then
``os.replace``), never over a file the user did not ask to replace, and ``-`` for standard output.

A run killed with SIGKILL leaves its temporary files (``.kagen-new-PID-*``, ``.kagen-old-PID-*``)
and, if it was putting files in place, a journal (``.kagen-commit-PID-*``, in the directory that
holds all its files) naming each staged file and its target. The next run that writes there
finds them (their process is gone), finishes the interrupted commit from the journal (each file,
whole, old or new, becomes new: the run had verified them all) and removes the rest.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
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
    """A name in ``directory`` that is most likely free; callers create it exclusively and retry.
    It holds this process's id, so that a later run knows when it is a leftover."""
    return os.path.join(directory, f"{prefix}{os.getpid()}-{secrets.token_hex(6)}")


_OURS = re.compile(r"\.kagen-(new|old|commit)-(\d+)-[0-9a-f]{12}")


def _alive(pid: int) -> bool:
    """Whether process ``pid`` still runs (a zombie, killed and not yet reaped, does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            return handle.read().rsplit(b")", 1)[-1].split()[0] != b"Z"
    except (OSError, IndexError):
        return True


def recover(directory: str) -> None:
    """Finish what a killed run left in ``directory`` (see the module's docstring); journal paths
    are relative to the journal's directory."""
    try:
        names = os.listdir(directory)
    except OSError:
        return
    stale: dict[str, list[str]] = {"new": [], "old": [], "commit": []}
    for name in names:
        match = _OURS.fullmatch(name)
        if match is not None and not _alive(int(match.group(2))):
            stale[match.group(1)].append(os.path.join(directory, name))
    for journal in stale["commit"]:
        try:
            with open(journal, encoding="utf-8") as handle:
                moves = [json.loads(line) for line in handle if line.strip()]
        except (OSError, ValueError):
            moves = []  # written in part: the commit had not begun
        for temporary, target in moves:
            with contextlib.suppress(FileNotFoundError):
                os.replace(os.path.join(directory, temporary), os.path.join(directory, target))
    for path in stale["new"] + stale["old"] + stale["commit"]:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)


def tidy(paths: list[str]) -> None:
    """Finish or remove what killed runs left where ``paths`` are (their directories, and the
    directory they have in common, where a journal would be): also when nothing is written."""
    directories = sorted({os.path.dirname(os.path.abspath(path)) for path in paths})
    if directories:
        recover(os.path.commonpath(directories))
    for directory in directories:
        recover(directory)


def _journal(directory: str, moves: list[tuple[str, str]]) -> str | None:
    """The journal of the files about to be put in place, in ``directory`` (which holds them all);
    None if it cannot be written (the commit goes on: it is only what a killed run leaves behind
    that then cannot be finished)."""
    text = "".join(json.dumps([os.path.relpath(a, directory), os.path.relpath(b, directory)]) + "\n" for a, b in moves)
    try:
        return _stage(directory, text.encode("utf-8"), 0o600, False, ".kagen-commit-")
    except OSError:
        return None


def _stage(directory: str, data: bytes, mode: int, sync: bool, prefix: str = ".kagen-new-") -> str:
    """Write ``data`` to a new file of a name no other file has in ``directory``; its path."""
    while True:
        temporary = _fresh(directory, prefix)
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
            tidy([path for path, _, _ in files])
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
        journal = None
        try:
            if self.staged:
                common = os.path.commonpath([os.path.dirname(path) for _, path, _ in self.staged])
                journal = _journal(common, [(temporary, path) for temporary, path, _ in self.staged])
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
            _remove([journal] if journal else [])
            raise _failed(exc, path) from None
        _remove([backup for _, backup in done if backup is not None])
        _remove([journal] if journal else [])  # last: until now a killed commit can be finished from it
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


def _remove(paths: list[str]) -> None:
    for path in paths:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)


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
