"""Spread independent pieces of work over two processes: the rules of one large file, or the
files that ``kagen generate`` verifies (while a third process writes them, see ``beside``).

The work reads data that is already in memory and changes nothing shared, so a forked child
sees the same data copy-on-write. Both processes take work items one at a time from a queue (a
pipe holding their indices), so whichever is free takes the next; the child sends its results
back pickled when the queue is empty. Small jobs, and systems without ``fork``, run serially:
there a fork costs more than it saves.

If the child fails for any reason, the items it took run again here, so an error surfaces the
way it does in a serial run and no result is lost.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable, Iterator
from typing import TypeVar

from kagen.diagnostics import Diagnostic
from kagen.lint.context import FileContext
from kagen.lint.rule import Rule

# Nodes from which a second process pays off for one file's rules (a fork of a large heap costs
# a few milliseconds).
PARALLEL_NODES = 20_000
# Nodes in all from which the files of a run are shared between two processes (~500 small files).
PARALLEL_FILES_NODES = 20_000
MAX_ITEMS = 256  # one byte per queued index

T = TypeVar("T")


def _taken(queue: int) -> Iterator[int]:
    """Indices this process takes from the queue, one at a time until it is empty."""
    while index := os.read(queue, 1):
        yield index[0]


def shared(count: int, work: Callable[[int], list], here: Callable[[], list] | None = None) -> list:
    """``work(0) + work(1) + ... + work(count - 1)``, in no particular order, on two processes;
    plus ``here()``, which this process does while the other one starts on the queue."""
    found: list = []
    if count < 2 or count > MAX_ITEMS or not hasattr(os, "fork"):
        found = here() if here is not None else []
        return found + [result for index in range(count) for result in work(index)]
    queue, feed = os.pipe()
    os.write(feed, bytes(range(count)))
    os.close(feed)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its results through the pipe at the end; never returns
        os.close(read)
        code = 0
        try:
            # Collected first, sent once: writing as it goes would block on the full pipe while
            # the parent is still busy with its own items.
            results = {index: work(index) for index in _taken(queue)}
            with os.fdopen(write, "wb") as out:
                pickle.dump(results, out, pickle.HIGHEST_PROTOCOL)
        except BaseException:  # noqa: BLE001  (any failure: the parent does what is missing)
            code = 1
        os._exit(code)
    os.close(write)
    done: set[int] = set()
    with os.fdopen(read, "rb") as incoming:
        try:
            if here is not None:
                found.extend(here())
            for index in _taken(queue):
                found.extend(work(index))
                done.add(index)
            data = incoming.read()
        finally:
            os.close(queue)
            incoming.close()  # before waiting: a child blocked on the pipe then fails, not hangs
            _, status = os.waitpid(pid, 0)
    if status == 0 and data:
        for index, results in pickle.loads(data).items():
            found.extend(results)
            done.add(index)
    for index in range(count):
        if index not in done:
            found.extend(work(index))
    return found


def beside(task: Callable[[], T]) -> Callable[[], T]:
    """Start ``task`` in a child process now; the function returned waits for it and gives its
    (pickled) result. For work that mostly waits on the disk, which then costs no time of the
    processes computing meanwhile. If the child fails, the task runs here instead."""
    if not hasattr(os, "fork"):
        value = task()
        return lambda: value
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        code = 0
        try:
            data = pickle.dumps(task(), pickle.HIGHEST_PROTOCOL)
            with os.fdopen(write, "wb") as out:
                out.write(data)
        except BaseException:  # noqa: BLE001  (any failure: the parent runs the task itself)
            code = 1
        os._exit(code)
    os.close(write)

    def result() -> T:
        with os.fdopen(read, "rb") as incoming:
            data = incoming.read()
        _, status = os.waitpid(pid, 0)
        return pickle.loads(data) if status == 0 and data else task()

    return result


def _warm(ctx: FileContext) -> None:
    """Build the views that most rules read before forking, so both processes share them."""
    ctx.by_keyword  # noqa: B018  (cached properties: reading them builds them)
    for instance in ctx.config.vrrp_instances:
        instance.virtual_ipaddresses  # noqa: B018
    ctx.config.virtual_servers  # noqa: B018


def check(ctx: FileContext, rules: list[Rule]) -> list[Diagnostic]:
    """The findings of ``rules`` on ``ctx``, in no particular order. Rules with a fix run in this
    process: a finding comes back from the other one without its node, which the fix edits. The
    costly views some rules share are built by one process only (``Rule.views``)."""
    if len(ctx.visits) < PARALLEL_NODES:
        return [finding for rule in rules for finding in rule.check(ctx)]
    _warm(ctx)
    # Here: the rules with a fix, and those that read the instances' behaviour (built here only);
    # the other process starts with those that read the arguments (built there only).
    here = [rule for rule in rules if rule.fix_summary is not None or "behaviours" in rule.views]
    there = sorted((rule for rule in rules if rule not in here), key=lambda rule: "arguments" not in rule.views)
    return shared(
        len(there),
        lambda index: list(there[index].check(ctx)),
        lambda: [finding for rule in here for finding in rule.check(ctx)],
    )


def check_many(ctxs: list[FileContext], rules: Callable[[FileContext], list[Rule]]) -> list[list[Diagnostic]]:
    """The findings of ``rules(ctx)`` on each of ``ctxs``, in their order: when there are enough
    files, on two processes (files in batches from one queue; rules with a fix on all of them
    here, where their findings keep the node the fix edits)."""
    found: list[list[Diagnostic]] = [[] for _ in ctxs]
    if sum(len(ctx.visits) for ctx in ctxs) < PARALLEL_FILES_NODES:
        for index, ctx in enumerate(ctxs):
            found[index] = [finding for rule in rules(ctx) for finding in rule.check(ctx)]
        return found
    batches = [list(range(start, len(ctxs), MAX_ITEMS)) for start in range(min(MAX_ITEMS, len(ctxs)))]

    def there(batch: int) -> list[tuple[int, list[Diagnostic]]]:
        return [
            (index, [f for rule in rules(ctxs[index]) if rule.fix_summary is None for f in rule.check(ctxs[index])])
            for index in batches[batch]
        ]

    def here() -> list[tuple[int, list[Diagnostic]]]:
        return [
            (index, [f for rule in rules(ctx) if rule.fix_summary is not None for f in rule.check(ctx)])
            for index, ctx in enumerate(ctxs)
        ]

    for index, findings in shared(len(batches), there, here):
        found[index].extend(findings)
    return found
