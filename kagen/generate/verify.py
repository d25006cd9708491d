"""Check generated files the way ``kagen lint`` checks a user's: parsed by the same parser, linted
by every rule and with the inventory (so the cloud rules compare them with it). A finding here is
a generator or inventory problem caught before anything is written.

The pair rules compare the files of one group of nodes (those that share clusters) among
themselves; different groups never exchange VRRP adverts, and a VRID used twice in one VPC is
the inventory rules' business (KA412, KA413), which run once for the whole inventory. Groups are
independent, so they are checked on two processes (kagen.lint.parallel).
"""

from __future__ import annotations

from kagen.cloud.model import Inventory
from kagen.diagnostics import Diagnostic
from kagen.generate.render import Output
from kagen.keepalived.keywords import Version, table
from kagen.keepalived.parse import parse_string
from kagen.lint import engine, parallel, registry
from kagen.lint.context import FileContext
from kagen.lint.settings import Options

# Work items handed to the processes: enough to balance them, few enough to keep the queue cheap.
UNITS = 64


def verify(
    outputs: list[Output], groups: list[list[str]], directory: str, inventory: Inventory, target: Version
) -> list[Diagnostic]:
    """Findings on the configurations among ``outputs``, named as they will be on disk; ``groups``
    lists the ``Output.path`` values of each group of nodes."""
    texts = {output.path: output.text for output in outputs}
    inventory_alone = list(registry.inventory_alone())
    once = Options(select=inventory_alone, target_version=target, config_id="kagen")
    each = Options(ignore=inventory_alone, target_version=target, config_id="kagen")
    keywords = table()
    units = [groups[start :: min(UNITS, len(groups))] for start in range(min(UNITS, len(groups)))]

    def check(index: int) -> list[Diagnostic]:
        # One engine run for the unit's groups: it compares the files of each group of nodes
        # among themselves (kagen.lint.placement.networks), as a run per group would.
        ctxs = []
        for group in units[index]:
            for path in group:
                name = f"{directory.rstrip('/')}/{path}"
                ctxs.append(FileContext(name, parse_string(texts[path], name, "kagen"), each, keywords))
        return engine.run(ctxs, each, inventory).findings

    findings = set(engine.run([], once, inventory).findings)
    findings.update(parallel.shared(len(units), check))
    return sorted(findings, key=Diagnostic.sort_key)
