"""``kagen generate``: inventory -> plan -> render -> verify -> write, or compare with the disk.

Nothing is written unless every file of the run is rendered and passes verification; then all
files are put in place together (kagen.generate.write.Staging). A file on disk that kagen did not
generate is replaced only when the user says so.
"""

from __future__ import annotations

import difflib
import functools
import glob
import os
from dataclasses import dataclass, field
from functools import cached_property

from kagen.cloud.model import Inventory
from kagen.diagnostics import Diagnostic, InputError, Severity
from kagen.generate.plan import CONFIG_FILE, Plan, networks, plan
from kagen.generate.render import Output, is_generated, render
from kagen.generate.verify import verify
from kagen.generate.write import signals_held, stage, tidy
from kagen.inventory.load import InventoryError, load
from kagen.keepalived.keywords import Version
from kagen.keepalived.source import LIMITS
from kagen.lint import parallel
from kagen.reading import Unreadable, read_capped, refusal

PUBLIC, PRIVATE = 0o644, 0o600
# Nodes one run generates for: 10,000 pairs take about 9 s and 360 MB (1,000: 1 s, 64 MB).
MAX_NODES = 20_000


@dataclass
class Run:
    plan: Plan
    directory: str
    outputs: list[Output]
    inventory: Inventory
    target: Version
    findings: list[Diagnostic] = field(default_factory=list)

    @property
    def errors(self) -> list[Diagnostic]:
        return [finding for finding in self.findings if finding.severity is Severity.ERROR]

    def path(self, output: Output) -> str:
        return os.path.join(self.directory, *output.path.split("/"))

    def current(self, output: Output) -> str | None:
        """The file's text on disk now; None when there is none."""
        path = self.path(output)
        if not os.path.exists(path):
            return None
        try:
            return read_capped(path, LIMITS["file_bytes"]).decode("utf-8")
        except (Unreadable, UnicodeDecodeError) as exc:
            reason = exc.reason if isinstance(exc, Unreadable) else "not UTF-8 text"
            raise InputError(f"{path}: cannot read: {reason}") from None

    @cached_property
    def changed(self) -> list[tuple[Output, str | None]]:
        """The outputs that differ from the disk, with what the disk holds (read once per run)."""
        pairs = [(output, self.current(output)) for output in self.outputs]
        return [(output, text) for output, text in pairs if text != output.text]

    def diff(self) -> str:
        """A unified diff from the disk to what would be written, passwords masked."""
        parts = []
        for output, text in self.changed:
            name = self.path(output)
            lines = difflib.unified_diff(
                (text or "").splitlines(keepends=True),
                output.text.splitlines(keepends=True),
                fromfile=name if text is not None else "/dev/null",
                tofile=name,
            )
            parts.append("".join(line if line.endswith("\n") else line + "\n" for line in lines))
        return self.plan.secrets.mask("".join(parts))

    def stale(self) -> list[str]:
        """Configurations kagen generated in the directory earlier for nodes the inventory no longer has."""
        wanted = {os.path.normpath(self.path(output)) for output in self.outputs}
        found = []
        for path in sorted(glob.glob(os.path.join(glob.escape(self.directory), "*", CONFIG_FILE))):
            if os.path.normpath(path) in wanted or refusal(path) is not None:
                continue
            try:
                with open(path, encoding="utf-8", errors="replace") as handle:
                    head = handle.read(400)
            except OSError:
                continue
            if is_generated(head):
                found.append(path)
        return found

    def verify(self) -> None:
        """Parse and lint every rendered file (kagen.generate.verify)."""
        groups = [[node.path for node in group] for group in networks(self.plan.nodes)]
        self.findings = verify(self.outputs, groups, self.directory, self.inventory, self.target)

    def verify_and_write(self, force: bool) -> list[str] | None:
        """Verify, then put every changed file in place (all or none): the paths written, or None
        when verification found errors and nothing was written. A third process stages the files
        under temporary names while two verify, so the disk's latency (a few hundred
        microseconds per new file on some systems) is hidden behind the lint; the staged files
        are discarded if anything is wrong."""
        tidy([self.path(output) for output in self.outputs])  # what a killed run left, even if nothing changed
        changed = self.changed
        foreign = [self.path(o) for o, text in changed if text is not None and not is_generated(text)]
        files = [(self.path(o), o.text, PRIVATE if o.private else PUBLIC) for o, _ in changed]
        with signals_held():
            staged = parallel.beside(functools.partial(stage, files if force or not foreign else []))
            try:
                self.verify()
            finally:
                staging = staged()
            try:
                if self.errors:
                    return None
                if foreign and not force:
                    raise InputError(
                        f"{', '.join(foreign)}: not generated by kagen; use --force to replace "
                        f"{'it' if len(foreign) == 1 else 'them'} (nothing was written)"
                    )
                staging.commit()
            finally:
                staging.discard()
        return [path for path, _, _ in files]


def prepare(inventory_path: str, directory: str, target: Version, environ: dict[str, str] | None = None) -> Run:
    """Load, plan and render; raise InventoryError for what the inventory lacks."""
    inventory = load(inventory_path)
    if not inventory.clusters:
        raise InventoryError([f"{inventory_path}: no clusters: nothing to generate (add a clusters: section)"])
    nodes = len({inventory.endpoints[m.name].node for c in inventory.clusters.values() for m in c.members})
    if nodes > MAX_NODES:
        raise InventoryError(
            [
                f"{inventory_path}: the clusters run on {nodes:,} nodes; kagen generates at most {MAX_NODES:,} "
                "in one run (split the inventory, by VPC for instance)"
            ]
        )
    decided = plan(inventory, target, environ)
    if decided.problems:
        raise InventoryError(decided.problems)
    return Run(decided, directory, render(decided), inventory, target)
