"""The lint cache, ``.kagen_cache/`` (as ruff's ``.ruff_cache``): what a run learnt about each
file, so that the next run reads, parses and checks only what changed.

- A file's entry holds the findings of the per-file rules and the file's facts
  (kagen.lint.facts), under a name made of the settings that decide them, kagen's version, the
  file's name and the content hash of every file it read; the entry also lists the include
  patterns it looked up and what they matched, which a later run looks up again (a new file in
  ``conf.d/`` changes the reading). Its parsed configuration is kept beside it and loaded only
  when a rule asks for it.
- The findings of the pair rules that compare the members of each cluster are kept per set of
  files that clusters join: when one file changes, only its clusters' files are loaded again;
  KA505 compares all the clusters from the files' facts.
- A run's entry holds what the run printed, under a name made of everything it read and every
  option: a run that would print the same prints it again without reading a configuration.
- A file whose status (size, times, inode) has not changed since its hash was kept is not read
  again for it (as git's index).
- How entries are stored (signed, written whole, never trusted from elsewhere) is
  kagen.lint.store's business.
"""

from __future__ import annotations

import functools
import os
import pickle
import secrets
import stat
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from kagen.lint.store import DIRECTORY, READ_BYTES, Store, digest_of, read_regular, read_with_status, status_of

if TYPE_CHECKING:
    from kagen.diagnostics import Diagnostic
    from kagen.keepalived.model import Config
    from kagen.lint.context import FileContext
    from kagen.lint.facts import FileFacts
    from kagen.lint.rule import Rule
    from kagen.lint.settings import Options

WRITE_BEHIND = False  # write the cache in a child the command does not wait for (``behind``)
RUNS_KEPT = 32  # run entries kept (the newest)
PACKS_MAX = 8  # packs an index may spread its entries over before they are gathered in one
PRUNE_AFTER = 86400  # seconds a pack this run's index does not use is kept (other settings' runs may)
PAIRS = "pairs-"  # the findings of the rules that compare cluster members, on files clusters join
CONFIG = "config-"  # the name of a file's parsed configuration: its entry's, after this
STATS_KEPT = 1 << 16  # files whose hash is kept by status: beyond, those of this run only
SETTLED_NS = 2_000_000_000  # a file unchanged this long has a status that says it is unchanged


class LintCache:
    """One run's view of the cache: the files' content hashes (each file read once per run), the
    entries found and those to write."""

    def __init__(self, store: Store, settings: str) -> None:
        self.store = store
        self.settings = settings  # what decides the per-file findings, as text
        self._digests: dict[str, tuple[str | None, bytes | None]] = {}
        self.fresh: list[FileContext] = []  # read and parsed by this run: to keep (``keep``)
        index = store.get(self._index_name())
        # sniff: verdicts by content hash; files: path -> (real path, manifest); packs: entry -> pack;
        # stats: real path -> (status, content hash)
        self.index: dict[str, Any] = {"sniff": {}, "files": {}, "packs": {}, "stats": {}}
        if isinstance(index, dict) and set(index) == set(self.index):
            self.index = index
        self._packs: dict[str, dict[str, bytes]] = {}  # loaded this run
        self._new: dict[str, bytes] = {}  # entries this run made, for its pack
        self._compared: set[str] = set()  # the pair rules' entries this run used or made
        self._later: list[tuple[list[FileContext], list[Rule], list[Diagnostic]]] = []  # to store in ``keep``
        self._changed = False

    def _index_name(self) -> str:
        return "index-" + digest_of(self.settings.encode())

    def read(self, real: str) -> tuple[str | None, bytes | None]:
        """A file's content hash, once per run, and its content if it had to be read for it;
        (None, None) if it is not a regular file kagen can read. A file whose status (size, times,
        inode) is what it was when its hash was kept is not read again, as git does."""
        known = self._digests.get(real)
        if known is None:
            known = self._digests[real] = self._hashed(real)
        return known

    def _hashed(self, real: str) -> tuple[str | None, bytes | None]:
        kept = self.index["stats"].get(real)
        if kept is not None:
            try:
                info = os.lstat(real)
            except OSError:
                return None, None
            if status_of(info) == kept[0] and stat.S_ISREG(info.st_mode):
                return kept[1], None
        try:
            data, read = read_with_status(real, READ_BYTES)
        except OSError:
            return None, None
        if data is None or read is None:
            return None, None
        info = read
        digest = digest_of(data)
        # A file changed again within the clock's tick keeps its status: only a file older than
        # a few seconds has its hash kept by status (git's "racily clean" entries).
        if time.time_ns() - max(info.st_mtime_ns, info.st_ctime_ns) > SETTLED_NS:
            self.index["stats"][real] = (status_of(info), digest)
            self._changed = True
        return digest, data

    def sniff(self, path: str, real: str, judge: Callable[[bytes], bool]) -> bool:
        """``judge(data)`` (discovery's test of a file's content), remembered by content hash."""
        digest, data = self.read(real)
        if digest is None:
            return False
        verdicts = self.index["sniff"]
        verdict = verdicts.get(digest)
        if verdict is None:
            if data is None:
                try:
                    data = read_regular(real, READ_BYTES)
                except OSError:
                    data = None
                if data is None or digest_of(data) != digest:
                    return False  # changed meanwhile: judged by the next run
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

    def entry(self, name: str) -> tuple[Callable[[], Config | None], list[Diagnostic] | None, FileFacts] | None:
        """A file's cached per-file findings and facts, by the name ``name`` gave, and what loads
        its parsed configuration when a rule asks for it (None if it cannot)."""
        value = self._loaded(name)
        if not isinstance(value, tuple) or len(value) != 2:
            return None
        from kagen.diagnostics import Diagnostic

        findings, facts = value
        return (
            functools.partial(self._config, name),
            None if findings is None else [Diagnostic(*finding) for finding in findings],
            facts,
        )

    def _loaded(self, name: str) -> Any:
        pack = self.index["packs"].get(name)
        data = self._pack(pack).get(name) if pack is not None else self._new.get(name)
        try:
            return pickle.loads(data) if isinstance(data, bytes) else None
        except Exception:  # noqa: BLE001 - signed, so only an older kagen's entry: a miss
            return None

    def _config(self, name: str) -> Config | None:
        from kagen.keepalived.model import Config

        value = self._loaded(CONFIG + name)
        return value if isinstance(value, Config) else None

    def name(self, path: str, real: str | None = None) -> str | None:
        """The name of the entry of ``path`` (whose real path is ``real``) that is current, if
        there is one (nothing loaded)."""
        known = self.index["files"].get(path)
        if known is None or known[0] != (real or os.path.realpath(path)) or not self._current(known[1]):
            return None
        return self._entry_name(path, known[1])

    def _manifest(self, config: Config) -> tuple | None:
        sources = tuple((source.realpath, self.read(source.realpath)[0]) for source in config.files)
        if any(digest is None for _, digest in sources):
            return None  # read from somewhere else (standard input, an overlay): not cacheable
        return (sources, tuple(config.patterns))

    def name_of(self, ctx: FileContext) -> str | None:
        """The name of the entry ``ctx`` has or will have (None: not cacheable)."""
        if ctx.entry is not None or ctx.path == "-":
            return ctx.entry
        manifest = self._manifest(ctx.config)
        return None if manifest is None else self._entry_name(ctx.path, manifest)

    def remember(self, ctx: FileContext) -> str | None:
        """Store a fresh reading of ``ctx``'s file, its per-file findings (None: not checked on
        its own, as a file another one includes) and its facts; the entry's name."""
        manifest = self._manifest(ctx.config)
        if manifest is None:
            return None
        name = self._entry_name(ctx.path, manifest)
        findings = ctx.checked
        kept = None if findings is None else [(f.check, f.pos, f.message, f.severity, f.end, f.node) for f in findings]
        try:
            config = pickle.dumps(ctx.config, pickle.HIGHEST_PROTOCOL)
            self._new[name] = pickle.dumps((kept, ctx.facts), pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
            return None
        self._new[CONFIG + name] = config
        self.index["files"][ctx.path] = (os.path.realpath(ctx.path), manifest)
        self._changed = True
        return name

    def compared(self, part: list[FileContext], rules: list[Rule]) -> list[Diagnostic]:
        """The findings of ``rules`` (which compare the members of each cluster) on ``part``
        (files that clusters join, kagen.lint.clusters.components), as they were found when these
        files were last as they are now: their configurations are then not even loaded."""

        def compute() -> list[Diagnostic]:
            return [finding for rule in rules for finding in rule.check_files(part)]

        if not any(name.startswith(PAIRS) for name in self.index["packs"]):
            found = compute()  # nothing to look up (a cold run): stored after the output (``keep``)
            self._later.append((part, rules, found))
            self._changed = True
            return found
        name = self._pairs_name(part, rules)
        if name is None:
            return compute()
        kept = self._loaded(name)
        if isinstance(kept, list):
            from kagen.diagnostics import Diagnostic

            return [Diagnostic(*finding) for finding in kept]
        found = compute()
        self._new[name] = pickle.dumps([(f.check, f.pos, f.message, f.severity, f.end) for f in found])
        self._changed = True
        return found

    def _pairs_name(self, part: list[FileContext], rules: list[Rule]) -> str | None:
        names = [self.name_of(ctx) for ctx in part]
        if None in names:
            return None
        codes = [rule.code for rule in rules]
        name = PAIRS + digest_of(repr((self.settings, codes, part[0].options.clusters, names)).encode())
        self._compared.add(name)
        return name

    def keep(self) -> None:
        """Store what this run parsed and found in two packs, whatever the number of files
        (creating a file costs more than writing one): the parsed configurations in one, the
        rest in the other, which is all that a run where little changed reads."""
        for ctx in self.fresh:
            ctx.entry = self.remember(ctx)
        self.fresh = []
        for files, rules, found in self._later:
            name = self._pairs_name(files, rules)
            if name is not None:
                self._new[name] = pickle.dumps([(f.check, f.pos, f.message, f.severity, f.end) for f in found])
        self._later = []
        gather = len(set(self.index["packs"].values())) >= PACKS_MAX
        if gather:  # entries spread over many packs: gather the live ones in this run's
            for name, pack in self.index["packs"].items():
                data = self._pack(pack).get(name)
                if data is not None and name not in self._new:
                    self._new[name] = data
        packs: dict[str, str] = {}
        for heavy in (False, True):
            part = {name: data for name, data in self._new.items() if name.startswith(CONFIG) is heavy}
            if part:
                pack = "pack-" + secrets.token_hex(8)
                self.store.put(pack, part)
                self._packs[pack] = part
                packs.update(dict.fromkeys(part, pack))
        if packs:
            self.index["packs"] = packs | (
                {} if gather else {k: v for k, v in self.index["packs"].items() if k not in packs}
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
        current |= {CONFIG + name for name in current} | self._compared
        if len(self.index["stats"]) > STATS_KEPT:
            self.index["stats"] = {real: kept for real, kept in self.index["stats"].items() if real in self._digests}
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
