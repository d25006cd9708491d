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
        "60:5 KA402 HAVIP havip-bp1api address 192.168.9.100 is outside vSwitch vsw-bp1web (192.168.0.0/24)",
        "62:23 KA410 EIPs on HAVIP havip-bp1api: 2, more than Alibaba Cloud allows (1, eips_per_havip)",
        "68:27 KA405 eni eni-bp1db2 is in vSwitch vsw-bp1other, HAVIP havip-bp1db in vsw-bp1db",
    ]


def test_terraform_round_trip_finds_exactly_the_planted_problem(tmp_path):
    out = tmp_path / "inv.yaml"
    assert kagen(*TERRAFORM, "-o", str(out)).returncode == 0
    assert findings(out) == [
        "29:5 KA403 HAVIP havip-bp1old address 192.168.0.255 is reserved in vSwitch vsw-bp1web (192.168.0.0/24: the first and the last three addresses)"
    ]


def test_what_the_records_hold_is_kept():
    text = (REPO / FIXTURES / "describe.expected.yaml").read_text()
    assert "    eip: 47.96.10.1\n" in text  # from AssociatedEipAddresses.associatedEipAddresse
    assert "      - name: i-bp1web2\n        role: master\n" in text  # MasterInstanceId first
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
        "45:23 KA410 EIPs on HAVIP havip-bp1api: 2, more than Alibaba Cloud allows (1, eips_per_havip)"
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
