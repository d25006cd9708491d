"""The files a lint run reads (kagen.lint.discovery decides which), each parsed into the context
the rules see."""

from __future__ import annotations

import os

from kagen.diagnostics import InputError
from kagen.keepalived.keywords import table
from kagen.keepalived.parse import parse_file
from kagen.keepalived.source import default_config_id
from kagen.lint.context import FileContext
from kagen.lint.discovery import Discovery, discover, looks_like_keepalived
from kagen.lint.settings import Options


def inputs(
    paths: list[str], options: Options, overlay: dict[str, bytes] | None = None
) -> tuple[list[FileContext], Discovery]:
    """Parse the files to lint (directories walked) and say what the walk found. A file that
    another file of the run includes is checked as part of it, not again on its own (pre-commit
    passes both). An included file outside the directories given (keepalived reads it, and so
    does kagen) has its findings reported only when it is keepalived's own (``FileContext.quiet``).
    ``overlay``: file contents by real path to read instead of the disk's."""
    found = discover(paths, options.exclude, options.extend_exclude, options.force_exclude, options.respect_gitignore)
    config_id = options.config_id if options.config_id is not None else default_config_id()
    keywords = table()
    ctxs = []
    for path in found.files:
        try:
            ctxs.append(FileContext(path, parse_file(path, config_id, overlay), options, keywords))
        except InputError as exc:  # one unreadable file does not hide the findings of the others
            found.missing.append(str(exc))
    included = {source.realpath for ctx in ctxs for source in ctx.config.files[1:]}
    if included:
        ctxs = _tops(ctxs, included)
    roots = tuple(os.path.join(root, "") for root in found.roots)
    for ctx in ctxs:
        ctx.quiet = frozenset(
            source.name
            for source in ctx.config.files[1:]
            if not os.path.join(source.realpath, "").startswith(roots) and not looks_like_keepalived(source.text)
        )
    return ctxs, found


def _tops(ctxs: list[FileContext], included: set[str]) -> list[FileContext]:
    """The files to check on their own: those no other file of the run includes, and, of files
    that include each other (a.conf and b.conf both ``include *.conf``), the first."""
    real = {id(ctx): ctx.config.files[0].realpath if ctx.path != "-" else "-" for ctx in ctxs}
    kept = [ctx for ctx in ctxs if real[id(ctx)] not in included]
    covered = {source.realpath for ctx in kept for source in ctx.config.files}
    for ctx in ctxs:
        if real[id(ctx)] not in covered:
            kept.append(ctx)
            covered.update(source.realpath for source in ctx.config.files)
    chosen = {id(ctx) for ctx in kept}
    return [ctx for ctx in ctxs if id(ctx) in chosen]


def contexts(paths: list[str], options: Options, overlay: dict[str, bytes] | None = None) -> list[FileContext]:
    """The contexts of ``inputs``; InputError for the first path that could not be read."""
    ctxs, found = inputs(paths, options, overlay)
    if found.missing:
        raise InputError(found.missing[0])
    return ctxs
