"""kagen import and kagen init: fixtures built from the documented API and Terraform shapes
(pagination, empty lists, missing optional fields, the API's `associatedEipAddresse`), golden
outputs, and the round trip: the imported inventory shows exactly the problems planted in the
cloud data."""

# ruff: noqa: E501 - expected messages read best on one line each

from __future__ import annotations

import json
import subprocess
import sys
from importlib import resources

from support.helpers import REPO

FIXTURES = "tests/fixtures/import"
DESCRIBE = [
    "import", "describe-havips", f"{FIXTURES}/havips.json", "--vswitches", f"{FIXTURES}/vswitches.json",
    "--instances", f"{FIXTURES}/instances.json", "--enis", f"{FIXTURES}/enis.json",
]  # fmt: skip
TERRAFORM = ["import", "terraform", f"{FIXTURES}/terraform-state.json"]


def kagen(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "kagen", *args], capture_output=True, text=True, cwd=REPO, input=stdin, timeout=120
    )


def findings(path) -> list[str]:
    run = kagen("lint", "--inventory", str(path), "--format", "json")
    return [f"{f['line']}:{f['col']} {f['code']} {f['message']}" for f in json.loads(run.stdout)["findings"]]


def test_describe_golden():
    run = kagen(*DESCRIBE)
    assert (run.returncode, run.stderr) == (0, "")
    assert run.stdout == (REPO / FIXTURES / "describe.expected.yaml").read_text()


def test_terraform_golden():
    run = kagen(*TERRAFORM)
    assert (run.returncode, run.stderr) == (0, "")
    assert run.stdout == (REPO / FIXTURES / "terraform.expected.yaml").read_text()


def test_describe_round_trip_finds_exactly_the_planted_problems(tmp_path):
    out = tmp_path / "inv.yaml"
    run = kagen(*DESCRIBE, "-o", str(out))
    assert (
        run.returncode == 0
        and run.stderr == f"wrote {out}: 4 HAVIPs, 3 clusters; check it with: kagen lint --inventory {out}\n"
    )
    assert findings(out) == [
        "61:5 KA402 HAVIP havip-bp1api address 192.168.9.100 is outside vSwitch vsw-bp1web (192.168.0.0/24)",
        "63:23 KA410 EIPs on HAVIP havip-bp1api: 2, more than Alibaba Cloud allows (1, eips_per_havip)",
        "69:27 KA405 eni eni-bp1db2 is in vSwitch vsw-bp1other, HAVIP havip-bp1db in vsw-bp1db",
    ]


def test_terraform_round_trip_finds_exactly_the_planted_problem(tmp_path):
    out = tmp_path / "inv.yaml"
    assert kagen(*TERRAFORM, "-o", str(out)).returncode == 0
    assert findings(out) == [
        # One HAVIP attached to an ECS instance and to an ENI: imported as the state says, so KA407 shows it.
        "40:22 KA407 HAVIP havip-bp1mix mixes ECS instances and ENIs; an HAVIP takes one type of member",
        "45:5 KA403 HAVIP havip-bp1old address 192.168.0.255 is reserved in vSwitch vsw-bp1web (192.168.0.0/24: the first and the last three addresses)",
    ]


def test_what_the_records_hold_is_kept():
    text = (REPO / FIXTURES / "describe.expected.yaml").read_text()
    assert "    eip: 47.96.10.1\n" in text  # from AssociatedEipAddresses.associatedEipAddresse
    assert "      - name: web2\n        role: master\n" in text  # MasterInstanceId first, named by InstanceName
    assert "  web2:\n    id: i-bp1web2\n" in text
    assert "    id: havip-bp1web\n    name: svc-web\n" in text  # Name, and Description when it is not empty
    assert (
        "  havip-bp1idle:\n    id: havip-bp1idle\n    vswitch: vsw-bp1db\n    address: 192.168.1.60\n  havip-" in text
    )
    state = (REPO / FIXTURES / "terraform.expected.yaml").read_text()
    assert "# module.legacy.alicloud_havip.old: alicloud_havip is deprecated" in state
    assert "    routes: [10.8.0.0/16]\n" in state  # alicloud_route_entry with nexthop_type HaVip


def test_havips_alone_give_a_usable_inventory_with_the_gaps_commented(tmp_path):
    out = tmp_path / "inv.yaml"
    assert kagen("import", "describe-havips", f"{FIXTURES}/havips.json", "-o", str(out)).returncode == 0
    text = out.read_text()
    assert text.count("# not in the vSwitch data given: cidr unknown") == 2
    assert text.count("# not in the instance/ENI data given: ip unknown") == 4
    # No CIDR or member address to check against: only what the HAVIP records show themselves.
    assert findings(out) == [
        "46:23 KA410 EIPs on HAVIP havip-bp1api: 2, more than Alibaba Cloud allows (1, eips_per_havip)"
    ]


def test_a_single_page_with_no_havips(tmp_path):
    page = tmp_path / "page.json"
    page.write_text(json.dumps({"RequestId": "x", "TotalCount": 0, "PageNumber": 1, "PageSize": 10, "HaVips": {}}))
    run = kagen("import", "describe-havips", str(page))
    assert run.returncode == 0
    assert "havips: {}\n" in run.stdout


def test_bad_sources_exit_2(tmp_path):
    (tmp_path / "x.json").write_text('{"HaVips": {"HaVip": [{"IpAddress": "10.0.0.1"}]}}')
    (tmp_path / "junk.json").write_text("{nope")
    (tmp_path / "plan.json").write_text('{"values": {}}')
    cases = {
        ("describe-havips", str(tmp_path / "x.json")): f"kagen: error: {tmp_path}/x.json: a HaVip without HaVipId\n",
        (
            "describe-havips",
            str(tmp_path / "junk.json"),
        ): f"kagen: error: {tmp_path}/junk.json:1: not valid JSON: Expecting property name enclosed in double quotes (column 2)\n",
        (
            "terraform",
            str(tmp_path / "plan.json"),
        ): f"kagen: error: {tmp_path}/plan.json: not the output of terraform show -json (no format_version)\n",
        ("terraform", str(tmp_path / "none.json")): f"kagen: error: {tmp_path}/none.json: No such file or directory\n",
    }
    for args, message in cases.items():
        run = kagen("import", *args)
        assert (run.returncode, run.stdout, run.stderr) == (2, "", message)


def test_import_does_not_overwrite_without_force(tmp_path):
    out = tmp_path / "inv.yaml"
    out.write_text("mine\n")
    run = kagen(*TERRAFORM, "-o", str(out))
    assert (run.returncode, run.stderr) == (2, f"kagen: error: {out} exists; use --force to replace it\n")
    assert out.read_text() == "mine\n"
    assert kagen(*TERRAFORM, "-o", str(out), "--force").returncode == 0
    assert out.read_text() == (REPO / FIXTURES / "terraform.expected.yaml").read_text()
    assert [p.name for p in tmp_path.iterdir()] == ["inv.yaml"]  # no temporary file left


def test_init_writes_the_commented_example(tmp_path):
    out = tmp_path / "inventory.yaml"
    run = kagen("init", "-o", str(out))
    assert (run.returncode, run.stderr) == (0, f"wrote {out}; check it with: kagen lint --inventory {out}\n")
    shipped = resources.files("kagen.inventory").joinpath("data", "init-inventory.yaml").read_text()
    assert out.read_text() == shipped and "# " in shipped
    assert findings(out) == []
    assert kagen("init", "-o", str(out)).returncode == 2
    assert kagen("init", "-o", "-").stdout == shipped


def test_a_response_of_another_kind_is_refused(tmp_path):
    (tmp_path / "foo.json").write_text('{"foo": 1}')
    (tmp_path / "denied.json").write_text('{"Code": "Forbidden.RAM", "Message": "not authorized", "RequestId": "x"}')
    vswitches = f"{FIXTURES}/vswitches.json"
    cases = {
        (vswitches,): f"{vswitches}: not a DescribeHaVips response (no HaVips): it looks like a DescribeVSwitches "
        "response; give it with the option for that",
        (
            str(tmp_path / "foo.json"),
        ): f"{tmp_path}/foo.json: expected a DescribeHaVips response of Alibaba Cloud (HaVips.HaVip), Tencent Cloud "
        "(Response.HaVipSet) or Volcengine (Result.HaVips); its keys are foo",
        (
            str(tmp_path / "denied.json"),
        ): f"{tmp_path}/denied.json: not a DescribeHaVips response (no HaVips): it is an error response "
        "(Forbidden.RAM: not authorized)",
        (f"{FIXTURES}/havips.json", "--vswitches", f"{FIXTURES}/havips.json"): f"{FIXTURES}/havips.json: not a "
        "DescribeVSwitches response (no VSwitches): it looks like a DescribeHaVips response; give it with the option for that",
    }
    for args, message in cases.items():
        run = kagen("import", "describe-havips", *args)
        assert (run.returncode, run.stdout, run.stderr) == (2, "", f"kagen: error: {message}\n")


def _havips(pairs: list[tuple[str, str]]) -> str:
    items = [
        {
            "HaVipId": f"havip-{index}",
            "IpAddress": f"10.{index // 250}.{index % 250}.100",
            "VSwitchId": "vsw-1",
            "VpcId": "vpc-1",
            "AssociatedInstanceType": "EcsInstance",
            "AssociatedInstances": {"associatedInstance": list(pair)},
        }
        for index, pair in enumerate(pairs)
    ]
    return json.dumps({"RequestId": "x", "HaVips": {"HaVip": items}})


def _vrids(text: str) -> dict[str, tuple[int, list[str]]]:
    import yaml

    data = yaml.safe_load(text)
    return {name: (c["vrid"], [m["name"] for m in c["members"]]) for name, c in data["clusters"].items()}


def test_vrids_differ_where_members_share_a_node_and_are_reused_past_255_in_a_vpc(tmp_path):
    pairs = [(f"i-{2 * n}", f"i-{2 * n + 1}") for n in range(1000)] + [("i-0", "i-2"), ("i-0", "i-3")]
    (tmp_path / "h.json").write_text(_havips(pairs))
    run = kagen("import", "describe-havips", str(tmp_path / "h.json"))
    assert (run.returncode, run.stderr) == (0, "")
    vrids = _vrids(run.stdout)
    assert len(vrids) == 1002 and len({vrid for vrid, _ in vrids.values()}) == 255  # each one used
    first = sorted(vrids.items())  # the order clusters are given VRIDs in
    assert [vrid for _, (vrid, _) in first[:3]] == [51, 52, 53]  # one per cluster while there are enough
    on_member: dict[str, list[int]] = {}
    for vrid, members in vrids.values():
        for member in members:
            on_member.setdefault(member, []).append(vrid)
    assert all(len(found) == len(set(found)) for found in on_member.values())  # never twice on one node


def test_a_node_in_more_than_255_clusters_is_said_clearly(tmp_path):
    (tmp_path / "h.json").write_text(_havips([("i-hub", f"i-{n}") for n in range(256)]))
    run = kagen("import", "describe-havips", str(tmp_path / "h.json"))
    assert (run.returncode, run.stdout) == (2, "")
    assert run.stderr == (
        "kagen: error: HAVIP havip-99: i-hub is already a member of 255 clusters; keepalived tells the clusters "
        "of one interface apart by VRID (1-255), so none is left for this one\n"
    )
