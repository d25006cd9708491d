"""The typed model of IPVS (LVS) configuration: virtual servers, their real servers and the
health checkers of those, each a Section over its block."""

from __future__ import annotations

from functools import cached_property

from kagen.keepalived.section import Section, Setting
from kagen.keepalived.tree import Block, Line


class Checker(Section):
    """A health checker block inside a real server (TCP_CHECK, HTTP_GET, MISC_CHECK, ...)."""

    @property
    def kind(self) -> str:
        return self.block.keyword


class RealServer(Section):
    @property
    def address(self) -> str | None:
        return self.block.args[0] if self.block.args else None

    @property
    def port(self) -> str | None:
        return self.block.args[1] if len(self.block.args) > 1 else None

    weight = Setting("weight")

    @cached_property
    def checkers(self) -> list[Checker]:
        return [Checker(node) for node in self.block.children if isinstance(node, Block)]


class VirtualServer(Section):
    """``virtual_server IP PORT``, ``virtual_server fwmark N`` or ``virtual_server group NAME``."""

    @property
    def fwmark(self) -> str | None:
        args = self.block.args
        return args[1] if len(args) > 1 and args[0] == "fwmark" else None

    @property
    def group(self) -> str | None:
        args = self.block.args
        return args[1] if len(args) > 1 and args[0] == "group" else None

    @property
    def address(self) -> str | None:
        args = self.block.args
        return args[0] if args and args[0] not in ("fwmark", "group") else None

    @property
    def port(self) -> str | None:
        args = self.block.args
        return args[1] if self.address is not None and len(args) > 1 else None

    protocol = Setting("protocol")

    @property
    def scheduler(self) -> str | None:
        """``lvs_sched`` or its alias ``lb_algo``, whichever comes last."""
        return self._last_of("lvs_sched", "lb_algo")

    @property
    def method(self) -> str | None:
        """``lvs_method`` or its alias ``lb_kind``, whichever comes last."""
        return self._last_of("lvs_method", "lb_kind")

    def _last_of(self, *keywords: str) -> str | None:
        for node in reversed(self.block.children):
            if isinstance(node, Line) and node.keyword in keywords and node.args:
                return node.args[0]
        return None

    @cached_property
    def real_servers(self) -> list[RealServer]:
        return [RealServer(block) for block in self.blocks("real_server")]
