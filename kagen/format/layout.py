"""The canonical layout of a keepalived configuration, made line by line from its text.

keepalived strips the blanks around a line, splits words at runs of blanks outside double quotes,
and cuts a line at its first unquoted brace, reading what follows as a line of its own
(kagen.keepalived.logical). So braces may move between lines and blanks may change, and nothing
else may. A line whose meaning depends on it staying whole (an ``@ID`` conditional, a ``$NAME``
definition or use, ``~SEQ``/``~LST``, ``include``, a backslash, a control character, a line
near keepalived's 1023-byte buffer) is only indented. kagen.format.run reads the result back and
keeps the file as it was if keepalived would read anything differently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kagen.keepalived.expand import MAX_LINE
from kagen.keepalived.logical import decomment

WORD = re.compile(r'(?:"[^"]*"|[^ \t"])+')
_BRACE_OR_QUOTE = re.compile(r'[{}"]')
# A backslash escapes, continues or ends a definition; other control characters are blanks or
# ends of line to some of keepalived's readers: such lines keep their characters where they are.
_KEEP_AS_IS = re.compile(r"[\x00-\x08\x0a-\x1f\x7f\\]")
_WHOLE = ("@", "$", "~", "include")  # read before keepalived splits at braces
_LONG = MAX_LINE - 128  # bytes: indenting a line this long could push it past keepalived's buffer


@dataclass
class _Out:
    text: str
    depth: int
    kind: str  # stmt (may take the next line's '{'), other, comment, blank, exact (not indented)


def _braces(code: str) -> tuple[int, int]:
    """How many ``}`` close blocks opened before ``code``, and the depth change after it."""
    depth = closed = 0
    quoted = False
    for match in _BRACE_OR_QUOTE.finditer(code):
        char = match.group()
        if char == '"':
            quoted = not quoted
        elif not quoted and char == "{":
            depth += 1
        elif not quoted:
            depth -= 1
            closed = max(closed, -depth)
    return closed, depth


def _first_brace(text: str) -> int:
    """keepalived's split point: the first ``{`` or ``}`` outside a closed pair of quotes, or -1."""
    index = 0
    while True:
        match = _BRACE_OR_QUOTE.search(text, index)
        if match is None:
            return -1
        if match.group() != '"':
            return match.start()
        close = text.find('"', match.end())
        if close < 0:
            return -1
        index = close + 1


class Layout:
    """Lines laid out so far, the block depth, and whether a multi-line definition is open."""

    def __init__(self) -> None:
        self.lines: list[_Out] = []
        self.depth = 0
        self.definition = False

    def add(self, raw: str) -> None:
        """One physical line (without its line ending)."""
        if self.definition:
            self._continue_definition(raw)
            return
        if not raw.strip(" \t"):
            self.lines.append(_Out("", 0, "blank"))
            return
        code, _, cut, _ = decomment(raw, ((0, 1, 1, True),))
        if len(raw.encode("utf-8", "surrogateescape")) > _LONG:
            self._kept(raw, code, exact=True)
        elif _KEEP_AS_IS.search(raw) or code.startswith(_WHOLE) or "$" in code or code.count('"') % 2:
            self._kept(raw.lstrip(" \t") if "\\" in raw else raw.strip(" \t"), code)
        elif not code:
            self.lines.append(_Out(raw[cut:].rstrip(" \t"), self.depth, "comment"))
        else:
            self._statements(code, raw[cut:].rstrip(" \t") if cut >= 0 else "")

    def _continue_definition(self, raw: str) -> None:
        """A line of a multi-line ``$NAME=`` value: an empty line or one not ending in ``\\`` ends it."""
        if not raw:
            self.definition = False
            self.lines.append(_Out("", 0, "blank"))
            return
        code = decomment(raw, ((0, 1, 1, True),))[0]
        long = len(raw.encode("utf-8", "surrogateescape")) > _LONG
        if long or not raw.strip(" \t"):  # a line of blanks does not end the value: keep it
            self.lines.append(_Out(raw, 0, "exact"))
        else:
            self.lines.append(_Out(raw.lstrip(" \t"), self.depth, "other"))
        self.definition = not code or code.endswith("\\")

    def _kept(self, text: str, code: str, exact: bool = False) -> None:
        """A line written as it stands, indented unless ``exact``; its braces still count."""
        closed, change = _braces(code)
        self.lines.append(_Out(text, max(0, self.depth - closed), "exact" if exact else "other"))
        self.depth = max(0, self.depth + change)
        # A ``$NAME=`` line (perhaps after an ``@ID`` or made by substitution) ending in ``\``
        # makes the lines after it its value; if this one is not, keeping them as they are is safe.
        self.definition = code.endswith("\\")

    def _statements(self, code: str, comment: str) -> None:
        """Split where keepalived splits, one statement or brace per line, ``{`` on its header."""
        last = -1  # the line this physical line ended on: its comment goes there
        rest = code
        while rest:
            if rest.startswith(_WHOLE):
                self._kept(rest, rest)
                last = len(self.lines) - 1
                break
            brace = _first_brace(rest)
            if brace < 0:
                self.lines.append(_Out(" ".join(WORD.findall(rest)), self.depth, "stmt"))
                last = len(self.lines) - 1
                break
            if brace > 0:
                self.lines.append(_Out(" ".join(WORD.findall(rest[:brace])), self.depth, "stmt"))
                last = len(self.lines) - 1
            elif rest[0] == "{":
                last = self._open()
            else:
                self.depth = max(0, self.depth - 1)
                self.lines.append(_Out("}", self.depth, "other"))
                last = len(self.lines) - 1
            rest = rest[max(brace, 1) :].lstrip(" \t")
        if comment:
            self.lines[last].text += " " + comment
            self.lines[last].kind = "other"

    def _open(self) -> int:
        """``{``: on the header it opens when that is the line before (blank lines aside); the
        index of the line it went to."""
        last = len(self.lines) - 1
        while last >= 0 and self.lines[last].kind == "blank":
            last -= 1
        if last >= 0 and self.lines[last].kind == "stmt" and self.lines[last].depth == self.depth:
            del self.lines[last + 1 :]
            self.lines[last].text += " {"
            self.lines[last].kind = "other"
        else:
            self.lines.append(_Out("{", self.depth, "other"))
            last = len(self.lines) - 1
        self.depth += 1
        return last

    def render(self, indent: str, ending: str) -> str:
        out: list[str] = []
        for line in self.lines:
            if line.kind == "blank":
                if out and out[-1]:
                    out.append("")
            elif line.kind == "exact":
                out.append(line.text)
            else:
                out.append(indent * line.depth + line.text)
        while out and not out[-1]:
            out.pop()
        return ending.join(out) + ending if out else ""


def format_text(text: str, indent: str = "    ") -> str:
    """``text`` in kagen's layout, line endings as the file has most of them."""
    physical = text.split("\n")
    if physical[-1] == "":
        physical.pop()
    crlf = "\r" in text  # keepalived's reader then drops every line's trailing CRs
    ending = "\r\n" if crlf and 2 * sum(line.endswith("\r") for line in physical) > len(physical) else "\n"
    layout = Layout()
    for raw in physical:
        layout.add(raw.rstrip("\r") if crlf else raw)
    return layout.render(indent, ending)
