"""Where the lint cache keeps its entries (kagen.lint.cache decides what they are): one signed
pickle per file under ``<directory>/<kagen version>-<format>/``.

- Every entry is signed with a key kept in the user's own cache directory
  (``$XDG_CACHE_HOME/kagen/cache.key``, mode 0600): a ``.kagen_cache`` that came with a cloned
  repository, or was changed by anyone else, is not trusted (unpickling runs code), only rebuilt.
- Every write goes to a temporary file renamed into place, so concurrent runs see an entry whole
  or not at all; an entry that is missing, damaged, foreign or unreadable is a miss, and a
  directory that cannot be written means no cache. Neither is ever an error.
- Entries and the files hashed are read without following links and without blocking on a FIFO
  or a device planted in their place.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import pickle
import secrets
import stat
from typing import Any

from kagen import __version__

DIRECTORY = ".kagen_cache"
FORMAT = 2  # of the entries: a kagen that writes another format writes beside it
MAGIC = b"kagen-c1"
TAG = "Signature: 8a477f597d28d172789f06886806bc55\n# kagen's lint cache: kagen clean removes it\n"
ENTRY_BYTES = 1 << 30  # an entry bigger than this is not one of ours
KEY_BYTES = 32
READ_BYTES = 1 << 26  # a configuration file kagen reads whole is smaller (kagen.keepalived.logical)


def _user_key() -> bytes | None:
    """The signing key, made on first use; None when the user's cache directory is unusable."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    path = os.path.join(base, "kagen", "cache.key")
    for _ in range(2):
        try:
            data = read_regular(path, KEY_BYTES)
            if data is not None and len(data) == KEY_BYTES:
                return data
            if data is not None:  # not a key: make a new one
                os.unlink(path)
            os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
            handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
            with os.fdopen(handle, "wb") as out:
                out.write(secrets.token_bytes(KEY_BYTES))
        except FileExistsError:  # another run made it meanwhile: read that one
            continue
        except OSError:
            return None
    return None


def read_regular(path: str, most: int) -> bytes | None:
    """A regular file's content (None if there is none); never follows a link, never blocks on a
    FIFO or a device someone put there, and reads at most ``most`` bytes."""
    return read_with_status(path, most)[0]


def read_with_status(path: str, most: int) -> tuple[bytes | None, os.stat_result | None]:
    """``read_regular``, and the file's status as it was read."""
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW)
    except FileNotFoundError:
        return None, None
    with os.fdopen(handle, "rb") as stream:
        info = os.fstat(stream.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_size > most:
            raise OSError(f"{path}: not a regular file of at most {most} bytes")
        return stream.read(info.st_size), info  # a read of ``most`` would allocate that much


def status_of(info: os.stat_result) -> tuple[int, ...]:
    """What changes when a file is written, moved over or replaced."""
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_dev)


def digest_of(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


class Store:
    """Signed entries, one file each, under ``<directory>/<kagen version>-<format>/``."""

    def __init__(self, directory: str, key: bytes) -> None:
        self.directory = directory
        self.key = key
        self.root = os.path.join(directory, f"{__version__}-{FORMAT}")

    @classmethod
    def open(cls, directory: str, named: bool = False) -> Store | None:
        """The cache in ``directory``, made if it is not there; None if it cannot be used. Only
        a directory the user ``named`` may be a link: a link that came with a repository could
        point kagen's writes (and its pruning) anywhere."""
        key = _user_key()
        if key is None:
            return None
        root = os.path.join(directory, f"{__version__}-{FORMAT}")
        for path in (root,) if named else (directory, root):
            if os.path.islink(path) or (os.path.lexists(path) and not os.path.isdir(path)):
                return None
        try:
            if not os.path.isdir(directory):  # private: configurations hold passwords
                os.makedirs(directory, mode=0o700, exist_ok=True)
                for name, text in ((".gitignore", "# made by kagen\n*\n"), ("CACHEDIR.TAG", TAG)):
                    with open(os.path.join(directory, name), "w", encoding="utf-8") as out:
                        out.write(text)
            os.makedirs(root, mode=0o700, exist_ok=True)
        except OSError:
            if not os.path.isdir(root):
                return None  # read-only and empty: nothing to read either
        return cls(directory, key)

    def _sign(self, payload: bytes) -> bytes:
        return hmac.new(self.key, payload, hashlib.sha256).digest()

    def get(self, name: str) -> Any | None:
        try:
            data = read_regular(os.path.join(self.root, name), ENTRY_BYTES)
            if data is None or not data.startswith(MAGIC):
                return None
            mac, payload = data[len(MAGIC) : len(MAGIC) + 32], data[len(MAGIC) + 32 :]
            if not hmac.compare_digest(mac, self._sign(payload)):
                return None
            return pickle.loads(payload)
        except Exception:  # noqa: BLE001 - a damaged entry of any kind is a miss
            return None

    def put(self, name: str, value: object) -> None:
        try:
            payload = pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
            return
        import tempfile

        try:
            handle, temporary = tempfile.mkstemp(dir=self.root, prefix=".new-")
        except OSError:
            return
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(MAGIC + self._sign(payload) + payload)
            os.replace(temporary, os.path.join(self.root, name))
        except OSError:
            try:
                os.unlink(temporary)
            except OSError:
                pass


def made_by_kagen(directory: str) -> bool:
    """Whether ``directory`` is a cache kagen made: it holds kagen's CACHEDIR.TAG (``kagen clean``
    removes nothing else)."""
    try:
        return read_regular(os.path.join(directory, "CACHEDIR.TAG"), len(TAG)) == TAG.encode()
    except OSError:
        return False
