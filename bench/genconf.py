"""Generate the reference large keepalived configuration used by the benchmarks.

Shape (as in the project's performance notes): N unicast vrrp_instances on eth0, VRID
``i % 255 + 1``, one peer and one /32 VIP each, all tracking one shared vrrp_script; 2.5 N
virtual_servers (DR, rr, TCP) with 2 real_servers each, checked by TCP_CHECK. N = 2000 gives
~2.2 MB and ~124,000 lines; keepalived 2.2.7 accepts it (``keepalived -t`` exit 0).
"""

from __future__ import annotations

import argparse
import sys


def ip(base: int, i: int) -> str:
    return f"{base}.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}"


def generate(instances: int, out) -> None:
    out.write(
        "global_defs {\n"
        "    router_id bench\n"
        "    enable_script_security\n"
        "    script_user root\n"
        "}\n\n"
        "vrrp_script chk_service {\n"
        '    script "/bin/true"\n'
        "    interval 2\n"
        "    weight -20\n"
        "}\n\n"
    )
    for i in range(instances):
        out.write(
            f"vrrp_instance VI_{i} {{\n"
            "    state BACKUP\n"
            "    interface eth0\n"
            f"    virtual_router_id {i % 255 + 1}\n"
            "    priority 100\n"
            "    advert_int 1\n"
            "    nopreempt\n"
            f"    unicast_src_ip {ip(10, i * 2 + 1)}\n"
            "    unicast_peer {\n"
            f"        {ip(10, i * 2 + 2)}\n"
            "    }\n"
            "    virtual_ipaddress {\n"
            f"        {ip(172, i + 1)}/32\n"
            "    }\n"
            "    track_script {\n"
            "        chk_service\n"
            "    }\n"
            "}\n\n"
        )
    for v in range(instances * 5 // 2):
        out.write(
            f"virtual_server {ip(192, v + 1)} 80 {{\n"
            "    delay_loop 6\n"
            "    lb_algo rr\n"
            "    lb_kind DR\n"
            "    protocol TCP\n"
        )
        for r in range(2):
            out.write(
                f"    real_server {ip(11, v * 2 + r + 1)} 80 {{\n"
                "        weight 1\n"
                "        TCP_CHECK {\n"
                "            connect_timeout 3\n"
                "        }\n"
                "    }\n"
            )
        out.write("}\n\n")


def small(pair: int, member: int) -> str:
    """One member of a unicast pair, as a pre-commit run or a fleet repository holds them: about
    30 lines, one instance, one tracked script. Pair ``pair`` uses VRID ``pair % 255 + 1``."""
    own, other = ip(10, pair * 2 + member + 1), ip(10, pair * 2 + 2 - member)
    return (
        "global_defs {\n"
        f"    router_id lb-{pair}-{member}\n"
        "    enable_script_security\n"
        "    script_user root\n"
        "}\n\n"
        "vrrp_script chk_service {\n"
        '    script "/usr/bin/pgrep -x nginx"\n'
        "    interval 2\n"
        "    weight -20\n"
        "}\n\n"
        f"vrrp_instance VI_{pair} {{\n"
        f"    state {'MASTER' if member == 0 else 'BACKUP'}\n"
        "    interface eth0\n"
        f"    virtual_router_id {pair % 255 + 1}\n"
        f"    priority {150 if member == 0 else 100}\n"
        "    advert_int 1\n"
        f"    unicast_src_ip {own}\n"
        "    unicast_peer {\n"
        f"        {other}\n"
        "    }\n"
        "    unicast_fault_no_peer\n"
        "    virtual_ipaddress {\n"
        f"        {ip(172, pair + 1)}/24 dev eth0\n"
        "    }\n"
        "    track_script {\n"
        "        chk_service\n"
        "    }\n"
        "}\n"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=2000, help="vrrp_instances (default 2000)")
    parser.add_argument("-o", "--output", help="file to write (default: standard output)")
    args = parser.parse_args(argv)
    if args.output:
        with open(args.output, "w", encoding="ascii") as handle:
            generate(args.instances, handle)
    else:
        generate(args.instances, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
