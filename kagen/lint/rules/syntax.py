"""KA0xx: syntax and structure. KA001-KA008 are found while reading and parsing
(kagen.keepalived.source, kagen.keepalived.lexer; declared in kagen.keepalived.checks); they are
documented and selected here like every other rule."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

from kagen.diagnostics import Diagnostic, Position, Severity
from kagen.keepalived import checks
from kagen.keepalived.keywords import Keyword, format_version
from kagen.keepalived.tree import Block, Line, ValueBlock
from kagen.lint.context import FileContext
from kagen.lint.edits import Edit, Facts, Unfixable, replace_keyword
from kagen.lint.rule import ParserRule, Rule


class SyntaxError_(ParserRule):
    """What: Text keepalived cannot read as intended: a '}' with no block, a block never closed, a
    keyword block without '{', an unterminated '"', a malformed ~SEQ or ~LST, a binary file, a NUL
    byte or a UTF-8 byte order mark.
    Why: keepalived recovers from these by guessing, and its guess often moves statements into the
    wrong block or drops them; keepalived 2.2 even crashes on an unterminated quote in a block header.
    Example:
        vrrp_instance VI_1 {
            state MASTER
        # the closing brace is missing
    Fix: Balance the braces (one '{' per block header, one '}' per block), close every '"', save the
    file as plain UTF-8 without BOM.
    """

    code, name, severity = checks.SYNTAX_ERROR


class UnknownKeyword(ParserRule):
    """What: A word in keyword position that keepalived does not know where it stands, with the
    closest known keyword, or the release that removed it, or the fork that has it.
    Why: keepalived says "Unknown keyword" and ignores the line; when the unknown word opens a block,
    keepalived reads the block's contents as if they belonged to the enclosing block.
    Example:
        vrrp_instance VI_1 {
            prority 150
        }
    Fix: Use the keyword kagen suggests (keywords are case-sensitive), or remove the line.
    """

    code, name, severity = checks.UNKNOWN_KEYWORD


class MisplacedKeyword(ParserRule):
    """What: A keepalived keyword used in a block where it is not valid, with the blocks where it is.
    Why: keepalived only knows each keyword in its own block: elsewhere it is "Unknown keyword" and
    the setting silently does nothing.
    Example:
        global_defs {
            priority 150
        }
    Fix: Move the line into the block kagen names (here: vrrp_instance).
    """

    code, name, severity = checks.MISPLACED_KEYWORD


class LineTooLong(ParserRule):
    """What: A line longer than keepalived's 1023-byte line buffer, also after parameter
    substitution.
    Why: keepalived 2.2 cuts such a line and reads the rest as a new line; 2.3 and later ignore the
    whole line. Either way the setting is not what was written.
    Example:
        notify_master "/usr/local/bin/notify.sh <1,100 characters of arguments>"
    Fix: Shorten the line: move long commands into a script and call the script.
    """

    code, name, severity = checks.LINE_TOO_LONG


class IncludeMissing(ParserRule):
    """What: An include that reads nothing: no such file, a directory, an executable or unreadable
    file, or kernel interface files. An error for the include variants that make keepalived fail
    (includer, includem, includew, includeb, includea), a warning for plain include.
    Why: A plain include of a missing file only makes keepalived log a line, so a typo in the path
    silently drops every instance the file was meant to add.
    Example:
        include /etc/keepalived/conf.d/*.cnf
    Fix: Correct the path or pattern; include paths are relative to the including file's directory.
    """

    code, name, severity = checks.INCLUDE_MISSING


class IncludeCycle(ParserRule):
    """What: A file that includes itself, directly or through other files.
    Why: keepalived follows includes without a limit, so a cycle makes it read the same blocks over
    and over until it runs out of file descriptors.
    Example:
        # a.conf
        include b.conf
        # b.conf
        include a.conf
    Fix: Include each fragment from one place only, usually the main keepalived.conf.
    """

    code, name, severity = checks.INCLUDE_CYCLE


class ExpansionLimit(ParserRule):
    """What: Input that expands without bound: includes nested over 32 levels or more than 1000
    files, an include pattern of more than 1000 brace alternatives or matching more than 10,000
    files, a parameter that refers to itself, a ~SEQ or ~LST (nested ones multiplied) of over
    100,000 lines, over 1,000,000 logical lines in all.
    Why: keepalived would loop or exhaust memory on such input; kagen counts before it expands,
    stops and says where.
    Example:
        $A=$A
        router_id $A
    Fix: Break the recursion or the include loop, and generate large configurations in a template
    tool rather than with ~SEQ.
    """

    code, name, severity = checks.EXPANSION_LIMIT


class EscapedComment(ParserRule):
    """What: A '#' or '!' written as '\\#' or '\\!' outside double quotes.
    Why: keepalived's parent process honours the escape, but its VRRP and checker processes re-read
    a copy of the configuration in which the escape is already gone, so for them the line ends there.
    Example:
        auth_pass secret\\#1
    Fix: Put the whole value in double quotes: auth_pass "secret#1".
    """

    code, name, severity = checks.ESCAPED_COMMENT


class CommentInValue(Rule):
    """What: A '#' or '!' right after a word, with no blank before it, which keepalived takes as the
    start of a comment.
    Why: keepalived cuts the word there without a message: a password like k@l!ve1 becomes k@l.
    This goes beyond keepalived, which accepts it.
    Example:
        auth_pass k@l!ve1
    Fix: Quote the value ("k@l!ve1") if the character belongs to it, or put a blank before the
    comment.
    """

    code, name, severity = "KA009", "comment-in-value", Severity.WARNING
    beyond_keepalived = True

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        for source in ctx.config.files:
            if not source.comments:
                continue
            physical = source.text.split("\n")
            for comment in source.comments:
                raw = physical[comment.line - 1] if comment.line <= len(physical) else ""
                before = raw[: comment.col - 1]
                if not before or before[-1] in " \t":
                    continue
                word = before.split()[-1] if before.split() else ""
                pos = Position(source.name, comment.line, comment.col)
                if (source.name, comment.line) in ctx.secrets:  # a password: say where, not what
                    yield self.report(
                        pos,
                        "a comment character starts a comment here, inside a secret value: keepalived cuts the "
                        "value there; quote the value if the character belongs to it",
                    )
                    continue
                yield self.report(
                    pos,
                    f"'{comment.text[0]}' starts a comment here: keepalived reads '{word}' and drops "
                    f"'{comment.text}'; quote the value if the character belongs to it",
                )


class KeywordTooNew(Rule):
    """What: A keyword the target keepalived release (--target-version) does not have yet.
    Why: An older keepalived says "Unknown keyword" and ignores it, so the feature the line asks for
    is silently absent on the machines that run that release.
    Example:
        # with --target-version 2.2.7
        vrrp_instance VI_1 {
            no_virtual_ipaddress
        }
    Fix: Upgrade keepalived on the target machines, or drop the keyword and set --target-version to
    the release they really run.
    """

    code, name, severity = "KA010", "keyword-too-new", Severity.ERROR

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        for keyword, visit in ctx.visits_of(lambda k: k.since is not None and k.since > ctx.target):
            node = visit.node
            assert keyword.since is not None  # what visits_of selected
            yield self.report(
                node.pos,
                f"'{node.keyword}' is not known to keepalived {ctx.options.target} (it appeared in "
                f"{format_version(keyword.since)})",
            )


@functools.cache
def _bounds(keyword: Keyword) -> tuple[int, int | None]:
    """(required, maximum) argument counts from the table's specification (None: no maximum)."""
    specs = keyword.args
    required = sum(1 for spec in specs if not spec.optional and not spec.repeat)
    unbounded = any(spec.repeat or spec.type == "words" or spec.type == "script" for spec in specs)
    return required, None if unbounded else len(specs)


class MissingArgument(Rule):
    """What: A statement without a value its keyword needs.
    Why: keepalived stops reading the configuration at such a line ("is missing a parameter after
    keyword") and refuses to start.
    Example:
        vrrp_instance VI_1 {
            priority
        }
    Fix: Give the value (here: priority 100).
    """

    code, name, severity = "KA011", "missing-argument", Severity.ERROR

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        for keyword, visits in ctx.by_keyword.items():
            required = _bounds(keyword)[0] if keyword.kind != "invalid" else 0
            if not required:
                continue
            headers = [visit.node if isinstance(visit.node, Line) else visit.node.header for visit in visits]
            for header in [header for header in headers if len(header.words) <= required]:
                spec = " ".join(spec.type for spec in keyword.args if not spec.optional)
                yield self.report(header.pos, f"'{header.keyword}' needs a value ({spec})")


class ExtraArguments(Rule):
    """What: More words after a keyword than keepalived reads.
    Why: keepalived ignores the extra words without a message, which usually means two settings
    were written on one line and the second one is lost. This goes beyond keepalived.
    Example:
        state BACKUP interface eth0
    Fix: One statement per line.
    """

    code, name, severity = "KA012", "extra-arguments", Severity.WARNING
    beyond_keepalived = True

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        for keyword, visits in ctx.by_keyword.items():
            maximum = _bounds(keyword)[1]
            if maximum is None:
                continue
            lines = [visit.node for visit in visits if type(visit.node) is Line]
            for line in [line for line in lines if len(line.words) > maximum + 1]:
                if keyword.secret:  # a password: say where, not what
                    count = len(line.words) - maximum - 1
                    yield self.report(
                        line.word_pos(maximum + 1),
                        f"keepalived ignores the {count} word(s) after the value of '{line.keyword}'",
                    )
                    continue
                extra = " ".join(line.words[maximum + 1 :])
                yield self.report(
                    line.word_pos(maximum + 1),
                    f"keepalived ignores '{extra}' after '{' '.join(line.words[: maximum + 1])}'",
                )


class DeprecatedKeyword(Rule):
    """What: A keyword keepalived still reads but has replaced, with its replacement.
    Why: Deprecated keywords log a warning at every start, and some lose their meaning in later
    releases (nb_get_retry already makes keepalived -t fail).
    Example:
        HTTP_GET {
            nb_get_retry 3
        }
    Fix: Use the replacement kagen names (here: retry 3).
    """

    code, name, severity = "KA013", "deprecated-keyword", Severity.WARNING
    fix_summary = "replaces the keyword with its current name"

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        for keyword, visit in ctx.visits_of(lambda k: k.deprecated):
            replacement = keyword.replacement
            use = f"; use '{replacement.lstrip('/')}'" if replacement else ""
            yield self.report(visit.node.pos, f"'{visit.node.keyword}' is deprecated{use}", node=(keyword, visit.node))

    def fix(self, ctx: FileContext, finding: Diagnostic, facts: Facts) -> list[Edit]:
        keyword, node = finding.node  # the deprecated keyword, and its statement or block
        replacement = keyword.replacement
        if not replacement:
            raise Unfixable("no replacement is known")
        if not re.fullmatch(r"[a-z0-9_]+", replacement):  # "/K": a keyword of another block
            raise Unfixable(f"'{replacement.lstrip('/')}' goes elsewhere: move it by hand")
        return [replace_keyword(node if isinstance(node, Line) else node.header, replacement)]


ONE_NAME = ("vrrp_instance", "vrrp_sync_group", "track_group")


class BlockName(Rule):
    """What: A vrrp_instance, vrrp_sync_group or track_group without exactly one name.
    Why: keepalived skips the whole block ("must have a name"), so the instance or group does not
    exist at all.
    Example:
        vrrp_instance web vip {
        }
    Fix: Give the block one name without blanks (web_vip).
    """

    code, name, severity = "KA014", "block-name", Severity.ERROR
    reads = ONE_NAME

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        for node in ctx.config.items:
            if isinstance(node, Block) and node.keyword in ONE_NAME and len(node.args) != 1:
                yield self.report(
                    node.pos,
                    f"{node.keyword} needs exactly one name, found {len(node.args)}: keepalived skips the block",
                )


_TEMPLATE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}|<%.*?%>|@[A-Z][A-Z0-9_]*@")
_UNDEFINED = re.compile(r"\$\{?[A-Za-z_][A-Za-z0-9_]*\}?")


class TemplateSyntax(Rule):
    """What: Leftover template syntax ({{ }}, {% %}, <% %>, @VAR@) or a $NAME that no definition
    replaced.
    Why: A template rendered incompletely, or copied by hand, reaches keepalived as literal text:
    braces split the lines, and an undefined $NAME stays as it is ("invalid number '$PRIO'").
    Example:
        priority {{ node.priority }}
    Fix: Render the template, or define the parameter ($PRIO=150) before its use.
    """

    code, name, severity = "KA015", "template-syntax", Severity.ERROR

    def _templates(self, ctx: FileContext, name: str, text: str) -> Iterator[Diagnostic]:
        """The first template marker of each line that is not a comment line."""
        number, counted, examined = 1, 0, 0
        for match in _TEMPLATE.finditer(text):
            number += text.count("\n", counted, match.start())
            counted = match.start()
            if number == examined:
                continue
            examined = number
            start = text.rfind("\n", 0, match.start()) + 1
            if text[start : match.start()].lstrip().startswith(("#", "!")):
                continue
            shown = "" if (name, number) in ctx.secrets else f" '{match.group()}'"  # not a password's part
            yield self.report(
                Position(name, number, match.start() - start + 1),
                f"template syntax{shown} left in the configuration",
            )

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        for source in ctx.config.files:
            yield from self._templates(ctx, source.name, source.text)
        if not any("$" in source.text for source in ctx.config.files):
            return
        for visit in ctx.visits:
            node = visit.node
            lines = node.entries if isinstance(node, ValueBlock) else [node if isinstance(node, Line) else node.header]
            for line in lines:
                if "$" not in line.text:
                    continue
                secret = (line.file.name, line.line) in ctx.secrets
                for index, word in enumerate(line.words):
                    match = _UNDEFINED.search(word)
                    if match:
                        shown = "a $NAME" if secret else f"'{match.group()}'"  # not a password's part
                        yield self.report(
                            line.word_pos(index),
                            f"{shown} is not a defined parameter: keepalived keeps it as text",
                        )


RULES = (
    SyntaxError_(),
    UnknownKeyword(),
    MisplacedKeyword(),
    LineTooLong(),
    IncludeMissing(),
    IncludeCycle(),
    ExpansionLimit(),
    EscapedComment(),
    CommentInValue(),
    KeywordTooNew(),
    MissingArgument(),
    ExtraArguments(),
    DeprecatedKeyword(),
    BlockName(),
    TemplateSyntax(),
)
