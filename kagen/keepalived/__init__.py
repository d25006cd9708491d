"""keepalived's language, bytes to typed model: the keyword table, the reader (physical to logical
lines, includes, ``$PARAMS``, ``~SEQ``), the lexer and Lark parser, the tree, the model and dumps.
Everything else in kagen reads configurations through this package, so it reads them one way."""
