"""keepalived's language, bytes to typed model: the keyword table, the reader (physical to logical
lines, includes, ``$PARAMS``, ``~SEQ``), the lexer and Lark parser, the tree, the model and dumps.
Everything else in kagen reads configurations through this package, so it reads them one way."""

import os


def default_config_id() -> str:
    """keepalived's default ``-i``: the first component of the node name (``uname -n``). Here,
    where it costs nothing to import: the lint cache's key holds it."""
    return os.uname().nodename.split(".", 1)[0]
