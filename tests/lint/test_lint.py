"""``kagen lint`` from the command line: every option, settings files, inline disables, file
discovery, output formats and exit codes."""

# ruff: noqa: E501 - expected output lines read best whole

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from kagen import cli
from support.helpers import REPO, shared_dir

BAD = """vrrp_instance V {
    interface eth0
    virtual_router_id 300
    prority 3
}
"""
BAD_TEXT = [
    "F:1:1: KA101 vrrp_instance V runs multicast: it has no unicast_peer; on a network without multicast every "
    "node becomes MASTER. Add unicast_src_ip <this node> and unicast_peer { <the other nodes> } [multicast-instance]",
    "F:1:1: KA208 vrrp_instance V has no virtual IP address [no-virtual-ip]",
    "F:3:23: KA202 virtual_router_id 300 is outside 1..255: keepalived leaves it unset and runs no VRRP instance at all [value-out-of-range]",
    "F:4:5: KA002 unknown keyword 'prority'; did you mean 'priority'? [unknown-keyword]",
    "Found 3 errors and 1 warning in 1 file.",
]
# A unicast instance whose only finding is a warning (KA208, no virtual IP).
WARN_ONLY = """vrrp_instance V {
    interface eth0
    virtual_router_id 51
    unicast_src_ip 10.0.0.1
    unicast_peer {
        10.0.0.2
    }
    unicast_fault_no_peer
}
"""
EXAMPLES = REPO / "examples" / "web-pair"


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    """Run in an empty directory, so that no settings file of the host applies, without colour."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NO_COLOR", raising=False)


def lint(capsys, *argv: str) -> tuple[int, list[str], str]:
    status = cli.main(["lint", *argv])
    captured = capsys.readouterr()
    return status, captured.out.splitlines(), captured.err


def write(path: Path, text: str) -> str:
    """Write the file and give its name as kagen shows it (relative: the tests run in tmp_path)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return os.path.relpath(path)


def text_of(lines: list[str], path: str) -> list[str]:
    return [line.replace(path, "F") for line in lines]


def test_text_output_sorted_with_summary_and_exit_1(capsys, tmp_path):
    path = write(tmp_path / "bad.conf", BAD)
    status, out, err = lint(capsys, path)
    assert (status, err) == (1, "")
    assert text_of(out, path) == BAD_TEXT


def test_clean_pair_exits_0(capsys):
    status, out, err = lint(capsys, str(EXAMPLES))
    assert (status, out, err) == (0, ["All checks passed (2 files)."], "")


def test_warnings_pass_unless_strict(capsys, tmp_path):
    path = write(tmp_path / "warn.conf", WARN_ONLY)
    status, out, _ = lint(capsys, path)
    assert (status, out[-1]) == (0, "Found 1 warning in 1 file.")
    assert lint(capsys, "--strict", path)[0] == 1


def test_colour_only_on_a_terminal_and_never_with_no_color(capsys, tmp_path, monkeypatch):
    path = write(tmp_path / "bad.conf", BAD)
    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    out = lint(capsys, path)[1]
    assert (
        out[2]
        == f"\033[1m{path}:3:23:\033[0m \033[31mKA202\033[0m virtual_router_id 300 is outside 1..255: keepalived leaves it unset and runs no VRRP instance at all [value-out-of-range]"
    )
    assert "\033[33mKA208\033[0m" in out[1]
    monkeypatch.setenv("NO_COLOR", "")  # empty: no-color.org says it does not count
    assert lint(capsys, path)[1] == out
    monkeypatch.setenv("NO_COLOR", "1")
    assert text_of(lint(capsys, path)[1], path) == BAD_TEXT
    assert lint(capsys, "--color", "always", path)[1] == out  # the option beats the environment


@pytest.mark.parametrize(
    "environment, option, coloured",
    [
        ({}, [], False),  # not a terminal
        ({"FORCE_COLOR": "1"}, [], True),
        ({"FORCE_COLOR": "0"}, [], False),
        ({"FORCE_COLOR": ""}, [], False),
        ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, [], False),
        ({"FORCE_COLOR": "1"}, ["--color", "never"], False),
        ({}, ["--color", "always"], True),
        ({"FORCE_COLOR": "1"}, ["--output-file", "report.txt"], False),
    ],
)
def test_colour_without_a_terminal(capsys, tmp_path, monkeypatch, environment, option, coloured):
    for name in ("NO_COLOR", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    path = write(tmp_path / "bad.conf", BAD)
    out = "\n".join(lint(capsys, *option, path)[1])
    if "--output-file" in option:
        out = (tmp_path / "report.txt").read_text()
    assert ("\033[" in out) == coloured


@pytest.mark.parametrize(
    "option, codes",
    [
        (["--select", "KA202"], ["KA202"]),
        (["--select", "KA2"], ["KA208", "KA202"]),
        (["--select", "unknown-keyword,value-out-of-range"], ["KA202", "KA002"]),
        (["--ignore", "KA1,no-virtual-ip"], ["KA202", "KA002"]),
        (["--select", "KA2", "--ignore", "KA208"], ["KA202"]),
    ],
)
def test_select_and_ignore_by_code_prefix_and_name(capsys, tmp_path, option, codes):
    path = write(tmp_path / "bad.conf", BAD)
    out = lint(capsys, *option, path)[1]
    assert [line.split()[1] for line in out[:-1]] == codes


def test_unknown_selector_is_a_usage_error(capsys, tmp_path):
    path = write(tmp_path / "bad.conf", BAD)
    status, out, err = lint(capsys, "--select", "KA9", path)
    assert (status, out, err) == (2, [], "kagen: error: 'KA9' matches no rule (see kagen rules)\n")


def test_settings_from_kagen_toml_and_command_line_over_it(capsys, tmp_path):
    path = write(tmp_path / "bad.conf", BAD)
    write(tmp_path / ".kagen.toml", 'select = ["KA2"]\nignore = ["no-virtual-ip"]\n')
    assert [line.split()[1] for line in lint(capsys, path)[1][:-1]] == ["KA202"]
    assert [line.split()[1] for line in lint(capsys, "--select", "KA002", path)[1][:-1]] == ["KA002"]


def test_settings_from_pyproject_found_from_a_subdirectory(capsys, tmp_path, monkeypatch):
    write(tmp_path / "pyproject.toml", '[project]\nname = "x"\n\n[tool.kagen]\nstrict = true\nselect = "KA208"\n')
    write(tmp_path / "sub" / "warn.conf", WARN_ONLY)
    monkeypatch.chdir(tmp_path / "sub")
    status, out, _ = lint(capsys, "warn.conf")
    assert (status, out) == (
        1,
        [
            "warn.conf:1:1: KA208 vrrp_instance V has no virtual IP address [no-virtual-ip]",
            "Found 1 warning in 1 file.",
        ],
    )


def test_inventory_from_settings_is_relative_to_them_and_keeps_the_walk(capsys, tmp_path, monkeypatch):
    import shutil

    from support.helpers import REPO

    for name in ("inventory.yaml", "web-a.conf", "web-b.conf"):
        shutil.copy(REPO / "examples" / "web-pair" / name, tmp_path / name)
    write(tmp_path / ".kagen.toml", 'inventory = "inventory.yaml"\nselect = ["KA4"]\n')
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    assert lint(capsys, "..")[1] == ["All checks passed (3 files)."]
    monkeypatch.chdir(tmp_path)
    assert lint(capsys)[1] == ["All checks passed (3 files)."]
    assert lint(capsys, "--inventory", "inventory.yaml")[1] == ["All checks passed (1 file)."]


def test_pyproject_without_kagen_table_is_passed_over(capsys, tmp_path, monkeypatch):
    write(tmp_path / ".kagen.toml", 'select = ["KA002"]\n')
    write(tmp_path / "sub" / "pyproject.toml", '[project]\nname = "x"\n')
    write(tmp_path / "sub" / "bad.conf", BAD)
    monkeypatch.chdir(tmp_path / "sub")
    assert lint(capsys, "bad.conf")[1][0].split()[1] == "KA002"


@pytest.mark.parametrize(
    "content, message",
    [
        (
            'colour = "red"\n',
            "unknown setting 'colour' (known: clusters, config-id, exclude, extend-exclude, force-exclude, format, "
            "fragment, ignore, indent, inventory, respect-gitignore, select, strict, target-version)",
        ),
        ('strict = "yes"\n', "'strict' must be true or false"),
        ("select = [1]\n", "'select' must be a list of strings"),
        ('target-version = "two"\n', "target-version 'two' is not a version like 2.2.7"),
        ('format = "xml"\n', "format must be one of text, json, sarif, github"),
        ('clusters = ["a.conf"]\n', "'clusters' must be a list of lists of file names"),
        ("select = [\n", "not valid TOML: "),
    ],
)
def test_bad_settings_exit_2_with_the_file_and_the_reason(capsys, tmp_path, content, message):
    write(tmp_path / ".kagen.toml", content)
    path = write(tmp_path / "bad.conf", BAD)
    status, out, err = lint(capsys, path)
    assert (status, out) == (2, [])
    assert err.startswith(f"kagen: error: {tmp_path / '.kagen.toml'}: {message}")


KNOWN = "is not a keepalived release kagen knows (1.2.20 to 2.4.3, and 2.4.4 for keepalived's git after 2.4.3)"


@pytest.mark.parametrize(
    "version, message",
    [
        ("1.2", f"1.2 {KNOWN}; did you mean '1.2.24'?"),
        ("9.9.9", f"9.9.9 {KNOWN}"),
        ("2.2.9", f"2.2.9 {KNOWN}; did you mean '2.2.8'?"),
        ("1.2.13", f"1.2.13 {KNOWN}; did you mean '1.2.20'?"),
        ("1.3.1", f"1.3.1 {KNOWN}; did you mean '1.3.2'?"),  # never tagged
    ],
)
def test_target_version_must_be_a_release_kagen_knows(capsys, tmp_path, version, message):
    path = write(tmp_path / "bad.conf", BAD)
    assert lint(capsys, "--target-version", version, path) == (
        2,
        [],
        f"kagen: error: command line: target-version {message}\n",
    )
    write(tmp_path / ".kagen.toml", f'target-version = "{version}"\n')
    assert lint(capsys, path)[2] == f"kagen: error: {tmp_path / '.kagen.toml'}: target-version {message}\n"


@pytest.mark.parametrize("version", ["1.2.20", "2.2.7", "v2.2.7", "2.4.3", "2.4.4"])
def test_every_known_release_and_keepalived_s_own_spelling_are_accepted(capsys, tmp_path, version):
    assert lint(capsys, "--target-version", version, write(tmp_path / "bad.conf", BAD))[0] == 1


def test_cluster_files_must_exist_be_two_and_be_linted(capsys, tmp_path):
    a, b, c = (write(tmp_path / f"{name}.conf", BAD) for name in "abc")
    for given, problem in [
        (a, f"--cluster {a}: a cluster needs at least two files"),
        (f"{a},{tmp_path / 'zz.conf'}", f"--cluster: {tmp_path / 'zz.conf'}: No such file"),
        (f"{a},{c}", f"--cluster: {c} is not among the files linted"),
    ]:
        status, out, err = lint(capsys, "--cluster", given, a, b)
        assert (status, err) == (2, f"kagen: error: {problem}\n")
        assert out[-1] == "Found 6 errors and 2 warnings in 2 files. 1 input could not be used (kagen: error)."
    for given, problem in [
        (f"{a},{a}", f"--cluster {a},{a}: a cluster needs at least two files"),
        (f"{a},{b},{a}", f"--cluster {a},{b},{a}: a file is named twice"),
    ]:
        assert lint(capsys, "--cluster", given, a, b)[::2] == (2, f"kagen: error: {problem}\n")
    # The settings file's clusters serve every pre-commit run: a member not linted is fine there.
    write(tmp_path / ".kagen.toml", 'clusters = [["a.conf", "c.conf"], ["b.conf", "gone.conf"]]\n')
    assert (
        lint(capsys, a)[2]
        == f"kagen: error: {tmp_path / '.kagen.toml'}: clusters: {tmp_path / 'gone.conf'}: No such file\n"
    )


def test_bad_command_line_values_exit_2(capsys, tmp_path):
    path = write(tmp_path / "bad.conf", BAD)
    assert lint(capsys, "--target-version", "2.x", path)[::2] == (
        2,
        "kagen: error: command line: target-version '2.x' is not a version like 2.2.7\n",
    )
    status, _, err = lint(capsys, "--format", "xml", path)
    assert status == 2 and "invalid choice: 'xml'" in err


@pytest.mark.parametrize(
    "line3, codes",
    [
        ("    virtual_router_id 300  # kagen: disable=KA202", ["KA101", "KA208", "KA002"]),
        ("    virtual_router_id 300  ! kagen: disable=value-out-of-range", ["KA101", "KA208", "KA002"]),
        ("    virtual_router_id 300  # kagen: disable", ["KA101", "KA208", "KA002"]),
        ("    virtual_router_id 300  # kagen: disable=KA101", ["KA101", "KA208", "KA202", "KA002"]),
        ("    virtual_router_id 300\n# kagen: disable-file=KA1,KA2", ["KA002"]),
        ("    virtual_router_id 300\n! kagen: disable-file", []),
    ],
)
def test_inline_disables(capsys, tmp_path, line3, codes):
    path = write(tmp_path / "bad.conf", BAD.replace("    virtual_router_id 300", line3))
    out = lint(capsys, path)[1]
    assert [line.split()[1] for line in out[:-1]] == codes


def test_fragment_drops_the_rules_that_need_the_whole_configuration(capsys, tmp_path):
    piece = GOOD_INSTANCE.replace(
        "    unicast_fault_no_peer\n", "    unicast_fault_no_peer\n    track_script {\n        chk\n    }\n"
    )
    path = write(tmp_path / "conf.d" / "vi.conf", piece)
    out = lint(capsys, path)[1]
    assert [line.split()[1] for line in out[:-1]] == ["KA301"]
    assert lint(capsys, "--fragment", path) == (0, ["All checks passed (1 file)."], "")


GOOD_INSTANCE = """vrrp_instance V {
    interface eth0
    virtual_router_id 51
    unicast_src_ip 10.0.0.1
    unicast_peer {
        10.0.0.2
    }
    unicast_fault_no_peer
    virtual_ipaddress {
        10.0.0.100/24
    }
}
"""


def test_target_version_decides_which_keywords_exist(capsys, tmp_path):
    path = write(tmp_path / "v.conf", GOOD_INSTANCE.replace("    unicast_fault_no_peer\n", ""))
    assert lint(capsys, path)[1][0] == (
        f"{path}:1:1: KA108 [*] V has no unicast_fault_no_peer: without peers it would silently fall back to "
        "multicast; add unicast_fault_no_peer [no-fault-no-peer]"
    )
    assert lint(capsys, "--target-version", "2.2.4", path) == (0, ["All checks passed (1 file)."], "")
    path = write(tmp_path / "w.conf", GOOD_INSTANCE)
    out = lint(capsys, "--target-version", "2.2.4", path)[1]
    assert (
        out[0]
        == f"{path}:8:5: KA010 'unicast_fault_no_peer' is not known to keepalived 2.2.4 (it appeared in 2.2.5) [keyword-too-new]"
    )


def test_config_id_selects_conditional_lines(capsys, tmp_path):
    path = write(tmp_path / "c.conf", GOOD_INSTANCE.replace("    virtual_router_id", "    @node1 virtual_router_id"))
    assert lint(capsys, "--config-id", "node1", path)[0] == 0
    out = lint(capsys, "--config-id", "node2", path)[1]
    assert (
        out[0]
        == f"{path}:1:1: KA207 vrrp_instance V has no virtual_router_id: keepalived does not start VRRP at all (every instance of the configuration is lost) [missing-required]"
    )


def test_directories_are_walked_for_keepalived_files(capsys, tmp_path):
    write(tmp_path / "etc" / "keepalived" / "keepalived.conf", BAD)
    write(tmp_path / "etc" / "keepalived" / "notes.conf", "# just words\nsome = other\n")
    write(tmp_path / "etc" / "keepalived" / "backup.bak", BAD)
    write(tmp_path / "etc" / ".git" / "x.conf", BAD)
    write(tmp_path / "etc" / "nginx" / "nginx.conf", "server {\n}\n")
    write(tmp_path / "etc" / "old" / "keepalived.conf", BAD)
    os.mkfifo(tmp_path / "etc" / "keepalived" / "pipe.conf")  # would block if opened
    status, out, _ = lint(capsys, "--select", "KA202", "etc")
    assert (status, out) == (
        1,
        [
            "etc/keepalived/keepalived.conf:3:23: KA202 virtual_router_id 300 is outside 1..255: keepalived leaves it unset and runs no VRRP instance at all [value-out-of-range]",
            "etc/old/keepalived.conf:3:23: KA202 virtual_router_id 300 is outside 1..255: keepalived leaves it unset and runs no VRRP instance at all [value-out-of-range]",
            "Found 2 errors in 2 files.",
        ],
    )
    out = lint(capsys, "--select", "KA202", "--exclude", "old", "--exclude", "*.cfg", "etc")[1]
    assert out[-1] == "Found 1 error in 1 file."
    assert lint(capsys, "--select", "KA202")[1][-1] == "Found 2 errors in 2 files."


def test_no_files_found_is_said(capsys, tmp_path):
    (tmp_path / "empty").mkdir()
    assert lint(capsys, "empty") == (3, [], "kagen: warning: no keepalived configuration files found\n")
    assert cli.main(["lint", "--format", "json", "empty"]) == 3
    assert json.loads(capsys.readouterr().out)["files"] == []


def test_included_file_is_checked_once_as_part_of_its_includer(capsys, tmp_path):
    main = write(tmp_path / "keepalived.conf", "include conf.d/*.conf\n")
    piece = write(tmp_path / "conf.d" / "vi.conf", BAD)
    status, out, _ = lint(capsys, "--select", "KA202", main, piece)
    assert (status, out) == (
        1,
        [
            f"{piece}:3:23: KA202 virtual_router_id 300 is outside 1..255: keepalived leaves it unset and runs no VRRP instance at all [value-out-of-range]",
            "Found 1 error in 1 file.",
        ],
    )


def test_files_that_include_each_other_are_checked_once(capsys, tmp_path):
    first = write(tmp_path / "a.conf", "include *.conf\n" + BAD)
    write(tmp_path / "b.conf", "include *.conf\n")
    status, out, _ = lint(capsys, "--select", "KA202", ".")
    assert (status, out) == (
        1,
        [
            f"{first}:4:23: KA202 virtual_router_id 300 is outside 1..255: keepalived leaves it unset and runs no VRRP instance at all [value-out-of-range]",
            "Found 1 error in 1 file.",
        ],
    )


def test_include_of_an_existing_file_is_fine_and_a_missing_one_is_not(capsys, tmp_path):
    write(tmp_path / "conf.d" / "vi.conf", GOOD_INSTANCE)
    main = write(tmp_path / "keepalived.conf", f"include {tmp_path}/conf.d/vi.conf\n")
    assert lint(capsys, "--select", "KA005", main)[0] == 0
    main = write(tmp_path / "keepalived.conf", f"include {tmp_path}/conf.d/none.conf\n")
    out = lint(capsys, "--select", "KA005", main)[1]
    assert out[0].startswith(f"{main}:1:1: KA005 ")


def test_standard_input(capsys, monkeypatch):
    import io

    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(BAD.encode())))
    status, out, _ = lint(capsys, "--select", "KA202", "-")
    assert (status, out[0]) == (
        1,
        "<stdin>:3:23: KA202 virtual_router_id 300 is outside 1..255: keepalived leaves it unset and runs no VRRP instance at all [value-out-of-range]",
    )


def test_missing_path_exits_2(capsys, tmp_path):
    assert lint(capsys, "nothing.conf") == (2, [], "kagen: error: nothing.conf: No such file or directory\n")


PAIR = """vrrp_instance VI_WEB {{
    state {state}
    interface eth0
    virtual_router_id 51
    priority {priority}
    unicast_src_ip {source}
    unicast_peer {{
        {peer}
    }}
    unicast_fault_no_peer
    virtual_ipaddress {{
        10.0.0.100/24
    }}
}}
"""


def test_a_shared_virtual_ip_joins_a_pair_whatever_its_vrids(capsys, tmp_path):
    a = write(tmp_path / "a.conf", PAIR.format(state="MASTER", priority=150, source="10.0.0.1", peer="10.0.0.2"))
    b = write(
        tmp_path / "b.conf",
        PAIR.format(state="BACKUP", priority=100, source="10.0.0.2", peer="10.0.0.1").replace(
            "virtual_router_id 51", "virtual_router_id 52"
        ),
    )
    expected = [f"{b}:4:5: KA501 virtual_router_id 52 differs from 51 of VI_WEB in {a} [cluster-mismatch]"]
    assert lint(capsys, a, b)[1][:-1] == expected


def test_json_lists_the_clusters_and_what_joined_them(capsys, tmp_path):
    a = write(tmp_path / "a.conf", PAIR.format(state="MASTER", priority=150, source="10.0.0.1", peer="10.0.0.2"))
    b = write(tmp_path / "b.conf", PAIR.format(state="BACKUP", priority=100, source="10.0.0.2", peer="10.0.0.1"))
    other = PAIR.format(state="MASTER", priority=150, source="10.0.0.5", peer="10.0.0.9")
    c = write(tmp_path / "c.conf", other.replace("10.0.0.100/24", "10.0.0.200/24"))
    d = write(tmp_path / "d.conf", other.replace("_id 51", "_id 52"))
    assert cli.main(["lint", "--format", "json", "--select", "KA501", a, b, c, d]) == 1
    document = json.loads(capsys.readouterr().out)
    member = {"instance": "VI_WEB", "line": 1}
    assert document["clusters"] == [
        {
            "members": [{"file": a, **member}, {"file": b, **member}, {"file": d, **member}],
            "joined": [{"members": [0, 1], "by": "peer"}, {"members": [0, 2], "by": "vip"}],
        }
    ]
    assert cli.main(["lint", "--format", "json", "--cluster", f"{a},{c}", a, c]) == 1
    document = json.loads(capsys.readouterr().out)
    assert document["clusters"][0]["joined"] == [{"members": [0, 1], "by": "--cluster"}]


def test_cluster_option_and_setting_name_the_members(capsys, tmp_path):
    a = write(tmp_path / "a.conf", PAIR.format(state="MASTER", priority=150, source="10.0.0.1", peer="10.0.0.2"))
    b = write(
        tmp_path / "b.conf",
        PAIR.format(state="BACKUP", priority=100, source="10.0.0.2", peer="10.0.0.1")
        .replace("virtual_router_id 51", "virtual_router_id 52")
        .replace("10.0.0.100/24", "10.0.0.101/24"),
    )
    assert lint(capsys, a, b)[0] == 0  # no evidence: another VRID and another virtual IP
    status, lines, _ = lint(capsys, "--cluster", f"{a},{b}", a, b)
    assert (status, lines[:-1]) == (
        1,
        [
            f"{b}:4:5: KA501 virtual_router_id 52 differs from 51 of VI_WEB in {a} [cluster-mismatch]",
            f"{b}:11:5: KA501 VI_WEB's virtual IPs differ from VI_WEB in {a} (10.0.0.100/24) [cluster-mismatch]",
        ],
    )
    write(tmp_path / ".kagen.toml", 'clusters = [["a.conf", "b.conf"]]\n')
    assert lint(capsys, a, b)[1] == lines


def test_json_format(capsys, tmp_path):
    path = write(tmp_path / "bad.conf", BAD)
    status = cli.main(["lint", "--format", "json", path])
    document = json.loads(capsys.readouterr().out)
    assert status == 1
    assert (document["format"], document["files"], document["summary"]) == (
        1,
        [path],
        {"files": 1, "errors": 3, "warnings": 1},
    )
    assert document["findings"][0] == {
        "file": path,
        "line": 1,
        "col": 1,
        "end_line": 5,
        "end_col": 1,
        "code": "KA101",
        "name": "multicast-instance",
        "severity": "error",
        "message": BAD_TEXT[0][len("F:1:1: KA101 ") : -len(" [multicast-instance]")],
        "fixable": False,
    }
    assert document["findings"][2] == {
        "file": path,
        "line": 3,
        "col": 23,
        "end_line": None,
        "end_col": None,
        "code": "KA202",
        "name": "value-out-of-range",
        "severity": "error",
        "message": "virtual_router_id 300 is outside 1..255: keepalived leaves it unset and runs no VRRP instance at all",
        "fixable": False,
    }


def test_github_format(capsys, tmp_path):
    path = write(tmp_path / "b,a:d.conf", BAD)
    status, out, _ = lint(capsys, "--format", "github", path)
    escaped = path.replace(",", "%2C").replace(":", "%3A")
    assert status == 1
    assert out[0].startswith(
        f"::error file={escaped},line=1,col=1,endLine=5,title=KA101 multicast-instance::vrrp_instance V"
    )
    assert out[1:] == [
        f"::warning file={escaped},line=1,col=1,endLine=5,title=KA208 no-virtual-ip::vrrp_instance V has no virtual IP address",
        f"::error file={escaped},line=3,col=23,title=KA202 value-out-of-range::virtual_router_id 300 is outside 1..255: keepalived leaves it unset and runs no VRRP instance at all",
        f"::error file={escaped},line=4,col=5,title=KA002 unknown-keyword::unknown keyword 'prority'; did you mean 'priority'?",
    ]


def sarif(capsys, *argv: str) -> dict:
    cli.main(["lint", "--format", "sarif", *argv])
    return json.loads(capsys.readouterr().out)


def test_sarif_structure(capsys, tmp_path):
    write(tmp_path / "bad.conf", BAD)
    document = sarif(capsys, "bad.conf")
    run = document["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    first = run["results"][0]
    assert (document["version"], run["tool"]["driver"]["name"]) == ("2.1.0", "kagen")
    assert rules[first["ruleIndex"]]["id"] == first["ruleId"] == "KA101"
    assert rules[first["ruleIndex"]]["help"]["markdown"].startswith("**What:** A vrrp_instance that runs multicast")
    assert first["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "bad.conf", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 1, "startColumn": 1, "endLine": 5, "endColumn": 2},
    }
    assert run["results"][2]["locations"][0]["physicalLocation"]["region"] == {"startLine": 3, "startColumn": 23}
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.as_uri() + "/"
    assert [r["level"] for r in run["results"]] == ["error", "warning", "error", "error"]


def test_sarif_validates_against_the_schema(capsys, tmp_path):
    jsonschema = pytest.importorskip("jsonschema")
    shared = shared_dir()
    if shared is None or not (shared / "schemas" / "sarif-schema-2.1.0.json").is_file():
        pytest.skip("the SARIF schema (../shared/schemas or $KAGEN_SHARED) is not here")
    schema = json.loads((shared / "schemas" / "sarif-schema-2.1.0.json").read_text())
    write(tmp_path / "bad.conf", BAD)
    write(tmp_path / "strict.conf", "global_defs {\n    vrrp_strict\n}\n")
    with_fixes = sarif(capsys, str(tmp_path / "strict.conf"))
    assert with_fixes["runs"][0]["results"][0]["fixes"]
    for document in (
        sarif(capsys, "bad.conf"),
        sarif(capsys, str(EXAMPLES)),
        sarif(capsys, str(tmp_path / "bad.conf")),
        with_fixes,
    ):
        jsonschema.validate(document, schema)


def test_rules_list_explain_and_prefix(capsys):
    from kagen.lint import registry

    assert cli.main(["rules"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in listed] == [rule.code for rule in registry.RULES]
    assert listed[0].startswith("KA001  syntax-error             error    Text keepalived cannot read")
    assert cli.main(["rules", "KA10"]) == 0
    assert [line.split()[0] for line in capsys.readouterr().out.splitlines()] == [f"KA10{i}" for i in range(1, 10)]
    assert cli.main(["rules", "multicast-instance"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("KA101 multicast-instance (error, scope: file)\nGoes beyond keepalived")
    assert "\nExample:\n    vrrp_instance VI_1 {\n        interface eth0\n" in out
    assert re.search(r"\nFix: Add this node's address", out)
    assert cli.main(["rules", "KA999"]) == 2
    assert capsys.readouterr().err == "kagen: error: no rule 'KA999' (kagen rules lists them)\n"


def test_every_lint_option_is_in_help(capsys):
    import argparse

    commands = next(a for a in cli.build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    options = [s for action in commands.choices["lint"]._actions for s in action.option_strings]
    assert cli.main(["lint", "--help"]) == 0
    out = capsys.readouterr().out
    assert len(options) == 26
    assert [option for option in options if option not in out] == []
