"""Data files: the keepalived keyword table."""
