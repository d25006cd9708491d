"""The files a lint run reads (kagen.lint.discovery decides which), each parsed into the context
the rules see."""

from __future__ import annotations

import functools
import os
from typing import TYPE_CHECKING

from kagen.diagnostics import InputError
from kagen.keepalived.keywords import table
from kagen.lint.discovery import Discovery, discover, sniffed
from kagen.lint.settings import Options

if TYPE_CHECKING:
    from collections.abc import Callable

    from kagen.keepalived.model import Config
    from kagen.lint.cache import LintCache
    from kagen.lint.context import FileContext


def find(paths: list[str], options: Options, cache: LintCache | None = None) -> Discovery:
    """The files a run reads (kagen.lint.discovery), their content judged through ``cache``."""
    sniff = functools.partial(cache.sniff, judge=sniffed) if cache is not None else None
    return discover(
        paths, options.exclude, options.extend_exclude, options.force_exclude, options.respect_gitignore, sniff
    )


def read(
    found: Discovery, options: Options, overlay: dict[str, bytes] | None = None, cache: LintCache | None = None
) -> list[FileContext]:
    """Each file found parsed into its context (from ``cache`` where it holds the file as it is
    now). A file that another file of the run includes is checked as part of it, not again on
    its own (pre-commit passes both). An included file outside the directories given (keepalived
    reads it, and so does kagen) has its findings reported only when it is keepalived's own
    (``FileContext.quiet``). ``overlay``: file contents by real path to read instead of the disk's.
    What cannot be read is added to ``found.missing``."""
    # Not loaded by a run replayed from the cache: the parser, the model, the rules' view.
    from kagen.keepalived import default_config_id
    from kagen.keepalived.parse import parse_file
    from kagen.lint.context import FileContext

    config_id = options.config_id if options.config_id is not None else default_config_id()
    keywords = table()
    ctxs = []
    for path in found.files:
        name = cache.name(path, found.reals.get(path)) if cache is not None and path != "-" else None
        hit = cache.entry(name) if cache is not None and name is not None else None
        if hit is not None:
            load = functools.partial(_load, hit[0], path, config_id, overlay)
            ctx = FileContext(path, None, options, keywords, load, hit[2])
            ctx.checked, ctx.entry = hit[1], name
            ctxs.append(ctx)
            continue
        try:
            ctxs.append(FileContext(path, parse_file(path, config_id, overlay), options, keywords))
        except InputError as exc:  # one unreadable file does not hide the findings of the others
            found.missing.append(str(exc))
            continue
        if cache is not None and path != "-":
            cache.fresh.append(ctxs[-1])
    included = {source.real for ctx in ctxs for source in ctx.sources[1:]}
    if included:
        ctxs = _tops(ctxs, included)
    roots = tuple(os.path.join(root, "") for root in found.roots)
    for ctx in ctxs:
        ctx.quiet = frozenset(
            source.name
            for source in ctx.sources[1:]
            if not os.path.join(source.real, "").startswith(roots) and not source.keepalived
        )
    return ctxs


def _load(cached: Callable[[], Config | None], path: str, config_id: str, overlay: dict[str, bytes] | None) -> Config:
    """A cached file's configuration when a rule asks for it: from the cache, or read again."""
    from kagen.keepalived.parse import parse_file

    return cached() or parse_file(path, config_id, overlay)


def inputs(
    paths: list[str], options: Options, overlay: dict[str, bytes] | None = None
) -> tuple[list[FileContext], Discovery]:
    """``read(find(paths))``: the contexts and what the walk found."""
    found = find(paths, options)
    return read(found, options, overlay), found


def _tops(ctxs: list[FileContext], included: set[str]) -> list[FileContext]:
    """The files to check on their own: those no other file of the run includes, and, of files
    that include each other (a.conf and b.conf both ``include *.conf``), the first."""
    real = {id(ctx): ctx.sources[0].real if ctx.path != "-" else "-" for ctx in ctxs}
    kept = [ctx for ctx in ctxs if real[id(ctx)] not in included]
    covered = {source.real for ctx in kept for source in ctx.sources}
    for ctx in ctxs:
        if real[id(ctx)] not in covered:
            kept.append(ctx)
            covered.update(source.real for source in ctx.sources)
    chosen = {id(ctx) for ctx in kept}
    return [ctx for ctx in ctxs if id(ctx) in chosen]


def contexts(paths: list[str], options: Options, overlay: dict[str, bytes] | None = None) -> list[FileContext]:
    """The contexts of ``inputs``; InputError for the first path that could not be read."""
    ctxs, found = inputs(paths, options, overlay)
    if found.missing:
        raise InputError(found.missing[0])
    return ctxs
