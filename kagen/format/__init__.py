"""``kagen fmt``: one canonical layout for keepalived configurations, which keepalived reads
exactly as it read the original (kagen.format.layout makes it, kagen.format.run checks it)."""
