"""KA209, KA210, KA219: scripts keepalived reads differently from what was meant, or refuses to run."""

from __future__ import annotations

from collections.abc import Iterator

from kagen.diagnostics import Diagnostic, Severity
from kagen.keepalived.tree import quoting_problem, split_quoted_escaped, split_words
from kagen.lint.context import FileContext
from kagen.lint.edits import Edit, Facts, Unfixable, own_line, physical
from kagen.lint.rule import Rule


class UnquotedScript(Rule):
    """What: A script command with arguments that is not quoted.
    Why: keepalived takes only the first word as the command; the next words are read as the user
    and group to run it as. keepalived logs "Invalid user/group" and drops the script, or runs the
    command as another user. This goes beyond keepalived -t, which accepts it.
    Example:
        notify_master /usr/local/bin/notify.sh MASTER
    Fix: Quote the whole command: notify_master "/usr/local/bin/notify.sh MASTER".
    """

    code, name, severity = "KA209", "unquoted-script", Severity.ERROR
    beyond_keepalived = True
    fix_summary = "puts the script command in double quotes"

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        for line, _ in ctx.statements_of(lambda keyword: keyword.quoted):
            if len(line.words) < 3:
                continue
            words = split_quoted_escaped(line.text)
            if words is None or len(words) < 3 or line.text.split(None, 1)[1].startswith(('"', "'")):
                continue
            yield self.report(
                line.word_pos(2),
                f"{line.keyword} {words[1]}: keepalived reads '{' '.join(words[2:4])}' as the user to run it as, "
                f'not as arguments; quote the command: {line.keyword} "{" ".join(words[1:])}"',
                node=line,
            )

    def fix(self, ctx: FileContext, finding: Diagnostic, facts: Facts) -> list[Edit]:
        line = own_line(finding.node)
        command = line.text[len(line.keyword) :].strip(" \t")
        if '"' in command or "\\" in command:
            raise Unfixable("the command holds quotes or backslashes: quote it by hand")
        text = physical(line.file)[line.line - 1]
        body = text.rstrip("\r")
        rest = body[line.col - 1 + len(line.text) :]  # blanks and a trailing comment
        quoted = f'{body[: line.col - 1]}{line.keyword} "{command}"{rest}{text[len(body) :]}'
        return [Edit(line.file, line.line, line.line + 1, (quoted,))]


class ScriptSecurity(Rule):
    """What: Scripts (vrrp_script, notify, MISC_CHECK ...) without enable_script_security in
    global_defs.
    Why: keepalived then runs them as root and reports a security violation: keepalived -t fails
    (exit status 6). keepalived only notices when the script exists on the machine it runs on;
    kagen reports it wherever the file is linted.
    Example:
        vrrp_script chk {
            script "/usr/local/bin/check.sh"
        }
    Fix: Add enable_script_security and script_user (for example keepalived_script) to global_defs,
    and make sure the scripts are not writable by that user.
    """

    code, name, severity = "KA210", "script-security", Severity.ERROR
    whole_config = True
    beyond_keepalived = True

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        scripts = [line for line, _ in ctx.statements_of(lambda keyword: keyword.quoted) if len(line.words) > 1]
        order = {source.name: index for index, source in enumerate(ctx.config.files)}
        scripts.sort(key=lambda line: (order.get(line.pos.file, 0), line.pos.line, line.pos.col))
        if not scripts:
            return
        defs = ctx.config.global_defs
        if not defs.has("enable_script_security"):
            yield self.report(
                scripts[0].pos,
                f"{scripts[0].keyword} runs a script but global_defs has no enable_script_security: "
                "keepalived runs it as root and reports a security violation",
            )
        elif not defs.has("script_user"):
            yield self.report(
                scripts[0].pos,
                "enable_script_security without script_user: keepalived needs a 'keepalived_script' user on "
                "the machine, or drops the scripts; set script_user",
                Severity.WARNING,
            )


class ScriptSyntax(Rule):
    """What: A script command keepalived cannot split into words: a ' or " without its closing
    one, or a backslash at the end.
    Why: keepalived reports "missing terminating" quote (or "No script set") and ignores the
    script, so the health check or the notification never runs; keepalived -t fails on it.
    Example:
        vrrp_script chk_web {
            script "/usr/bin/test -f '/run/web.ok"
        }
    Fix: Close the quote, or escape the character with a backslash.
    """

    code, name, severity = "KA219", "script-syntax", Severity.ERROR

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        for line, _ in ctx.statements_of(lambda keyword: keyword.quoted):
            if len(line.words) < 2 or split_words(line.text)[1] >= 0:  # the reader reported that '"' (KA001)
                continue
            words = split_quoted_escaped(line.text)
            problem = quoting_problem(line.text) if words is None else quoting_problem(words[1])
            if problem is not None:
                yield self.report(
                    line.word_pos(1),
                    f"keepalived cannot split the {line.keyword} command into words ({problem}) and ignores it",
                )


RULES = (UnquotedScript(), ScriptSecurity(), ScriptSyntax())
