"""Loading inventories: the three formats, defaults, and every kind of bad input as a located
message (exit 2 from the command line), never a traceback."""

# ruff: noqa: E501 - expected messages read best on one line each

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import yaml

from kagen.inventory.load import InventoryError, load
from support.helpers import REPO

EXAMPLE = REPO / "examples" / "web-pair" / "inventory.yaml"


def problems(tmp_path, text: str | bytes, name: str = "inv.yaml") -> list[str]:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    with pytest.raises(InventoryError) as caught:
        load(str(path))
    return [problem.replace(f"{tmp_path}/", "") for problem in caught.value.problems]


def summary(inv) -> dict:
    return {
        "region": inv.region,
        "endpoints": {n: (str(e.ip), e.vswitch, e.interface, e.kind) for n, e in inv.endpoints.items()},
        "havips": {n: (str(h.address), h.vswitch, h.members) for n, h in inv.havips.items()},
        "clusters": {
            n: (c.vrid, c.havips, [(m.name, m.role, m.priority) for m in c.members]) for n, c in inv.clusters.items()
        },
    }


def test_pair_defaults():
    inv = load(str(EXAMPLE))
    assert summary(inv)["clusters"] == {"web": (51, ["web"], [("web-a", "MASTER", 150), ("web-b", "BACKUP", 100)])}
    assert inv.endpoints["web-a"].interface == "eth0"
    assert inv.clusters["web"].check.script == "/usr/bin/pgrep -x nginx"


def test_nopreempt_makes_every_member_backup(tmp_path):
    path = tmp_path / "inv.yaml"
    path.write_text(EXAMPLE.read_text().replace("    vrid: 51\n", "    vrid: 51\n    nopreempt: true\n"))
    members = load(str(path)).clusters["web"].members
    assert [(m.role, m.priority) for m in members] == [("BACKUP", 100), ("BACKUP", 90)]


def test_json_and_toml_give_the_same_model(tmp_path):
    data = yaml.safe_load(EXAMPLE.read_text())
    (tmp_path / "inv.json").write_text(json.dumps(data, indent=2))
    toml = [f'region = "{data["region"]}"']
    for section in ("vswitches", "instances", "havips", "clusters"):
        for name, entry in data[section].items():
            toml.append(f"[{section}.{name}]")
            for key, value in entry.items():
                if isinstance(value, dict):
                    continue
                toml.append(f"{key} = {json.dumps(value)}")
            for key, value in entry.items():
                if isinstance(value, dict):
                    toml.append(f"[{section}.{name}.{key}]")
                    toml.extend(f"{k} = {json.dumps(v)}" for k, v in value.items())
    (tmp_path / "inv.toml").write_text("\n".join(toml) + "\n")
    expected = summary(load(str(EXAMPLE)))
    assert summary(load(str(tmp_path / "inv.json"))) == expected
    assert summary(load(str(tmp_path / "inv.toml"))) == expected
    assert load(str(tmp_path / "inv.json")).havips["web"].pos.line == 20
    assert load(str(tmp_path / "inv.toml")).clusters["web"].vrid_pos.line == toml.index("vrid = 51") + 1


def test_unknown_member_names_its_place(tmp_path):
    text = EXAMPLE.read_text().replace(
        "members: [web-a, web-b]", "members:\n      - web-a\n      - web-b\n      - web-3"
    )
    assert problems(tmp_path, text) == [
        "inv.yaml:26: havips.web.members[2]: unknown instance or ENI 'web-3'; did you mean 'web-b'?"
    ]


@pytest.mark.parametrize(
    "old, new, expected",
    [
        (
            "vrid: 51",
            "vird: 51",
            ["clusters.web.vird: unknown key 'vird'; did you mean 'vrid'?", "clusters.web.vrid: required, but missing"],
        ),
        (
            "members: [web-a, web-b]",
            "members: [web-a, webb]",
            ["havips.web.members[1]: unknown instance or ENI 'webb'; did you mean 'web-b'?"],
        ),
        (
            "vswitch: vsw-web\n    members",
            "vswitch: vsw-wbe\n    members",
            ["havips.web.vswitch: unknown vSwitch 'vsw-wbe'; did you mean 'vsw-web'?"],
        ),
        ("havip: web", "havip: wbe", ["clusters.web.havip: unknown HAVIP 'wbe'; did you mean 'web'?"]),
        ("region:", "regoin:", ["regoin: unknown key 'regoin'; did you mean 'region'?"]),
        (
            "      script:",
            "      scrpt:",
            [
                "clusters.web.check.scrpt: unknown key 'scrpt'; did you mean 'script'?",
                "clusters.web.check.script: required, but missing",
            ],
        ),
        ("vrid: 51", "vrid: 51\n    zzz: 1", ["clusters.web.zzz: unknown key 'zzz'"]),
    ],
)
def test_a_misspelt_key_or_reference_gets_a_suggestion(tmp_path, old, new, expected):
    text = EXAMPLE.read_text()
    assert old in text
    found = [problem.split(": ", 1)[1] for problem in problems(tmp_path, text.replace(old, new, 1))]
    assert sorted(found) == sorted(expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("region: cn-hangzhou\ncolour: red\n", ["inv.yaml:2: colour: unknown key 'colour'"]),
        (
            "instances:\n  a: {ip: 10.0.0.300, vswitch: v}\n",
            ["inv.yaml:2: instances.a.ip: '10.0.0.300' is not an IPv4 address"],
        ),
        ("instances:\n  a: {ip: 10.0.0.1}\n", ["inv.yaml:2: instances.a.vswitch: required, but missing"]),
        ("clusters:\n  c: {havip: h, vrid: 0}\n", ["inv.yaml:2: clusters.c.vrid: 0 is not between 1 and 255"]),
        (
            "clusters:\n  c: {havip: h, vrid: '51'}\n",
            ["inv.yaml:2: clusters.c.vrid: expected a whole number, got '51'"],
        ),
        (
            "clusters:\n  c: {havip: h, vrid: true}\n",
            ["inv.yaml:2: clusters.c.vrid: expected a whole number, got True"],
        ),
        (
            "limits: {havip_per_vpc: 9}\n",
            [
                "inv.yaml:1: limits.havip_per_vpc: unknown limit 'havip_per_vpc' (known: members_per_havip, havips_per_instance, havips_per_account, havips_per_vpc, havip_routes_per_vpc, eips_per_havip)"
            ],
        ),
        ("region: cn-hangzhou\nregion: cn-beijing\n", ["inv.yaml:2: region: duplicate key (first on line 1)"]),
        (
            "havips: [a, b\n",
            ["inv.yaml:2: not valid YAML: while parsing a flow sequence did not find expected ',' or ']'"],
        ),
        ("- a\n- b\n", ["inv.yaml:1: the inventory must be a mapping (region, havips, ...)"]),
        ("a: &a [*a]\n", ["inv.yaml:1: a[0]: an alias refers to itself"]),
        (b"region: \xff\n", ["inv.yaml:1: not valid UTF-8"]),
        (b"\x7fELF\x00\x01", ["inv.yaml:1: binary data (NUL bytes), not a text file"]),
        (
            "vswitches:\n  v: {cidr: 10.0.0.0/24}\ninstances:\n  a: {ip: 10.0.1.1, vswitch: v}\n  b: {ip: 10.0.0.2, vswitch: w}\n",
            [
                "inv.yaml:4: instances.a.ip: 10.0.1.1 is not in vSwitch v (10.0.0.0/24)",
                "inv.yaml:5: instances.b.vswitch: unknown vSwitch 'w'",
            ],
        ),
        (
            "notify: x\nclusters:\n  c: {havip: h, vrid: 1, check: {script: 'a \"b\"'}}\n",
            [
                "inv.yaml:1: notify: unknown key 'notify'",
                "inv.yaml:3: clusters.c.check.script: '\"' is not allowed here: it would end or change the keepalived line",
            ],
        ),
    ],
)
def test_bad_inventories(tmp_path, text, expected):
    assert problems(tmp_path, text) == expected


def test_bad_json_and_toml(tmp_path):
    assert problems(tmp_path, '{"region": "cn-hangzhou",\n "region": "x"}', "inv.json") == [
        "inv.json: not valid JSON: duplicate key 'region'"
    ]
    assert problems(tmp_path, '{"region": \n}', "inv.json") == [
        "inv.json:2: not valid JSON: Expecting value (column 1)"
    ]
    assert problems(tmp_path, 'region = "a"\nregion = "b"\n', "inv.toml") == [
        "inv.toml:2: not valid TOML: Cannot overwrite a value (at line 2, column 13)"
    ]


def test_an_alias_bomb_is_refused(tmp_path):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    assert problems(tmp_path, "\n".join(lines) + "\n") == ["inv.yaml:6: aliases expand to more than 1,000,000 values"]


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kagen", *args], capture_output=True, text=True, timeout=120)


def test_cli_reports_inventory_problems_with_exit_2(tmp_path):
    path = tmp_path / "inv.yaml"
    path.write_text("havips:\n  web: {vswitch: nowhere}\n")
    run = cli("lint", "--inventory", str(path))
    assert run.returncode == 2
    assert (
        run.stderr
        == f"{path}:2: havips.web.vswitch: unknown vSwitch 'nowhere'\nkagen: error: the inventory cannot be used (1 problem)\n"
    )
    assert run.stdout == ""


def test_cli_missing_inventory(tmp_path):
    run = cli("lint", "--inventory", str(tmp_path / "none.yaml"))
    assert (run.returncode, run.stderr) == (
        2,
        f"{tmp_path}/none.yaml: No such file or directory\nkagen: error: the inventory cannot be used (1 problem)\n",
    )


def test_cli_inventory_alone_is_checked_alone(tmp_path):
    run = cli("lint", "--inventory", str(EXAMPLE))
    assert (run.returncode, run.stdout) == (0, "All checks passed (1 file).\n")


def test_ten_thousand_havips(tmp_path):
    lines = ["region: cn-hangzhou", "vswitches:", "  v: {cidr: 10.0.0.0/16}", "instances:"]
    lines += [f"  n{i}: {{ip: 10.0.{i // 250}.{i % 250 + 1}, vswitch: v}}" for i in range(200)]
    lines += ["havips:"]
    lines += [
        f"  h{i}: {{vswitch: v, address: 10.0.{100 + i // 250}.{i % 250 + 1}, members: [n{i % 200}, n{(i + 1) % 200}]}}"
        for i in range(10_000)
    ]
    path = tmp_path / "big.yaml"
    path.write_text("\n".join(lines) + "\n")
    run = cli("lint", "--inventory", str(path), "--format", "json")
    assert run.returncode == 1, run.stderr
    report = json.loads(run.stdout)
    codes = sorted({f["code"] for f in report["findings"]})
    assert codes == ["KA408", "KA409"]
    assert sum(f["code"] == "KA408" for f in report["findings"]) == 200


@pytest.mark.parametrize("path", sorted((REPO / "examples").glob("*/inventory.*")), ids=lambda p: p.parent.name)
def test_shipped_example_inventories_are_clean(path):
    run = cli("lint", "--inventory", str(path), "--strict")
    assert (run.returncode, run.stdout) == (0, "All checks passed (1 file).\n"), run.stdout + run.stderr
