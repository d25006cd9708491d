"""kagen lint against keepalived -t on mutated configurations, once per keepalived release (the
distribution's and the newest, tests/support/referee.py) with that release as kagen's target version
(tests/support/agreement.py does the work; ``python tests/support/agreement.py [--keepalived PATH]``
prints the full report)."""

from __future__ import annotations

import pytest

from support import agreement
from support.helpers import shared_dir

# How many mutants CI checks; the README's figures come from `python tests/support/agreement.py 1000`.
MUTANTS = 600


@pytest.fixture(scope="module")
def outcomes(keepalived_release_lab, tmp_path_factory):
    work = tmp_path_factory.mktemp("mutants")
    target = keepalived_release_lab.version
    return [
        agreement.compare(keepalived_release_lab, name, text, work, target) for name, text in agreement.mutants(MUTANTS)
    ]


@pytest.mark.keepalived
def test_keepalived_complaints_are_matched(outcomes):
    messages = sum(len(o.messages) for o in outcomes)
    matched = sum(sum(o.matched) for o in outcomes)
    assert len(outcomes) >= 500 and messages > 1000
    assert matched / messages >= 0.95, agreement.report(outcomes)


@pytest.mark.keepalived
def test_no_error_on_files_keepalived_accepts(outcomes):
    false = [o for o in outcomes if o.false_errors]
    assert not false, agreement.report(outcomes)


@pytest.mark.keepalived
def test_mutations_cover_both_verdicts(outcomes):
    if shared_dir() is None:
        pytest.skip("shared corpus not found (../shared or $KAGEN_SHARED): the mutants come from a few fixtures only")
    accepted = sum(1 for o in outcomes if o.status == 0)
    assert 50 <= accepted <= len(outcomes) - 300
