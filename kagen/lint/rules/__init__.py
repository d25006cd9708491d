"""The rules, one module per theme; ``kagen.lint.registry`` lists them. A rule module imports
helpers beside the engine, never another rule module."""
