"""Jinja templates shipped with kagen, loaded by package name."""
