"""Allow ``python -m kagen``."""

from kagen.cli import run

run()
