"""What the reader and the parser report (KA001-KA008): declared here, once. ``kagen.lint``
documents and selects them like every other rule, taking their identity from these."""

from __future__ import annotations

from kagen.diagnostics import Check, Severity

SYNTAX_ERROR = Check("KA001", "syntax-error", Severity.ERROR)
UNKNOWN_KEYWORD = Check("KA002", "unknown-keyword", Severity.ERROR)
MISPLACED_KEYWORD = Check("KA003", "misplaced-keyword", Severity.ERROR)
LINE_TOO_LONG = Check("KA004", "line-too-long", Severity.WARNING)
INCLUDE_MISSING = Check("KA005", "include-missing", Severity.WARNING)
INCLUDE_CYCLE = Check("KA006", "include-cycle", Severity.ERROR)
EXPANSION_LIMIT = Check("KA007", "expansion-limit", Severity.ERROR)
ESCAPED_COMMENT = Check("KA008", "escaped-comment", Severity.WARNING)
