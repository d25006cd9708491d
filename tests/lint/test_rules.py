"""Every file-scope rule: a failing fixture with its exact findings (line:col message) and a
passing fixture with none. Most fixtures are one valid unicast instance (``inst``) plus the one
thing the rule is about. The expectations were reviewed against keepalived's behaviour (see
tests/support/agreement.py for the measured agreement)."""

# ruff: noqa: E501 - fixtures and expected messages read best on one line each

from __future__ import annotations

import pytest

from kagen.lint import registry
from support.helpers import lint_text

GOOD = """global_defs {
    router_id a
    enable_script_security
    script_user root
}
vrrp_script chk {
    script "/bin/true"
}
vrrp_instance VI_1 {
    state MASTER
    interface eth0
    virtual_router_id 51
    priority 150
    unicast_src_ip 10.0.0.1
    unicast_peer {
        10.0.0.2
    }
    unicast_fault_no_peer
    virtual_ipaddress {
        10.0.0.100/24
    }
    track_script {
        chk
    }
}
"""


SYNC = 'vrrp_script chk {{\n  script "/bin/true"\n  weight -30\n}}\nvrrp_sync_group G {{\n  group {{\n    VI_1\n  }}\n{keep}}}\n'


def inst(*body, name="VI_1", head=""):
    lines = "\n".join("    " + b for b in body)
    return f"""{head}vrrp_instance {name} {{
    interface eth0
    virtual_router_id 51
    unicast_src_ip 10.0.0.1
    unicast_peer {{
        10.0.0.2
    }}
    unicast_fault_no_peer
    virtual_ipaddress {{
        10.0.0.100/24
    }}
{lines}
}}
"""


VS = """virtual_server 10.0.0.100 80 {{
    lb_algo rr
    lb_kind DR
    protocol TCP
{body}
}}
"""


def vs(body="    real_server 10.0.1.1 80 {\n        TCP_CHECK {\n        }\n    }"):
    return VS.format(body=body)


CASES = {
    "KA001": ("vrrp_instance V {\n  state MASTER\n", "vrrp_instance V {\n  state MASTER\n}\n"),
    "KA002": ("vrrp_instance V {\n  prority 1\n}\n", "vrrp_instance V {\n  priority 1\n}\n"),
    "KA003": ("global_defs {\n  priority 1\n}\n", "global_defs {\n  router_id x\n}\n"),
    "KA004": (
        "global_defs {\n  router_id " + "x" * 1100 + "\n}\n",
        "global_defs {\n  router_id " + "x" * 1000 + "\n}\n",
    ),
    "KA005": ("include /nonexistent/kagen/*.conf\ninclude /nonexistent/kagen.conf\n", "include /etc/hostname\n"),
    "KA008": ("global_defs {\n  router_id a\\#b\n}\n", 'global_defs {\n  router_id "a#b"\n}\n'),
    "KA009": ("global_defs {\n  router_id abc!def\n}\n", "global_defs {\n  router_id abc ! def\n}\n"),
    "KA010": (inst("no_virtual_ipaddress"), inst("promote_secondaries")),
    "KA011": (inst("priority"), inst("priority 100")),
    "KA012": (inst("state BACKUP interface eth1"), inst("state BACKUP")),
    "KA013": (
        vs(
            "    real_server 10.0.1.1 80 {\n        HTTP_GET {\n            nb_get_retry 3\n            url {\n                path /\n            }\n        }\n    }"
        ),
        vs(
            "    real_server 10.0.1.1 80 {\n        HTTP_GET {\n            retry 3\n            url {\n                path /\n            }\n        }\n    }"
        ),
    ),
    "KA014": (inst(name="web vip"), inst(name="web_vip")),
    "KA015": (inst("priority {{ prio }}"), inst("priority 100")),
    "KA016": (inst("priority 100  # kagen: disable=value-out-of-rnge"), inst("priority 100  # kagen: disable=KA2")),
    "KA101": (
        "vrrp_instance V {\n  interface eth0\n  virtual_router_id 5\n  unicast_src_ip 10.0.0.1\n  unicast_peer {\n  }\n  virtual_ipaddress {\n    10.0.0.9\n  }\n}\n",
        inst(),
    ),
    "KA102": ("global_defs {\n  vrrp_mcast_group4 224.0.0.18\n}\n", "global_defs {\n  router_id a\n}\n"),
    "KA103": (inst("mcast_src_ip 10.0.0.1"), inst()),
    "KA104": ("global_defs {\n  vrrp_strict\n}\n" + inst(), "global_defs {\n  router_id a\n}\n" + inst()),
    "KA105": (
        "vrrp_instance V {\n  interface eth0\n  unicast_src_ip 10.0.0.1\n  unicast_peer {\n    10.0.0.1\n    10.0.0.2\n  }\n}\n",
        inst(),
    ),
    "KA106": ("vrrp_instance V {\n  interface eth0\n  unicast_peer {\n    10.0.0.2\n  }\n}\n", inst()),
    "KA107": (
        "vrrp_instance V {\n  interface eth0\n  unicast_src_ip 10.0.0.1\n  unicast_peer {\n    fd00::2\n    10.0.0.300\n    10.0.0.2\n  }\n}\n",
        inst(),
    ),
    "KA108": (
        "vrrp_instance V {\n  interface eth0\n  unicast_src_ip 10.0.0.1\n  unicast_peer {\n    10.0.0.2\n  }\n}\n",
        inst(),
    ),
    "KA109": ("vrrp_instance V {\n  interface eth0\n  unicast_ttl 5\n}\n", inst("unicast_ttl 5")),
    "KA110": (inst("use_vmac"), inst("use_vmac", "vmac_xmit_base")),
    "KA201": (inst("priority 0x10"), inst("priority 16")),
    "KA202": (inst("priority 300", "advert_int 0"), inst("priority 255", "advert_int 1")),
    "KA203": (inst("state master"), inst("state MASTER")),
    "KA204": (
        "vrrp_instance V {\n  interface eth0\n  virtual_ipaddress {\n    10.0.0.300\n    10.0.0.1/33 dev eth0 colour red\n    fd00::1\n  }\n}\n",
        inst(),
    ),
    "KA205": (
        inst("authentication {", "    auth_type PASS", "    auth_pass longpassword", "}"),
        inst("authentication {", "    auth_type PASS", "    auth_pass short", "}"),
    ),
    "KA206": (inst("advert_int 0.5"), inst("version 3", "advert_int 0.5")),
    "KA207": ("vrrp_instance V {\n  interface eth0\n}\nvrrp_script s {\n  interval 2\n}\n", inst()),
    "KA208": ("vrrp_instance V {\n  interface eth0\n  virtual_router_id 5\n}\n", inst()),
    "KA209": (
        inst("notify_master /usr/local/bin/notify.sh MASTER"),
        inst('notify_master "/usr/local/bin/notify.sh MASTER"'),
    ),
    "KA210": ("vrrp_script s {\n  script /bin/true\n}\n", GOOD),
    "KA211": (inst("state MASTER", "priority 150", "nopreempt"), inst("state BACKUP", "nopreempt")),
    "KA212": (
        inst("version 3", "authentication {", "    auth_type PASS", "    auth_pass x", "}"),
        inst("authentication {", "    auth_type PASS", "    auth_pass x", "}"),
    ),
    "KA213": (
        inst("track_interface {", "    eth1 weight 300", "    eth1", "    eth2 heavy", "}"),
        inst("track_interface {", "    eth1 weight 30", "    eth2 weight -20 reverse", "}"),
    ),
    "KA214": (
        "vrrp_sync_group G {\n  group {\n    VI_1\n  }\n}\n" + inst(),
        "vrrp_sync_group G {\n  group {\n    VI_1\n    VI_2\n  }\n}\n"
        + inst()
        + inst(name="VI_2").replace("51", "52").replace("10.0.0.100", "10.0.0.101"),
    ),
    "KA215": (
        inst("state MASTER", "authentication {", "    auth_type AH", "    auth_pass x", "}"),
        inst("state BACKUP", "authentication {", "    auth_type AH", "    auth_pass x", "}"),
    ),
    "KA216": (
        "virtual_server fwmark 1 {\n  lb_algo rr\n  lb_kind DR\n  protocol TCP\n  real_server 10.0.1.1 80 {\n  }\n}\n",
        "virtual_server fwmark 1 {\n  lb_algo rr\n  lb_kind DR\n  real_server 10.0.1.1 80 {\n  }\n}\n",
    ),
    "KA217": (
        inst(
            "virtual_routes {",
            "    10.9.0.0/16 gw 10.0.0.254",
            "    10.8.0.0/16 via 10.0.0.254 dev eth0 colour red",
            "}",
            "virtual_rules {",
            "    from 10.9.0.0/16 table 100",
            "}",
        ),
        inst(
            "virtual_routes {",
            "    10.9.0.0/16 via 10.0.0.254 dev eth0",
            "}",
            "virtual_rules {",
            "    from 10.9.0.0/16 table 100 priority 100",
            "}",
        ),
    ),
    "KA218": ("virtual_server 10.0.0.100 80 {\n  real_server 10.0.1.1 80 {\n  }\n}\n", vs()),
    "KA219": (
        'vrrp_script a {\n  script "/bin/test -f \'/run/ok"\n}\nvrrp_script b {\n  script "/bin/true x\\\\"\n}\n',
        'vrrp_script a {\n  script "/bin/test -f \'/run/ok\'"\n}\nvrrp_script b {\n  script "/bin/true x\\\\\\\\"\n}\n',
    ),
    "KA301": (
        "vrrp_instance V {\n  interface eth0\n  track_script {\n    chk\n    later\n  }\n}\nvrrp_script later {\n  script /bin/true\n}\nvrrp_sync_group G {\n  group {\n    V\n    W\n  }\n}\n",
        GOOD,
    ),
    "KA302": (inst() + inst(), inst() + inst(name="VI_2")),
    "KA303": (
        inst() + inst(name="VI_2"),
        inst() + inst(name="VI_2").replace("virtual_router_id 51", "virtual_router_id 52"),
    ),
    "KA304": (
        inst() + inst(name="VI_2").replace("virtual_router_id 51", "virtual_router_id 52"),
        inst()
        + inst(name="VI_2").replace("virtual_router_id 51", "virtual_router_id 52").replace("10.0.0.100", "10.0.0.101"),
    ),
    "KA305": ("virtual_server 10.0.0.100 80 {\n  lb_algo rr\n  lb_kind DR\n  protocol TCP\n}\n", vs()),
    "KA306": (
        "vrrp_sync_group A {\n  group {\n    V1\n    V2\n  }\n}\nvrrp_sync_group B {\n  group {\n    V1\n    V3\n  }\n}\n",
        "vrrp_sync_group A {\n  group {\n    V1\n    V2\n  }\n}\n",
    ),
    "KA307": (inst("priority 100", "priority 150"), inst("priority 150")),
    "KA220": (
        inst(
            "priority 255",
            "track_interface {",
            "    eth0",
            "    eth1 weight -10",
            "}",
            head=GOOD.split("vrrp_instance")[0],
        ),
        inst("priority 250", "track_interface {", "    eth1 weight -10", "}", head=GOOD.split("vrrp_instance")[0]),
    ),
    "KA308": (
        SYNC.format(keep="") + inst("track_script {", "    chk", "}"),
        SYNC.format(keep="  sync_group_tracking_weight\n") + inst("track_script {", "    chk", "}"),
    ),
}

EXPECTED = {
    "KA001": ["1:1 'vrrp_instance V' is not closed: missing '}' at the end of the file"],
    "KA002": ["2:3 unknown keyword 'prority'; did you mean 'priority'?"],
    "KA003": ["2:3 'priority' is not valid in global_defs; it belongs in vrrp_instance"],
    "KA004": [
        "2:1024 line is 1112 bytes; keepalived reads at most 1023 bytes per line (2.2 starts a new line with the rest, 2.3 and later ignore the whole line)"
    ],
    "KA005": [
        "1:1 include '/nonexistent/kagen/*.conf': no such file (keepalived only logs this)",
        "2:1 include '/nonexistent/kagen.conf': no such file (keepalived only logs this)",
    ],
    "KA008": [
        "2:14 '\\#' does not escape a comment character: keepalived's VRRP and checker processes still cut the line there; put the value in double quotes"
    ],
    "KA009": [
        "2:16 '!' starts a comment here: keepalived reads 'abc' and drops '!def'; quote the value if the character belongs to it"
    ],
    "KA010": ["12:5 'no_virtual_ipaddress' is not known to keepalived 2.2.7 (it appeared in 2.2.8)"],
    "KA011": ["12:5 'priority' needs a value (uint)"],
    "KA012": ["12:18 keepalived ignores 'interface eth1' after 'state BACKUP'"],
    "KA013": ["7:13 'nb_get_retry' is deprecated; use 'retry'"],
    "KA014": ["1:1 vrrp_instance needs exactly one name, found 2: keepalived skips the block"],
    "KA015": ["12:14 template syntax '{{ prio }}' left in the configuration"],
    "KA016": [
        "12:36 'value-out-of-rnge' in a kagen: disable comment names no rule; did you mean 'value-out-of-range'?"
    ],
    "KA101": [
        "1:1 vrrp_instance V runs multicast: its unicast_peer block is empty, so keepalived silently falls back to multicast; on a network without multicast every node becomes MASTER. Add unicast_src_ip <this node> and unicast_peer { <the other nodes> }"
    ],
    "KA102": ["2:3 vrrp_mcast_group4 only applies to multicast VRRP: remove it and use unicast peers"],
    "KA103": ["12:5 mcast_src_ip names multicast: write unicast_src_ip instead"],
    "KA104": [
        "2:3 vrrp_strict forbids unicast peers and authentication: remove it",
        "4:1 VI_1 has unicast peers in strict mode: keepalived 2.4.4 refuses it ('Unicast peers are not supported in strict mode') and does not run VRRP; remove vrrp_strict",
    ],
    "KA105": ["5:5 10.0.0.1 is this node's own address (unicast_src_ip): list only the other nodes"],
    "KA106": [
        "1:1 V has no unicast_src_ip: keepalived sends from the interface's primary address; set unicast_src_ip to the address the other nodes list as peer"
    ],
    "KA107": [
        "5:5 unicast peer fd00::2 is IPv6 but V is IPv4: keepalived skips it",
        "6:5 unicast peer 10.0.0.300 is not an IP address: keepalived skips it",
    ],
    "KA108": [
        "1:1 V has no unicast_fault_no_peer: without peers it would silently fall back to multicast; add unicast_fault_no_peer"
    ],
    "KA109": ["3:3 unicast_ttl has no effect: V has no usable unicast peer"],
    "KA110": [
        "12:5 VI_1 runs unicast with use_vmac but without vmac_xmit_base: keepalived reports an error and sets it; add vmac_xmit_base"
    ],
    "KA201": ["12:14 priority '0x10' is not a whole number"],
    "KA202": ["12:14 priority 300 is outside 1..255", "13:16 advert_int 0 is outside 0.01..255"],
    "KA203": ["12:11 state 'master' is not one of MASTER, BACKUP: keepalived uses BACKUP"],
    "KA204": [
        "4:5 '10.0.0.300' is not an IP address: keepalived skips it",
        "5:5 prefix /33 is not 0..32: keepalived uses /32",
        "5:26 'colour' is not a virtual_ipaddress option: keepalived ignores it",
        "5:33 'red' is not a virtual_ipaddress option: keepalived ignores it",
        "6:5 fd00::1 is IPv6 but V is IPv4: keepalived skips it (use virtual_ipaddress_excluded or another instance)",
    ],
    "KA205": ["14:19 auth_pass is 12 characters: keepalived uses only the first 8"],
    "KA206": [
        "12:16 advert_int 0.5: VRRP version 2 needs whole seconds, keepalived rounds it; use version 3 for sub-second adverts"
    ],
    "KA207": [
        "1:1 vrrp_instance V has no virtual_router_id: keepalived does not start VRRP at all (every instance of the configuration is lost)",
        "4:1 vrrp_script s has no script: keepalived drops it",
    ],
    "KA208": ["1:1 vrrp_instance V has no virtual IP address"],
    "KA209": [
        "12:44 notify_master /usr/local/bin/notify.sh: keepalived reads 'MASTER' as the user to run it as, not as arguments; quote the command: notify_master \"/usr/local/bin/notify.sh MASTER\""
    ],
    "KA210": [
        "2:3 script runs a script but global_defs has no enable_script_security: keepalived runs it as root and reports a security violation"
    ],
    "KA211": ["14:5 nopreempt does not work with state MASTER: keepalived clears it"],
    "KA212": ["13:5 VRRP version 3 has no authentication: keepalived ignores this block"],
    "KA213": [
        "13:21 weight 300 is outside -253..253",
        "14:9 eth1 is already in this track_interface: keepalived ignores it [warning]",
        "15:14 'heavy' is not a track_interface option (weight N [reverse])",
    ],
    "KA214": ["1:1 vrrp_sync_group G has 1 instance(s): it synchronises nothing"],
    "KA215": ["12:5 state MASTER is incompatible with AH authentication: keepalived starts as BACKUP"],
    "KA216": ["4:3 protocol is ignored for virtual_server fwmark 1"],
    "KA217": [
        "13:9 route without dev: keepalived before 2.3.2 cannot track it (add dev IF or no_track) [warning]",
        "13:21 'gw' is deprecated in routes; use 'via' [warning]",
        "14:45 'colour' is not a route keyword: keepalived rejects the route",
        "17:9 rule without preference: keepalived picks one (16384 downwards) [warning]",
    ],
    "KA218": [
        "1:1 no lvs_method/lb_kind: keepalived uses NAT",
        "1:1 no lvs_sched/lb_algo: keepalived uses wlc",
        "1:1 no protocol: keepalived uses UDP",
    ],
    "KA219": [
        "2:10 keepalived cannot split the script command into words (its ' has no closing ') and ignores it",
        "5:10 keepalived cannot split the script command into words (it ends in a backslash) and ignores it",
    ],
    "KA301": [
        "4:5 track_script 'chk' is not defined: keepalived ignores it",
        "5:5 track_script 'later' is defined after this block (line 8): keepalived looks it up here, does not find it and ignores it; move its definition up",
        "14:5 sync group member 'W' is not a vrrp_instance: keepalived ignores it",
    ],
    "KA302": ["14:1 vrrp_instance VI_1 is already defined at line 1: keepalived skips this one"],
    "KA303": ["3:5 VI_1 and VI_2 both use VRID 51 on eth0", "16:5 VI_2 and VI_1 both use VRID 51 on eth0"],
    "KA304": ["23:9 10.0.0.100 is also a virtual IP of VI_1"],
    "KA305": ["1:1 virtual_server 10.0.0.100 80 has no real_server: keepalived ignores it"],
    "KA306": ["9:5 V1 is already in sync group A"],
    "KA307": ["13:5 priority is already given at line 12: keepalived uses only one"],
    "KA220": [
        "22:9 keepalived ignores track_interface eth0: it is the instance's own interface",
        "23:9 keepalived ignores interface eth1, which has a weight: the instance is the address owner (priority 255)",
    ],
    "KA308": [
        "22:9 keepalived drops chk from VI_1: in sync group G a tracked script with a weight (-30) is ignored, so the check never runs; add sync_group_tracking_weight to G or track it with weight 0"
    ],
}

# KA005's passing case needs a real file (test_lint.py); KA006/KA007 are in test_source.py.
TARGET = {"KA010": {"target_version": (2, 2, 7)}, "KA217": {"target_version": (2, 2, 7)}}


@pytest.mark.parametrize("code", sorted(CASES))
def test_failing_fixture(code):
    assert lint_text(CASES[code][0], code, **TARGET.get(code, {})) == EXPECTED[code]


@pytest.mark.parametrize("code", sorted(set(CASES) - {"KA005"}))
def test_passing_fixture(code):
    assert lint_text(CASES[code][1], code, **TARGET.get(code, {})) == []


def test_every_file_rule_has_fixtures():
    file_rules = {r.code for r in registry.RULES if r.scope.value == "file"}
    # KA006, KA007: tests/keepalived; KA017 judges suppressions by other rules: tests/lint/test_suppressions.py
    assert file_rules - {"KA006", "KA007", "KA017"} == set(CASES)


FWMARK_SERVER = """virtual_server fwmark 5 {{
    lb_algo rr
    lb_kind {method}
    real_server 192.168.201.100 80 {{
        TCP_CHECK {{
        }}
    }}
    real_server fd00::1 80 {{
        TCP_CHECK {{
        }}
    }}
}}
"""


@pytest.mark.parametrize(
    "method, expected",
    [
        ("NAT", ["8:17 real_server fd00::1 is IPv6 but the virtual server is IPv4: keepalived skips it"]),
        ("TUN", []),
    ],
)
def test_fwmark_server_takes_the_family_of_its_first_real_server(method, expected):
    """keepalived's rs_end_handler: an address-less server gets the first real server's family;
    a tunnelled real server may be of the other family."""
    assert lint_text(FWMARK_SERVER.format(method=method), "KA204") == expected


@pytest.mark.parametrize(
    "fwmark, expected",
    [
        (
            "fwmark 1",
            [
                "1:1 virtual_server_group mixes IPv4 and IPv6 with a fwmark of no family: keepalived removes it; add inet or inet6 to the fwmark entries"
            ],
        ),
        ("fwmark 1 inet", []),
        (
            "fwmark 0",
            [
                "1:1 virtual_server_group mixes IPv4 and IPv6 with a fwmark of no family: keepalived removes it; add inet or inet6 to the fwmark entries"
            ],
        ),
    ],
)
def test_group_with_both_families_needs_fwmark_families(fwmark, expected):
    text = f"virtual_server_group G {{\n    10.0.0.1 80\n    fd00::1 80\n    {fwmark}\n}}\n"
    assert lint_text(text, "KA213") == expected


def test_route_address_families_must_agree():
    """keepalived's parse_route_opts: "Cannot mix IPv4 and IPv6 addresses for route"; a family
    given with via (via inet ADDR) is read, not taken for the address."""
    text = (
        "static_routes {\n    10.0.0.0/24 via inet 10.0.0.1 dev eth0\n    fd00::/64 via 10.0.0.1 dev eth0\n"
        "    src 10.0.0.5 fd00::/64 dev eth0\n}\n"
    )
    assert lint_text(text, "KA217") == [
        "3:19 '10.0.0.1' is of the other address family than the route: keepalived skips the route",
        "4:18 'fd00::/64' is of the other address family than the route: keepalived skips the route",
    ]


def test_scope_on_an_ipv6_virtual_address_is_ignored():
    text = "vrrp_instance V {\n    virtual_ipaddress {\n        fd00::1/64 dev eth0 scope link\n    }\n}\n"
    assert lint_text(text, "KA204") == ["3:29 keepalived ignores scope for IPv6 addresses"]


ONLY_SOURCE = "vrrp_instance V {\n  interface eth0\n  unicast_src_ip 10.0.0.1\n  use_ipvlan\n}\n"


@pytest.mark.parametrize(
    "text, target, expected",
    [
        (inst("use_vmac"), (2, 1, 5), []),  # keepalived checks it since 2.2.0
        (inst("use_ipvlan"), (2, 2, 0), ["12:5 VI_1 runs unicast with use_ipvlan but without vmac_xmit_base"]),
        (ONLY_SOURCE, (2, 2, 4), []),  # before 2.2.5 only kept peers count
        (ONLY_SOURCE, (2, 2, 5), ["4:3 V runs unicast with use_ipvlan but without vmac_xmit_base"]),
        ("vrrp_instance V {\n  use_vmac\n  unicast_peer {\n    10.0.0.2\n  }\n}\n", (2, 2, 7), []),  # no interface
    ],
)
def test_vmac_xmit_base_follows_the_keepalived_release(text, target, expected):
    found = lint_text(text, "KA110", target_version=target)
    assert [finding.split(": keepalived")[0] for finding in found] == expected


def test_a_later_preempt_clears_nopreempt():
    text = inst("priority 255", "nopreempt", "preempt")
    assert lint_text(text, "KA211") == []
    assert lint_text(inst("priority 255", "preempt", "nopreempt"), "KA211") == [
        "14:5 nopreempt is incompatible with priority 255: keepalived clears it"
    ]


def test_strict_mode_off_changes_no_state():
    assert lint_text(inst("state MASTER", "priority 150", "strict_mode off"), "KA215") == []
