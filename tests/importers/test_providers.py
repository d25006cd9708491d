"""kagen import for Tencent Cloud, Volcengine and Huawei Cloud: fixtures in each documented
response shape (the API's wrapped JSON and the SDKs' unwrapped one, Terraform state with child
modules), golden outputs, the provider told from the document's shape, and the round trip: the
imported inventory shows exactly the problems planted in the cloud data, in the provider's words."""

# ruff: noqa: E501 - expected messages read best on one line each

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from support.helpers import REPO

FIXTURES = "tests/fixtures/import"


def kagen(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kagen", *args], capture_output=True, text=True, cwd=REPO, timeout=120)


def findings(path) -> list[str]:
    run = kagen("lint", "--inventory", str(path), "--format", "json")
    return [f"{f['line']}:{f['col']} {f['code']} {f['message']}" for f in json.loads(run.stdout)["findings"]]


T, V, H = f"{FIXTURES}/tencent", f"{FIXTURES}/volcengine", f"{FIXTURES}/huawei"
COMMANDS = {
    "tencent describe": (
        [
            "describe-havips",
            f"{T}/havips.json",
            "--subnets",
            f"{T}/subnets.json",
            "--instances",
            f"{T}/instances.json",
            "--enis",
            f"{T}/enis.json",
        ],
        f"{T}/describe.expected.yaml",
        [
            "93:3 KA406 members of HAVIP havip-big: 11, more than Tencent Cloud allows (10, members_per_havip)",
            "104:20 KA405 CVM web1 is in subnet subnet-web, HAVIP havip-db in subnet-db",
            "110:21 KA407 HAVIP havip-mix mixes CVMs and ENIs; an HAVIP takes one type of member",
        ],
    ),
    "volcengine describe": (
        ["describe-havips", f"{V}/havips.json", "--subnets", f"{V}/subnets.json", "--instances", f"{V}/instances.json"],
        f"{V}/describe.expected.yaml",
        [
            "92:3 KA406 members of HAVIP havip-big: 11, more than Volcengine allows (10, members_per_havip)",
            "103:20 KA405 ECS instance web1 is in subnet subnet-web, HAVIP havip-db in subnet-db",
        ],
    ),
    "huawei list-ports": (
        ["list-ports", f"{H}/ports.json", "--subnets", f"{H}/subnets.json", "--instances", f"{H}/servers.json"],
        f"{H}/list-ports.expected.yaml",
        [
            "64:25 KA405 port web2-eth0 is in subnet net-web, virtual IP vip-db in net-db",
            # vip-edge's allowed address pairs hold vip-web's address: a virtual IP used as a member port
            "75:5 KA404 virtual IP vip-web address 192.168.10.100 is also used by port vip-web",
        ],
    ),
    "tencent terraform": (
        ["terraform", f"{T}/terraform-state.json"],
        f"{T}/terraform.expected.yaml",
        ["40:21 KA407 HAVIP havip-mix mixes CVMs and ENIs; an HAVIP takes one type of member"],
    ),
    "volcengine terraform": (
        ["terraform", f"{V}/terraform-state.json"],
        f"{V}/terraform.expected.yaml",
        ["41:21 KA407 HAVIP havip-web mixes ECS instances and network interfaces; an HAVIP takes one type of member"],
    ),
    "huawei terraform": (
        ["terraform", f"{H}/terraform-state.json"],
        f"{H}/terraform.expected.yaml",
        # the EIP's virtual IP vip-web is also a member port of vip-edge
        ["56:5 KA404 virtual IP vip-web address 192.168.10.100 is also used by port vip-web"],
    ),
}


@pytest.mark.parametrize("case", COMMANDS)
def test_golden(case):
    args, golden, _ = COMMANDS[case]
    run = kagen("import", *args)
    assert (run.returncode, run.stderr) == (0, "")
    assert run.stdout == (REPO / golden).read_text()


@pytest.mark.parametrize("case", COMMANDS)
def test_round_trip_finds_exactly_the_planted_problems(case, tmp_path):
    args, _, planted = COMMANDS[case]
    out = tmp_path / "inv.yaml"
    run = kagen("import", *args, "-o", str(out))
    assert run.returncode == 0 and run.stderr.startswith(f"wrote {out}: ")
    assert findings(out) == planted


def test_the_provider_is_said_with_its_words():
    args = COMMANDS["huawei list-ports"][0]
    run = kagen("import", *args, "-o", "/dev/null", "--force")
    assert run.stderr == "wrote /dev/null: 3 virtual IPs, 3 clusters; check it with: kagen lint --inventory /dev/null\n"


def test_what_the_records_hold_is_kept():
    tencent = (REPO / T / "describe.expected.yaml").read_text()
    assert tencent.startswith("# kagen inventory imported from Tencent Cloud DescribeHaVips")
    assert "\nprovider: tencent\n\nregion: ap-guangzhou\n" in tencent  # from the CVMs' Placement.Zone
    assert "      - name: web2\n        role: master\n" in tencent  # the holder now (InstanceId)
    assert "    eip: 129.211.10.1\n" in tencent  # AddressIp
    assert "  lb1-svc:\n    id: eni-lb1\n    ip: 10.0.0.31\n    vswitch: subnet-web\n    instance: db1\n" in tencent
    volcengine = (REPO / V / "describe.expected.yaml").read_text()
    assert '    name: svc-web\n    description: "web front"\n' in volcengine
    assert "    eip: 180.184.10.1\n" in volcengine  # AssociatedEipAddress
    assert (
        "  eni-db1svc:\n    id: eni-db1svc\n    ip: 172.16.0.41\n    vswitch: subnet-web\n    instance: db1\n"
        in volcengine
    )
    huawei = (REPO / H / "list-ports.expected.yaml").read_text()
    assert "port-dhcp" not in huawei  # a service port, no member
    assert (
        "  web1-eth0:\n    id: port-web1\n    ip: 192.168.10.11\n    vswitch: net-web\n    instance: web1\n" in huawei
    )
    assert "# device: the interface name of this port on its instance (the API does not say)" in huawei


def test_the_provider_can_be_said(tmp_path):
    args = COMMANDS["volcengine describe"][0]
    run = kagen("import", *args, "--provider", "volcengine")
    assert run.stdout == (REPO / V / "describe.expected.yaml").read_text()
    run = kagen("import", "describe-havips", f"{V}/havips.json", "--provider", "tencent")
    assert (run.returncode, run.stderr) == (
        2,
        f"kagen: error: {V}/havips.json: not a Tencent Cloud DescribeHaVips response (no HaVipSet): its keys are ResponseMetadata, Result\n",
    )


def test_documents_of_no_known_shape_are_refused(tmp_path):
    (tmp_path / "foo.json").write_text('{"foo": 1, "bar": []}')
    (tmp_path / "error.json").write_text(
        '{"Response": {"Error": {"Code": "AuthFailure", "Message": "denied"}, "RequestId": "x"}}'
    )
    (tmp_path / "aws.json").write_text(
        json.dumps(
            {
                "format_version": "1.0",
                "values": {
                    "root_module": {"resources": [{"type": "aws_instance", "name": "a", "values": {"id": "i-1"}}]}
                },
            }
        )
    )
    (tmp_path / "two.json").write_text(json.dumps({"format_version": "1.0", "values": {"root_module": {"resources": [
        {"type": "alicloud_vpc_ha_vip", "name": "a", "values": {"id": "havip-1", "vswitch_id": "vsw-1"}},
        {"type": "volcengine_ha_vip", "name": "b", "values": {"id": "havip-2", "subnet_id": "subnet-1"}},
    ]}}}))  # fmt: skip
    cases = {
        (
            "describe-havips",
            str(tmp_path / "foo.json"),
        ): f"{tmp_path}/foo.json: expected a DescribeHaVips response of Alibaba Cloud (HaVips.HaVip), Tencent Cloud (Response.HaVipSet) or Volcengine (Result.HaVips); its keys are bar, foo",
        (
            "describe-havips",
            str(tmp_path / "error.json"),
        ): f"{tmp_path}/error.json: not a Tencent Cloud DescribeHaVips response (no HaVipSet): it is an error response (AuthFailure: denied)",
        (
            "describe-havips",
            f"{H}/ports.json",
        ): f"{H}/ports.json: a Huawei Cloud ListPorts response: read it with kagen import list-ports",
        (
            "describe-havips",
            f"{T}/havips.json",
            "--subnets",
            f"{T}/instances.json",
        ): f"{T}/instances.json: not a Tencent Cloud DescribeSubnets response (no SubnetSet): it looks like a Tencent Cloud DescribeInstances response; give it with the option for that",
        (
            "describe-havips",
            f"{V}/havips.json",
            "--enis",
            f"{V}/instances.json",
        ): "--enis: Volcengine's network interfaces come with DescribeInstances (--instances)",
        (
            "list-ports",
            f"{T}/havips.json",
        ): f"{T}/havips.json: not a Huawei Cloud ListPorts response (no ports): its keys are Response",
        (
            "list-ports",
            f"{H}/ports.json",
            "--subnets",
            f"{H}/servers.json",
        ): f"{H}/servers.json: not a Huawei Cloud ListSubnets response (no subnets): it looks like a Huawei Cloud ListServersDetails response; give it with the option for that",
        (
            "terraform",
            str(tmp_path / "aws.json"),
        ): f"{tmp_path}/aws.json: no resources of a provider kagen knows (expected alicloud_*, tencentcloud_*, volcengine_*, huaweicloud_*)",
        (
            "terraform",
            str(tmp_path / "two.json"),
        ): f"{tmp_path}/two.json: holds the floating IPs of alibaba and volcengine; say which with --provider",
    }
    for args, message in cases.items():
        run = kagen("import", *args)
        assert (run.returncode, run.stdout, run.stderr) == (2, "", f"kagen: error: {message}\n"), args


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"Response": {"HaVipSet": [{"Vip": "10.0.0.1"}]}}', "a HaVip without HaVipId"),
        ('{"Result": {"HaVips": [{"HaVipId": "havip-1"}]}}', "a HaVip without SubnetId"),
        ("[1, 2]", "expected a Tencent Cloud DescribeHaVips response object (or a list of them)"),
        ('{"Response": {"HaVipSet": "x"', "not valid JSON"),
    ],
)
def test_hostile_responses_exit_2_with_the_file(tmp_path, text, message):
    path = tmp_path / "h.json"
    path.write_text(text)
    provider = ["--provider", "tencent"] if text.startswith("[") else []
    run = kagen("import", "describe-havips", str(path), *provider)
    assert (run.returncode, run.stdout) == (2, "")
    assert run.stderr.startswith(f"kagen: error: {path}") and message in run.stderr and "Traceback" not in run.stderr


def test_a_huawei_port_without_id_is_refused(tmp_path):
    path = tmp_path / "p.json"
    path.write_text('{"ports": [{"name": "x", "fixed_ips": [{"ip_address": "10.0.0.1"}]}]}')
    run = kagen("import", "list-ports", str(path))
    assert (run.returncode, run.stderr) == (2, f"kagen: error: {path}: a port without id\n")
