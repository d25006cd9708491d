"""Every file of the shared sample corpus parses, to the expected result (not just "no exception").

The corpus lives outside the repository (../shared/corpus/keepalived-samples or $KAGEN_SHARED);
without it these tests skip. Each file's verdict is also checked against each keepalived release
kagen is measured against (the distribution's and the newest, tests/support/referee.py), with that
release as the target version; tests/lint/test_agreement.py compares what keepalived parsed.
"""

from __future__ import annotations

from collections import Counter

import pytest

from kagen.keepalived.parse import parse_file
from support import agreement
from support.helpers import corpus_files

FILES = {path.name: path for path in corpus_files()}

# name: (vrrp_instances, unicast ones, vrrp_scripts, sync groups, virtual_servers, real_servers,
#        diagnostic codes). Read with config id "kagen-lab", which matches none of their @ID lines.
EXPECTED = {
    "doc.keepalived.conf.SYNOPSIS": (0, 0, 0, 0, 0, 0, {"KA002": 4}),
    "docker.keepalived.conf": (1, 0, 0, 0, 0, 0, {}),
    "etc.keepalived.conf": (1, 0, 0, 0, 3, 5, {}),
    "etc.keepalived.conf.sample.in": (1, 0, 0, 0, 3, 5, {}),
    "keepalived.conf.HTTP_GET.port": (0, 0, 0, 0, 1, 1, {}),
    "keepalived.conf.IPv6": (0, 0, 0, 0, 1, 1, {}),
    "keepalived.conf.PING_CHECK": (0, 0, 0, 0, 1, 1, {}),
    "keepalived.conf.SMTP_CHECK": (0, 0, 0, 0, 1, 3, {}),
    "keepalived.conf.SSL_GET": (1, 0, 0, 0, 2, 2, {}),
    "keepalived.conf.UDP_CHECK": (0, 0, 0, 0, 1, 1, {}),
    "keepalived.conf.conditional_conf": (1, 0, 1, 0, 0, 0, {}),
    "keepalived.conf.fwmark": (0, 0, 0, 0, 1, 2, {}),
    "keepalived.conf.inhibit": (0, 0, 0, 0, 1, 1, {}),
    "keepalived.conf.misc_check": (0, 0, 0, 0, 1, 1, {}),
    "keepalived.conf.misc_check_arg": (0, 0, 0, 0, 1, 1, {}),
    "keepalived.conf.quorum": (0, 0, 0, 0, 1, 10, {}),
    "keepalived.conf.sample": (1, 0, 0, 0, 1, 1, {}),
    "keepalived.conf.status_code": (0, 0, 0, 0, 1, 1, {}),
    "keepalived.conf.track_interface": (1, 0, 0, 0, 0, 0, {}),
    "keepalived.conf.virtual_server_group": (0, 0, 0, 0, 1, 2, {}),
    "keepalived.conf.virtualhost": (0, 0, 0, 0, 1, 1, {}),
    "keepalived.conf.vrrp": (4, 0, 0, 0, 0, 0, {}),
    "keepalived.conf.vrrp.localcheck": (9, 0, 5, 0, 0, 0, {}),
    "keepalived.conf.vrrp.lvs_syncd": (3, 0, 0, 1, 1, 1, {"KA002": 2}),
    "keepalived.conf.vrrp.routes": (1, 0, 0, 0, 0, 0, {}),
    "keepalived.conf.vrrp.rules": (1, 0, 0, 0, 0, 0, {}),
    "keepalived.conf.vrrp.scripts": (3, 0, 0, 1, 0, 0, {}),
    "keepalived.conf.vrrp.static_ipaddress": (1, 0, 0, 0, 0, 0, {}),
    "keepalived.conf.vrrp.sync": (9, 0, 0, 2, 0, 0, {}),
    "test.mk_lots.rendered.conf": (16, 0, 0, 4, 0, 0, {}),
    "tools.json_tracking.template_vrrp_instance.j2": (2, 0, 0, 0, 0, 0, {"KA001": 72, "KA002": 24, "KA003": 25}),
    "www.case-study-failover.1.conf": (4, 0, 0, 2, 0, 0, {}),
    "www.case-study-healthcheck.1.conf": (0, 0, 0, 0, 3, 6, {}),
    "www.case-study-healthcheck.2.conf": (0, 0, 0, 0, 1, 2, {}),
    "www.case-study-mixing.1.conf": (4, 0, 0, 2, 2, 4, {}),
}

pytestmark = pytest.mark.skipif(not FILES, reason="shared corpus not found (../shared or $KAGEN_SHARED)")


def summary(config) -> tuple:
    return (
        len(config.vrrp_instances),
        sum(instance.unicast for instance in config.vrrp_instances),
        len(config.vrrp_scripts),
        len(config.sync_groups),
        len(config.virtual_servers),
        sum(len(vs.real_servers) for vs in config.virtual_servers),
        dict(Counter(d.code for d in config.diagnostics)),
    )


def test_the_corpus_is_the_one_expected():
    assert set(FILES) == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_file(name):
    assert summary(parse_file(str(FILES[name]), "kagen-lab")) == EXPECTED[name]


def test_prose_and_template_get_syntax_diagnostics():
    prose = parse_file(str(FILES["doc.keepalived.conf.SYNOPSIS"]), "kagen-lab")
    assert [d.to_text().split(": ", 1)[1] for d in prose.diagnostics] == [
        "KA002 unknown keyword 'This' [unknown-keyword]",
        "KA002 unknown keyword 'for' [unknown-keyword]",
        "KA002 unknown keyword 'just' [unknown-keyword]",
        "KA002 unknown keyword 'groff' [unknown-keyword]",
    ]
    template = parse_file(str(FILES["tools.json_tracking.template_vrrp_instance.j2"]), "kagen-lab")
    first = template.diagnostics[0]
    assert (first.pos.line, first.pos.col, first.message) == (5, 1, "unexpected '{' (keepalived ignores it)")


def test_comment_character_cuts_a_password():
    config = parse_file(str(FILES["www.case-study-failover.1.conf"]), "kagen-lab")
    auth = config.vrrp_instances[0].blocks("authentication")[0]
    assert [line.words for line in auth.children] == [["auth_type", "AH"], ["auth_pass", "k@l"]]


def test_conditional_sample_per_node():
    path = str(FILES["keepalived.conf.conditional_conf"])
    high, low = parse_file(path, "high"), parse_file(path, "low")
    assert high.items[0].words == ["net_namespace", "high"] and low.items[0].words == ["net_namespace", "low"]
    assert (high.vrrp_instances[0].priority, low.vrrp_instances[0].priority) == ("170", "85")
    assert high.vrrp_scripts[0].script.argv == ["/etc/keepalived/scripts/check_high_VI_0.sh"]


def test_sync_group_members_outside_group_block_are_unknown_keywords():
    config = parse_file(str(FILES["keepalived.conf.vrrp.lvs_syncd"]), "kagen-lab")
    assert [(d.pos.line, d.message) for d in config.diagnostics] == [
        (4, "unknown keyword 'VI_2'"),
        (5, "unknown keyword 'VI_3'"),
    ]


@pytest.mark.keepalived
@pytest.mark.parametrize("name", sorted(set(EXPECTED) - agreement.NOT_CONFIGS))
def test_corpus_verdict_is_keepalived_own(name, keepalived_release_lab, tmp_path):
    """keepalived -t and kagen lint (its release as the target) agree on the file: each message
    keepalived prints has a kagen finding at its place, and a file it accepts has no kagen error
    (but from the rules that go beyond keepalived)."""
    text = FILES[name].read_text(errors="replace")
    outcome = agreement.compare(keepalived_release_lab, name, text, tmp_path, keepalived_release_lab.version)
    unmatched = [message.text for message, ok in zip(outcome.messages, outcome.matched, strict=True) if not ok]
    assert (unmatched, [f.to_text() for f in outcome.false_errors]) == ([], [])
