"""The lint cache, ``.kagen_cache/`` (as ruff's ``.ruff_cache``): what a run learnt about each
file, so that the next run reads, parses and checks only what changed.

- A file's entry holds its parsed configuration and the findings of the per-file rules, under a
  name made of the settings that decide them, kagen's version, the file's name and the content
  hash of every file it read; the entry also lists the include patterns it looked up and what
  they matched, which a later run looks up again (a new file in ``conf.d/`` changes the reading).
  The pair and inventory rules run on the cached configurations, never on re-parsed files.
- A run's entry holds what the run printed, under a name made of everything it read and every
  option: a run that would print the same prints it again without reading a configuration.
- Entries are pickles, signed with a key kept in the user's own cache directory
  (``$XDG_CACHE_HOME/kagen/cache.key``, mode 0600): a ``.kagen_cache`` that came with a cloned
  repository, or was changed by anyone else, is not trusted (unpickling runs code), only rebuilt.
- Every write goes to a temporary file renamed into place, so concurrent runs see an entry whole
  or not at all; an entry that is missing, damaged, foreign or unreadable is a miss, a directory
  that cannot be written means no cache, and neither is ever an error.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import pickle
import secrets
import stat
import sys
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from kagen import __version__

if TYPE_CHECKING:
    from kagen.diagnostics import Diagnostic
    from kagen.keepalived.model import Config
    from kagen.lint.context import FileContext
    from kagen.lint.settings import Options

DIRECTORY = ".kagen_cache"
FORMAT = 1  # of the entries: a kagen that writes another format writes beside it
MAGIC = b"kagen-c1"
TAG = "Signature: 8a477f597d28d172789f06886806bc55\n# kagen's lint cache: kagen clean removes it\n"
ENTRY_BYTES = 1 << 30  # an entry bigger than this is not one of ours
KEY_BYTES = 32
WRITE_BEHIND = False  # write the cache in a child the command does not wait for (``behind``)
RUNS_KEPT = 32  # run entries kept (the newest)
PACKS_MAX = 8  # packs an index may spread its entries over before they are gathered in one
PRUNE_AFTER = 86400  # seconds a pack this run's index does not use is kept (other settings' runs may)
READ_BYTES = 1 << 26  # a configuration file kagen reads whole is smaller (kagen.keepalived.logical)


def _user_key() -> bytes | None:
    """The signing key, made on first use; None when the user's cache directory is unusable."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    path = os.path.join(base, "kagen", "cache.key")
    for _ in range(2):
        try:
            data = _read_regular(path, KEY_BYTES)
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


def _read_regular(path: str, most: int) -> bytes | None:
    """A regular file's content (None if there is none); never follows a link, never blocks on a
    FIFO or a device someone put there, and reads at most ``most`` bytes."""
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW)
    except FileNotFoundError:
        return None
    with os.fdopen(handle, "rb") as stream:
        info = os.fstat(stream.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_size > most:
            raise OSError(f"{path}: not a regular file of at most {most} bytes")
        return stream.read(info.st_size)  # a read of ``most`` would allocate that much


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
            data = _read_regular(os.path.join(self.root, name), ENTRY_BYTES)
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


class LintCache:
    """One run's view of the cache: the files' content hashes (each file read once per run), the
    entries found and those to write."""

    def __init__(self, store: Store, settings: str) -> None:
        self.store = store
        self.settings = settings  # what decides the per-file findings, as text
        self._digests: dict[str, tuple[str | None, bytes | None]] = {}
        self.fresh: list[FileContext] = []  # read and parsed by this run: to keep (``keep``)
        index = store.get(self._index_name())
        # sniff: verdicts by content hash; files: path -> (real path, manifest); packs: entry -> pack
        self.index: dict[str, Any] = {"sniff": {}, "files": {}, "packs": {}}
        if isinstance(index, dict) and set(index) == set(self.index):
            self.index = index
        self._packs: dict[str, dict[str, bytes]] = {}  # loaded this run
        self._new: dict[str, bytes] = {}  # entries this run made, for its pack
        self._changed = False

    def _index_name(self) -> str:
        return "index-" + digest_of(self.settings.encode())

    def read(self, real: str) -> tuple[str | None, bytes | None]:
        """A file's content hash and content, read once per run; (None, None) if it is not a
        regular file kagen can read."""
        known = self._digests.get(real)
        if known is None:
            try:
                data = _read_regular(real, READ_BYTES)
            except OSError:
                data = None
            known = (digest_of(data) if data is not None else None, data)
            self._digests[real] = known
        return known

    def sniff(self, path: str, real: str, judge: Callable[[bytes], bool]) -> bool:
        """``judge(data)`` (discovery's test of a file's content), remembered by content hash."""
        digest, data = self.read(real)
        if digest is None or data is None:
            return False
        verdicts = self.index["sniff"]
        verdict = verdicts.get(digest)
        if verdict is None:
            verdict = verdicts[digest] = bool(judge(data))
            self._changed = True
        return verdict

    def _entry_name(self, path: str, manifest: tuple) -> str:
        return "file-" + digest_of(repr((self.settings, path, manifest)).encode())

    def _current(self, manifest: tuple) -> bool:
        """Whether every file of a cached reading is as it was, and every include pattern still
        matches the same files."""
        sources, patterns = manifest
        if any(self.read(real)[0] != digest for real, digest in sources):
            return False
        if not patterns:
            return True
        from kagen.diagnostics import Position
        from kagen.keepalived.includes import Includes
        from kagen.keepalived.logical import LIMITS

        includes = Includes([], LIMITS, {})
        return all(
            tuple(includes.lookup(pattern, kind, path, Position(path, 1, 1))) == found
            for pattern, kind, path, found in patterns
        )

    def _pack(self, pack: str) -> dict[str, bytes]:
        if pack not in self._packs:
            value = self.store.get(pack)
            self._packs[pack] = value if isinstance(value, dict) else {}
        return self._packs[pack]

    def entry(self, name: str) -> tuple[Config, list[Diagnostic] | None] | None:
        """A file's cached reading and per-file findings, by the name ``name`` gave."""
        pack = self.index["packs"].get(name)
        data = self._pack(pack).get(name) if pack is not None else None
        try:
            value = pickle.loads(data) if isinstance(data, bytes) else None
        except Exception:  # noqa: BLE001 - signed, so only an older kagen's entry: a miss
            return None
        if not isinstance(value, tuple) or len(value) != 2:
            return None
        from kagen.diagnostics import Diagnostic

        config, findings = value
        return config, None if findings is None else [Diagnostic(*finding) for finding in findings]

    def name(self, path: str, real: str | None = None) -> str | None:
        """The name of the entry of ``path`` (whose real path is ``real``) that is current, if
        there is one (nothing loaded)."""
        known = self.index["files"].get(path)
        if known is None or known[0] != (real or os.path.realpath(path)) or not self._current(known[1]):
            return None
        return self._entry_name(path, known[1])

    def remember(self, path: str, config: Config, findings: Iterable[Diagnostic] | None) -> str | None:
        """Store a fresh reading of ``path`` and its per-file findings (None: not checked on its
        own, as a file another one includes); the entry's name."""
        sources = tuple((source.realpath, self.read(source.realpath)[0]) for source in config.files)
        if any(digest is None for _, digest in sources):
            return None  # read from somewhere else (standard input, an overlay): not cacheable
        manifest = (sources, tuple(config.patterns))
        name = self._entry_name(path, manifest)
        kept = None if findings is None else [(f.check, f.pos, f.message, f.severity, f.end, f.node) for f in findings]
        try:
            self._new[name] = pickle.dumps((config, kept), pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
            return None
        self.index["files"][path] = (os.path.realpath(path), manifest)
        self._changed = True
        return name

    def keep(self) -> None:
        """Store what this run parsed and found, in one pack (one file, whatever the number of
        files: creating a file costs more than writing one)."""
        for ctx in self.fresh:
            ctx.entry = self.remember(ctx.path, ctx.config, ctx.checked)
        self.fresh = []
        live = set(self.index["packs"].values())
        if len(live) >= PACKS_MAX:  # entries spread over many packs: gather the live ones in this one
            for name, pack in self.index["packs"].items():
                data = self._pack(pack).get(name)
                if data is not None and name not in self._new:
                    self._new[name] = data
        if not self._new:
            return
        pack = "pack-" + secrets.token_hex(8)
        self.store.put(pack, self._new)
        self._packs[pack] = self._new
        self.index["packs"] = {name: pack for name in self._new} | (
            {} if len(live) >= PACKS_MAX else {k: v for k, v in self.index["packs"].items() if k not in self._new}
        )
        self._new = {}

    def replay(self, key: str) -> tuple[str, str, int] | None:
        value = self.store.get("run-" + key)
        return value if isinstance(value, tuple) and len(value) == 3 else None

    def record(self, key: str, out: str, err: str, code: int) -> None:
        self.store.put("run-" + key, (out, err, code))

    def run_key(self, parts: object) -> str:
        return digest_of(repr((self.settings, parts)).encode())

    def save(self) -> None:
        if not self._changed:
            return
        current = {self._entry_name(path, known[1]) for path, known in self.index["files"].items()}
        self.index["packs"] = {name: pack for name, pack in self.index["packs"].items() if name in current}
        self.store.put(self._index_name(), self.index)
        self._prune(set(self.index["packs"].values()))

    def _prune(self, live: set[str]) -> None:
        """Keep the cache from growing with every edit: the newest RUNS_KEPT run entries, and the
        packs this run's index uses or that were written in the last PRUNE_AFTER seconds (other
        settings' runs may still use them). What is removed is only a future miss."""
        runs: list[tuple[float, str]] = []
        old: list[str] = []
        now = time.time()
        try:
            with os.scandir(self.store.root) as listing:
                for entry in listing:
                    modified = entry.stat(follow_symlinks=False).st_mtime
                    if entry.name.startswith("run-"):
                        runs.append((modified, entry.path))
                    elif entry.name.startswith("pack-") and entry.name not in live and now - modified > PRUNE_AFTER:
                        old.append(entry.path)
        except OSError:
            return
        for path in old + [path for _, path in sorted(runs, reverse=True)[RUNS_KEPT:]]:
            try:
                os.unlink(path)
            except OSError:
                pass


def behind(task: Callable[[], None]) -> None:
    """Run ``task`` (writing the cache) after the run has said what it had to say: in a child
    process the command does not wait for (``WRITE_BEHIND``, set by the console script, which
    exits right after), else here. The child has no standard streams: a pre-commit or a pipe
    reading the command's output sees it end when the command ends."""
    if not WRITE_BEHIND or not hasattr(os, "fork"):
        task()
        return
    sys.stdout.flush()
    sys.stderr.flush()
    if os.fork() != 0:
        return
    try:
        null = os.open(os.devnull, os.O_RDWR)
        for stream in (0, 1, 2):
            os.dup2(null, stream)
        task()
    finally:
        os._exit(0)


def made_by_kagen(directory: str) -> bool:
    """Whether ``directory`` is a cache kagen made: it holds kagen's CACHEDIR.TAG (``kagen clean``
    removes nothing else)."""
    try:
        return _read_regular(os.path.join(directory, "CACHEDIR.TAG"), len(TAG)) == TAG.encode()
    except OSError:
        return False


def location(options: Options, directory: str | None = None) -> str:
    """``directory``, else ``.kagen_cache`` beside the settings file, else in the working directory."""
    if directory is not None:
        return directory
    return os.path.join(os.path.dirname(options.source) if options.source else os.curdir, DIRECTORY)


def opened(options: Options, directory: str | None = None) -> LintCache | None:
    """The cache a lint run with ``options`` uses: in ``directory``, else ``.kagen_cache`` beside
    the settings file, else in the working directory; None when it cannot be used."""
    store = Store.open(location(options, directory), named=directory is not None)
    if store is None:
        return None
    from kagen.keepalived import default_config_id

    config_id = options.config_id if options.config_id is not None else default_config_id()
    decisive = (options.select, options.ignore, options.fragment, options.target_version, config_id)
    return LintCache(store, repr(decisive))
