"""``kagen lsp``: a language server over stdio (pygls) that brings kagen's reader, keyword table,
rules, fixes and layout into any editor with an LSP client."""
