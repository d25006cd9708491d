"""What the tests share: paths and helpers (helpers), the keepalived lab in a network namespace
(lab), the failover lab (failover) and the agreement measurement (agreement). ``tests/`` is on
``sys.path`` (its conftest.py), so tests import ``support.helpers`` and the like."""
