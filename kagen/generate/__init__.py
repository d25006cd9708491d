"""``kagen generate``: inventory -> plan -> render -> verify -> atomic write."""
