"""Output formats of ``kagen lint``: one module per format, each with ``render(result, color)``."""
