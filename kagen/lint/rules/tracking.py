"""KA220: tracked objects keepalived drops, or whose weight it drops, when it completes an
instance (vrrp.c, vrrp_complete_instance; the model is kagen.keepalived.vrrp)."""

from __future__ import annotations

from collections.abc import Iterator

from kagen.diagnostics import Diagnostic, Severity
from kagen.lint.context import FileContext
from kagen.lint.rule import Rule


class TrackerIgnored(Rule):
    """What: A track_* entry keepalived ignores or takes without its weight: the instance's own
    interface in track_interface (it is tracked anyway, with weight 0), and a weighted
    track_script, track_interface, track_file or track_bfd of an address owner (priority 255, or
    state MASTER without a priority).
    Why: keepalived removes the entry with a configuration error ("Ignoring track_interface eth0
    since own interface", "ignoring tracked script chk with weights due to address_owner"): an
    owner's priority never changes, so its weighted checks do nothing, and not even a failure
    moves the virtual IP. The user believes the check fails over; it does not.
    Example:
        vrrp_instance VI_1 {
            interface eth0
            priority 255
            track_script {
                chk_web weight -60
            }
        }
    Fix: Give the instance a priority below 255 (and the BACKUP one lower still) so that the
    weight moves it, or track with weight 0 (a failure puts it in FAULT). Drop the instance's own
    interface from track_interface.
    """

    code, name, severity = "KA220", "tracker-ignored", Severity.ERROR
    views = ("behaviours",)
    reads = (
        "vrrp_instance/track_script",
        "vrrp_instance/track_interface",
        "vrrp_instance/track_file",
        "vrrp_instance/track_bfd",
    )

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        for behaviour in ctx.behaviours:
            for line, kind, message in behaviour.corrections:
                if kind in ("own-interface", "owner"):
                    yield self.report(line.pos, message)


RULES = (TrackerIgnored(),)
