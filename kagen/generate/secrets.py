"""VRRP passwords for ``kagen generate``: read from the environment variable or the file the
inventory names, never from the inventory itself, and never shown.

keepalived must find the password in its configuration, so the generated file holds it (and is
written readable by its owner only); everything kagen prints about it (problems, verification
findings, ``--check`` diffs) goes through ``Secrets.mask``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

from kagen.cloud.model import Auth
from kagen.reading import Unreadable, read_capped

# VRRPv2 simple-text authentication carries 8 bytes; keepalived cuts a longer password.
PASS_LENGTH = 8
# Written inside double quotes on one line: nothing that ends the word, the quote or the line.
PASSWORD = re.compile(r"[!-~]+")
# keepalived substitutes $NAME in every line, quoted or not: a password with '$' is not read as written.
FORBIDDEN = set('"#!{}\\$')
MASK = "********"
PASSWORD_FILE_BYTES = 4096  # a password file holds one line; /dev/zero or a FIFO is refused before reading
_AUTH_PASS = re.compile(r'(auth_pass\s+"?)[^\s"]+')


class SecretError(ValueError):
    """A password that cannot be used; the message never contains it."""


def read_password(auth: Auth, base: str, environ: Mapping[str, str] | None = None) -> str:
    """The password ``auth`` points at; a relative ``password_file`` is relative to ``base``
    (the inventory's directory)."""
    environ = os.environ if environ is None else environ
    if auth.password_env is not None:
        if auth.password_env not in environ:
            raise SecretError(f"the environment variable {auth.password_env} is not set")
        password = environ[auth.password_env]
        origin = f"${auth.password_env}"
    elif auth.password_file is not None:
        path = os.path.join(base, os.path.expanduser(auth.password_file))
        try:
            password = read_capped(path, PASSWORD_FILE_BYTES).decode("utf-8").rstrip("\r\n")
        except (Unreadable, UnicodeDecodeError) as exc:
            reason = exc.reason if isinstance(exc, Unreadable) else "not UTF-8 text"
            raise SecretError(f"cannot read the password file {auth.password_file}: {reason}") from None
        origin = auth.password_file
    else:
        raise SecretError("needs password_env or password_file: kagen does not take passwords from the inventory")
    if not password:
        raise SecretError(f"the password from {origin} is empty")
    if not PASSWORD.fullmatch(password) or FORBIDDEN.intersection(password):
        raise SecretError(
            f"the password from {origin} has a character keepalived cannot read as written in a quoted word "
            '(blank, control, non-ASCII, or one of " # ! { } \\ $; keepalived replaces $NAME even in quotes)'
        )
    if auth.type == "PASS" and len(password) > PASS_LENGTH:
        raise SecretError(
            f"the password from {origin} is {len(password)} characters; VRRP PASS authentication uses "
            f"{PASS_LENGTH} and keepalived would cut it"
        )
    return password


class Secrets:
    """The passwords of one run, to hide them from everything kagen prints."""

    def __init__(self) -> None:
        self.values: set[str] = set()

    def add(self, value: str) -> str:
        self.values.add(value)
        return value

    def mask(self, text: str) -> str:
        """``text`` with every ``auth_pass`` value, and every password of four or more characters
        wherever it appears, replaced by asterisks (a shorter one would hide ordinary text)."""
        text = _AUTH_PASS.sub(rf"\1{MASK}", text)
        for value in sorted(self.values, key=len, reverse=True):
            if len(value) >= 4:
                text = text.replace(value, MASK)
        return text
