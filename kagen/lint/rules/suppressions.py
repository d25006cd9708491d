"""KA016, KA017: the inline suppressions themselves (``# kagen: disable=...``). The engine finds
them while it applies the suppressions (kagen.lint.suppressions); they are documented and
selected here like every other rule."""

from __future__ import annotations

from kagen.diagnostics import Severity
from kagen.lint.rule import EngineRule


class UnknownSuppression(EngineRule):
    """What: A `kagen: disable=` comment naming something that is no rule: no code, code prefix or
    rule name matches it; with the closest rule name or code.
    Why: A misspelt suppression silences nothing, so the finding it was meant for comes back, and
    the comment tells the next reader that the line was reviewed when it was not.
    Example:
        advert_int 1  # kagen: disable=unknown-keywrd
    Fix: Spell the rule as `kagen rules` lists it (a code such as KA002 or a name such as
    unknown-keyword), or remove the comment.
    """

    code, name, severity = "KA016", "unknown-suppression", Severity.WARNING


class UnusedSuppression(EngineRule):
    """What: A `kagen: disable` comment that silenced nothing in this run: none of the rules it
    names (all of them, for a bare `disable`) reported anything where it applies. Opt-in: only a
    selector naming KA017 or unused-suppression turns it on.
    Why: Suppressions outlive the problems they were written for; a stale one would hide the next
    real finding on its line. Pair rules (KA5xx) and inventory rules (KA4xx) only report when
    their files are given together, so a run over one file can call their suppressions unused:
    run it over what CI lints.
    Example:
        priority 150  # kagen: disable=KA202
    Fix: Remove the comment, or the codes in it that no longer report anything.
    """

    code, name, severity = "KA017", "unused-suppression", Severity.WARNING
    opt_in = True


RULES = (UnknownSuppression(), UnusedSuppression())
