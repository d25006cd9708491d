"""A two-member pair written from one template: the failover rules and kagen explain are tried on
its variants (a weight, a state, nopreempt, timing) with everything else kept consistent."""

from __future__ import annotations

from pathlib import Path

NODE = """vrrp_script chk_web {{
    script "{script}"
    weight {weight}
}}
vrrp_instance VI_1 {{
    state {state}
    interface eth0
    virtual_router_id 51
    priority {priority}
    advert_int {advert}
    unicast_src_ip {source}
    unicast_peer {{
        {peer}
    }}
    unicast_fault_no_peer
    virtual_ipaddress {{
        10.0.0.100/24
    }}
    track_script {{
        chk_web{track}
    }}
{extra}}}
"""
A = {"state": "MASTER", "priority": 150, "source": "10.0.0.1", "peer": "10.0.0.2", "weight": -60}
B = {"state": "BACKUP", "priority": 100, "source": "10.0.0.2", "peer": "10.0.0.1", "weight": -60}
DEFAULTS = {"advert": 1, "track": "", "extra": "", "script": "/usr/bin/pgrep -x nginx"}


def write_pair(tmp_path: Path, a: dict, b: dict) -> list[str]:
    """a.conf and b.conf in ``tmp_path``: the defaults above, changed by ``a`` and ``b``."""
    for name, values in (("a", {**DEFAULTS, **A, **a}), ("b", {**DEFAULTS, **B, **b})):
        (tmp_path / f"{name}.conf").write_text(NODE.format(**values))
    return [str(tmp_path / "a.conf"), str(tmp_path / "b.conf")]
