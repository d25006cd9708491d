"""Lark grammars shipped with kagen, loaded by package name."""
