"""The inventory's JSON Schema (kagen schema inventory): built from the voluptuous schema, shipped as
a file equal to what kagen prints, a description on every key, and agreeing with the loader: every
inventory kagen accepts validates, every inventory refused for its shape is refused."""

# ruff: noqa: E501 - inventories and messages read best on one line each

from __future__ import annotations

import contextlib
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
import voluptuous as vol

from kagen import cli
from kagen.inventory import datafile, schema
from kagen.inventory.jsonschema import Untranslatable, _translate, _written, inventory_schema, schema_text
from kagen.inventory.load import InventoryError, load
from support.helpers import REPO

SHIPPED = resources.files("kagen.inventory").joinpath("data", "inventory.schema.json")
VALIDATOR = jsonschema.Draft202012Validator(
    inventory_schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
)

# Every inventory file of the project: the examples, kagen init's, and those in the tests' fixtures
# (found, so that a new one is checked too). The JSON files there are API responses and Terraform.
INVENTORIES = sorted(
    [
        *REPO.glob("examples/*/inventory.*"),
        *(path for pattern in ("*.yaml", "*.yml", "*.toml") for path in (REPO / "tests").rglob(pattern)),
        Path(str(resources.files("kagen.inventory").joinpath("data", "init-inventory.yaml"))),
    ]
)


def schema_errors(data: object) -> list[jsonschema.ValidationError]:
    return list(VALIDATOR.iter_errors(data))


def read(path: Path) -> object:
    return datafile.read(str(path)).data


@contextlib.contextmanager
def any_number_of_digits() -> Iterator[None]:
    """The hostile fixtures have a number of 5,000 digits, which the loader refuses before its
    schema sees it; here it is read, and shown in the schema's messages."""
    limit = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(0)
    try:
        yield
    finally:
        sys.set_int_max_str_digits(limit)


def test_the_command_prints_the_shipped_file(capsys):
    assert cli.main(["schema", "inventory"]) == 0
    out, err = capsys.readouterr()
    assert (out, err) == (SHIPPED.read_text(encoding="utf-8"), "")


def test_the_shipped_file_is_what_the_definitions_give():
    expected = json.dumps(inventory_schema(), indent=2, sort_keys=False) + "\n"
    assert schema_text() == expected
    assert SHIPPED.read_text(encoding="utf-8") == expected, (
        "regenerate it: kagen schema inventory > kagen/inventory/data/inventory.schema.json"
    )


def test_the_command_line():
    run = subprocess.run(
        [sys.executable, "-m", "kagen", "schema", "inventory"], capture_output=True, text=True, timeout=120
    )
    assert (run.returncode, run.stderr) == (0, "")
    assert json.loads(run.stdout)["title"] == "kagen inventory"
    wrong = subprocess.run(
        [sys.executable, "-m", "kagen", "schema", "inventroy"], capture_output=True, text=True, timeout=120
    )
    assert wrong.returncode == 2
    assert "did you mean 'inventory'?" in wrong.stderr


def test_it_is_a_draft_2020_12_schema():
    document = inventory_schema()
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(document)
    assert set(document["properties"]) == {key.schema for key in schema.SCHEMA.schema}


def properties(node: object, where: str = "") -> Iterator[tuple[str, dict]]:
    """Every property schema in ``node`` with its data path: named (``clusters.*.vrid``), by pattern
    (``<pattern>``) and a section's entries (``*``)."""
    if isinstance(node, list):
        for item in node:
            yield from properties(item, where)
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if key in ("properties", "patternProperties"):
            for name, prop in value.items():
                path = f"{where}.{name}" if key == "properties" else f"{where}.<{name}>"
                yield path.lstrip("."), prop
                yield from properties(prop, path)
        elif key == "additionalProperties" and isinstance(value, dict):
            yield f"{where}.*".lstrip("."), value
            yield from properties(value, f"{where}.*")
        else:
            yield from properties(value, where)


def test_every_property_has_a_description():
    found = list(properties(inventory_schema()))
    assert len(found) > 60
    missing = [where for where, prop in found if not str(prop.get("description", "")).strip()]
    assert missing == []
    assert {where for where, _ in found} >= {
        "clusters.*.check.script",
        "limits.eips_per_havip",
        "havips.*",
        "havips.*.eip.id",
    }


def test_defaults_exclusions_and_closed_objects():
    cluster = inventory_schema()["properties"]["clusters"]["anyOf"][1]["additionalProperties"]
    assert cluster["properties"]["advert_int"]["default"] == 1
    assert cluster["properties"]["check"]["properties"]["interval"]["default"] == 2
    assert cluster["not"] == {"required": ["havip", "havips"]}
    assert cluster["properties"]["check"]["additionalProperties"] is False
    assert cluster["properties"]["auth"]["properties"]["type"]["enum"] == ["PASS", "AH"]
    havip = inventory_schema()["properties"]["havips"]["anyOf"][1]["additionalProperties"]
    assert havip["properties"]["members"]["default"] == []
    assert havip["required"] == ["vswitch"]


@pytest.mark.parametrize(
    "path", INVENTORIES, ids=lambda path: str(path.relative_to(REPO)) if REPO in path.parents else path.name
)
def test_every_inventory_file_agrees(path):
    """What the loader accepts validates; what it refuses (the hostile fixtures: their shape) is
    refused. A fixture refused only for its references would need saying so here."""
    try:
        load(str(path))
    except InventoryError as exc:
        with any_number_of_digits():
            try:
                data = read(path)
            except datafile.DataError:  # not YAML, JSON or TOML at all: nothing for a schema to say
                return
            assert schema_errors(data), f"the loader refuses it, the schema does not: {exc.problems}"
    else:
        assert [error.message for error in schema_errors(read(path))] == []


def test_the_inventories_cover_the_kinds_of_file():
    names = {path.relative_to(REPO).as_posix() for path in INVENTORIES if REPO in path.parents}
    assert {
        "examples/web-pair/inventory.yaml",
        "examples/eni-group/inventory.yaml",
        "tests/fixtures/generate/sync-pairs/inventory.yaml",
        "tests/fixtures/import/describe.expected.yaml",
        "tests/fixtures/import/terraform.expected.yaml",
        "tests/fixtures/fix/inventory.yaml",
        "tests/fixtures/hostile/vrid-huge.toml",
    } <= names
    assert any(path.name == "init-inventory.yaml" for path in INVENTORIES)


BASE = """vswitches: {vsw: {cidr: 192.168.0.0/24}}
instances:
  a: {ip: 192.168.0.11, vswitch: vsw}
  b: {ip: 192.168.0.12, vswitch: vsw}
havips:
  web: {address: 192.168.0.100, vswitch: vsw, members: [a, b]}
clusters:
  web: {havip: web, vrid: 51}
"""

# (what is wrong, the change to BASE, where the loader says it is and what it says)
SHAPE = [
    ("unknown top-level key", "region: cn-hangzhou\ncolour: red\n", "colour: unknown key 'colour'"),
    ("unknown key in an entry", BASE.replace("vrid: 51", "vrid: 51, vird: 52"), "clusters.web.vird: unknown key 'vird'"),
    ("unknown limit", "limits: {havip_per_vpc: 9}\n", "limits.havip_per_vpc: unknown limit"),
    ("required key missing", BASE.replace("{ip: 192.168.0.12, vswitch: vsw}", "{ip: 192.168.0.12}"), "instances.b.vswitch: required, but missing"),
    ("vrid out of range (_integer)", BASE.replace("vrid: 51", "vrid: 256"), "clusters.web.vrid: 256 is not between 1 and 255"),
    ("vrid of 20 digits", BASE.replace("vrid: 51", "vrid: 99999999999999999999"), "clusters.web.vrid: 99999999999999999999 is not between"),
    ("vrid as text (_integer)", BASE.replace("vrid: 51", "vrid: '51'"), "clusters.web.vrid: expected a whole number, got '51'"),
    ("vrid as a boolean (_integer)", BASE.replace("vrid: 51", "vrid: true"), "clusters.web.vrid: expected a whole number, got True"),
    ("both havip and havips (Exclusive)", BASE.replace("havip: web,", "havip: web, havips: [web],"), "clusters.web.<havip>: two or more values in the same group of exclusion 'havip'"),
    ("both password sources (Exclusive)", BASE.replace("vrid: 51", "vrid: 51, auth: {password_env: PW, password_file: pw.txt}"), "clusters.web.auth.<password>: two or more values in the same group of exclusion 'password'"),
    ("no havip at all (the loader's check)", BASE.replace("havip: web, ", ""), "clusters.web: 'havip' (or 'havips') is required"),
    ("empty havips (vol.Length)", BASE.replace("havip: web,", "havips: [],"), "clusters.web.havips: length of value must be at least 1"),
    ("bad IPv4 address (_validator)", BASE.replace("192.168.0.11", "192.168.0.311"), "instances.a.ip: '192.168.0.311' is not an IPv4 address"),
    ("IPv4 with a leading zero", BASE.replace("192.168.0.11", "192.168.0.011"), "instances.a.ip: '192.168.0.011' is not an IPv4 address"),
    ("bad network (_validator)", BASE.replace("192.168.0.0/24", "192.168.0.0"), "vswitches.vsw.cidr: '192.168.0.0' is not an IPv4 network"),
    ("bad HAVIP address", BASE.replace("address: 192.168.0.100", "address: somewhere"), "havips.web.address: 'somewhere' is not an IP address or auto"),
    ("bad route", BASE.replace("members: [a, b]}", "members: [a, b], routes: [10.0.0.0/33]}"), "havips.web.routes[0]: '10.0.0.0/33' is not a network"),
    ("bad EIP in a list (_one_or_many)", BASE.replace("members: [a, b]}", "members: [a, b], eip: [{id: eip-1}]}"), "havips.web.eip[0]: expected an IPv4 address or {address, id}"),
    ("bad role (_role)", BASE.replace("vrid: 51", "vrid: 51, members: [{name: a, role: primary}, b]"), "clusters.web.members[0]: expected a member name or {name, role, priority, config}"),
    ("negative interval", BASE.replace("vrid: 51", "vrid: 51, check: {script: /bin/true, interval: -2}"), "clusters.web.check.interval: -2 is not between 1 and 3600"),
    ("advert_int too small (_number)", BASE.replace("vrid: 51", "vrid: 51, advert_int: 0"), "clusters.web.advert_int: 0 is not between 0.01 and 255"),
    ("nopreempt as text (_flag)", BASE.replace("vrid: 51", "vrid: 51, nopreempt: 'yes'"), "clusters.web.nopreempt: expected true or false, got 'yes'"),
    ("unsafe character in a script (_text)", BASE.replace("vrid: 51", "vrid: 51, check: {script: '/bin/check # x'}"), "clusters.web.check.script: '#' is not allowed here"),
    ("a script ending in a newline (_text)", BASE.replace("vrid: 51", 'vrid: 51, check: {script: "/bin/check\\n"}'), "clusters.web.check.script: '\\n' is not allowed here"),
    ("a blank notify command (_text)", BASE.replace("vrid: 51", "vrid: 51, notify: {master: '  '}"), "clusters.web.notify.master: expected a non-empty string"),
    ("a script too long (_text)", BASE.replace("vrid: 51", f"vrid: 51, check: {{script: {'x' * 901}}}"), "clusters.web.check.script: longer than 900 characters"),
    ("auth type (vol.In)", BASE.replace("vrid: 51", "vrid: 51, auth: {type: md5, password_env: PW}"), "clusters.web.auth.type: auth type must be PASS or AH"),
    ("environment variable name (_pattern)", BASE.replace("vrid: 51", "vrid: 51, auth: {password_env: 1PW}"), "clusters.web.auth.password_env: '1PW' is not an environment variable name"),
    ("a name with a trailing newline (_pattern)", BASE.replace("vswitch: vsw, members", 'vswitch: "vsw\\n", members'), "havips.web.vswitch: 'vsw\\n' is not a name"),
    ("interface name too long (_pattern)", BASE.replace("vswitch: vsw}\n  b", "vswitch: vsw, interface: eth0123456789abc}\n  b"), "instances.a.interface: 'eth0123456789abc' is not a network interface name"),
    ("bad resource id (_pattern)", BASE.replace("{cidr: 192.168.0.0/24}", "{cidr: 192.168.0.0/24, id: -vsw}"), "vswitches.vsw.id: '-vsw' is not a cloud resource id"),
    ("bad region (_pattern)", "region: Hangzhou\n", "region: 'Hangzhou' is not a region id"),
    ("bad option keyword (a key's _pattern)", BASE.replace("vrid: 51", "vrid: 51, options: {Garp_Delay: 5}"), "clusters.web.options.Garp_Delay: 'Garp_Delay' is not a keepalived keyword"),
    ("option value a mapping", BASE.replace("vrid: 51", "vrid: 51, options: {garp_master_delay: {a: 1}}"), "clusters.web.options.garp_master_delay"),
    ("config not text (str)", BASE.replace("vrid: 51", "vrid: 51, members: [{name: a, config: 5}, b]"), "clusters.web.members[0]: expected a member name"),
    ("members not a list", BASE.replace("members: [a, b]", "members: a"), "havips.web.members: expected a list"),
    ("an HAVIP's cloud name too long (vol.Length)", BASE.replace("members: [a, b]}", f"members: [a, b], name: {'n' * 129}}}"), "havips.web.name: length of value must be at most 128"),
    ("a section's entry null", "instances:\n  a:\n", "instances.a: expected a dictionary"),
    ("a section a list", "havips: [web]\n", "havips: not a valid value"),
    ("a name that is not one (Named)", BASE.replace("  a: {ip", "  -a: {ip"), "instances.-a: '-a' is not a name"),
    ("a cluster name of 64 characters (Named)", BASE.replace("  web: {havip", f"  {'w' * 64}: {{havip"), "is not a name"),
]  # fmt: skip


def loader_path(problem: str) -> tuple:
    """The data path of a loader problem ``inv.yaml:LINE: clusters.web.members[0]: message``."""
    where = problem.split(": ", 2)[1]
    return tuple(int(part) if part.isdigit() else part for part in re.findall(r"[^.\[\]]+", where))


def error_paths(errors: list[jsonschema.ValidationError]) -> list[tuple]:
    paths = []
    for error in errors:
        paths.append(tuple(error.absolute_path))
        paths.extend(error_paths(list(error.context or ())))
    return paths


@pytest.mark.parametrize("what, text, message", SHAPE, ids=[case[0] for case in SHAPE])
def test_what_the_loader_refuses_for_its_shape_the_schema_refuses(tmp_path, what, text, message):
    path = tmp_path / "inv.yaml"
    path.write_text(text)
    with pytest.raises(InventoryError) as caught:
        load(str(path))
    problems = [problem.replace(f"{path}:", "inv.yaml:") for problem in caught.value.problems]
    assert any(message in problem for problem in problems), problems
    errors = schema_errors(read(path))
    assert errors, f"the schema accepts it ({what})"
    # The schema finds it where the loader does, at the mapping that holds it, or at the value
    # inside that the loader's message sums up (a member, an EIP).
    wanted = loader_path(next(problem for problem in problems if message in problem))
    deepest = max(error_paths(errors), key=len)
    near = min(len(wanted), len(deepest))
    assert wanted[:near] == deepest[:near] and abs(len(wanted) - len(deepest)) <= 1, (wanted, error_paths(errors))


def test_the_shape_cases_pass_once_fixed(tmp_path):
    """BASE itself is a good inventory, so each case above fails for its own change alone."""
    path = tmp_path / "inv.yaml"
    path.write_text(BASE)
    load(str(path))
    assert schema_errors(read(path)) == []


# Values each kind of validator is tried with, by voluptuous and by its JSON Schema translation.
VALUES: list[object] = [
    *("", " ", "web", "web\n", "-web", "a" * 63, "a" * 64, "w.e_b-1", "eth0", "eth0:1", "a" * 15, "a" * 16),
    *("MASTER", "master", "Backup", "maſter", "maﬆer", "maſter ", "mast", "primary", "BACKUP\n"),
    *("10.0.0.1", "10.0.0.01", "256.0.0.1", "1.2.3", "١٠.0.0.1", "10.0.0.1 ", "auto", "AUTO"),
    *("10.0.0.0/24", "10.0.0.0/33", "10.0.0.0/024", "10.0.0.0/255.0.0.0", "10.0.0.0/x", "::1", "2001:db8::/32", "fe80::1%eth0"),
    *("cn-hangzhou", "CN-hangzhou", "cn-", "i-bp1abc", "PASS", "AH", "pass", "KAGEN_PW", "1PW", "garp_master_delay"),
    *("/bin/true", "/bin/true\n", "a#b", 'a"b', "a{b", "a}b", "a$b", "a\\b", "a!b", "a'b", "\t", "\ufeff", "\x85", "\xa0", "x\u3000"),
    *("x" * 900, "x" * 901, "é" * 900),
    *(0, 1, 15, 51, 255, 256, -1, -254, -255, 3600, 3601, 1_000_000, 1_000_001, 2**31, 2**32, 2**32 + 1, -(2**31), -(2**31) - 1),
    *(0.01, 0.005, 1.5, 255.0, 255.5, 1.0, True, False, None, [], ["web"], {}, {"address": "1.2.3.4"}),
]  # fmt: skip


def _loose(validator: object, value: object) -> bool:
    """Where a translation is knowingly more permissive than voluptuous (said in schema.py)."""
    fragment = schema.TRANSLATIONS[validator]
    if fragment.get("type") == "integer" and isinstance(value, float) and value.is_integer():
        return True  # JSON has no 1.0 apart from 1
    return fragment in (schema.TRANSLATIONS[schema._cidr], schema.TRANSLATIONS[schema._route]) or (
        fragment is schema.TRANSLATIONS[schema._havip_address] and isinstance(value, str) and ":" in value
    )


def _validators() -> list[object]:
    return [
        validator
        for validator in schema.TRANSLATIONS
        if "_loader_checks" not in getattr(validator, "__qualname__", "")  # the loader's, not voluptuous'
    ]


@pytest.mark.parametrize("validator", _validators(), ids=lambda v: getattr(v, "__qualname__", repr(v)))
def test_each_translation_agrees_with_its_validator(validator):
    checker = jsonschema.Draft202012Validator(
        _written(schema.TRANSLATIONS[validator]), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    wrong = []
    for value in VALUES:
        try:
            vol.Schema(validator)(value)
            accepted = True
        except (vol.Invalid, TypeError):  # the checks inside _validator raise TypeError
            accepted = False
        valid = checker.is_valid(value)
        if accepted != valid and not (valid and _loose(validator, value)):
            wrong.append((value, "voluptuous accepts it" if accepted else "voluptuous refuses it"))
    assert wrong == []


def test_text_and_roles_agree_on_every_character():
    text = re.compile(_written(schema.TRANSLATIONS[schema._text])["pattern"])
    role = re.compile(_written(schema.TRANSLATIONS[schema._role])["pattern"])
    for code in range(0x10000):
        char = chr(code)
        if not schema.UNSAFE.search(char):
            assert bool(text.search(f"{char}{char}")) == bool(char.strip()), hex(code)
        for word in (f"MA{char}TER", f"MA{char}ER", f"{char}ACKUP"):
            assert bool(role.search(word)) == (word.upper() in schema.ROLES), (hex(code), word)


def test_a_validator_without_translation_stops_the_generator(monkeypatch):
    monkeypatch.delitem(schema.TRANSLATIONS, schema._flag)
    with pytest.raises(Untranslatable, match="_flag"):
        inventory_schema()
    with pytest.raises(Untranslatable):
        _translate(vol.All(lambda value: value))
    with pytest.raises(Untranslatable, match="description"):
        _translate({vol.Optional("key"): str})
    with pytest.raises(Untranslatable, match=r"vol\.Length"):
        _translate(vol.All(vol.Length(min=1)))
    with pytest.raises(Untranslatable):
        _translate(vol.Coerce(int))


@pytest.mark.skipif(shutil.which("node") is None, reason="node (an ECMA regex engine) is not installed")
def test_patterns_mean_the_same_to_an_ecma_engine(tmp_path):
    """Editors read the patterns as ECMA regexes, with the u flag or without: each must compile
    and match what Python's matches."""
    patterns = sorted({pattern for _, prop in _patterns(inventory_schema()) for pattern in [prop]})
    samples = [value for value in VALUES if isinstance(value, str)]
    expected = {pattern: [bool(re.search(pattern, sample)) for sample in samples] for pattern in patterns}
    (tmp_path / "cases.json").write_text(json.dumps({"expected": expected, "samples": samples}))
    script = """
const {expected, samples} = JSON.parse(require('fs').readFileSync(process.argv[1], 'utf8'));
const wrong = [];
for (const [pattern, results] of Object.entries(expected)) for (const flags of ['', 'u']) {
  let re; try { re = new RegExp(pattern, flags); } catch (e) { wrong.push([pattern, flags, e.message]); continue; }
  samples.forEach((sample, i) => { if (re.test(sample) !== results[i]) wrong.push([pattern, flags, sample]); });
}
console.log(JSON.stringify(wrong));
"""
    run = subprocess.run(
        ["node", "-e", script, str(tmp_path / "cases.json")], capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == []


def _patterns(node: object) -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "pattern":
                yield key, value
            elif key == "patternProperties":
                yield from ((key, pattern) for pattern in value)
            yield from _patterns(value)
    elif isinstance(node, list):
        for item in node:
            yield from _patterns(item)
