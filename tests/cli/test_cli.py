"""``kagen parse`` from the command line: outputs, exit codes, and hostile input."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from kagen import cli
from kagen.keepalived import source
from support.helpers import REPO

EXAMPLE = str(REPO / "examples" / "web-pair" / "web-a.conf")


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = cli.main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_outline_shows_each_logical_line_with_its_position(capsys):
    status, out, err = run(capsys, "parse", EXAMPLE)
    assert (status, err) == (0, "")
    lines = [line.replace(EXAMPLE, "F") for line in out.splitlines()]
    assert lines[:6] == [
        "F:4:1: global_defs",
        "F:5:5:   router_id web-a",
        "F:6:5:   enable_script_security",
        "F:7:5:   script_user root",
        "F:10:1: vrrp_script chk_nginx",
        'F:11:5:   script "/usr/bin/pgrep -x nginx"',
    ]
    assert "F:28:9:     192.168.0.12" in lines


def test_json_document(capsys):
    status, out, err = run(capsys, "parse", "--json", "--config-id", "kagen-lab", EXAMPLE)
    assert (status, err) == (0, "")
    document = json.loads(out)
    assert (document["format"], len(document["configs"])) == (1, 1)
    config = document["configs"][0]
    assert set(config) == {"path", "config_id", "files", "diagnostics", "items", "model"}
    assert config["config_id"] == "kagen-lab"
    instance = config["items"][2]
    assert {k: instance[k] for k in ("type", "keyword", "args", "loc", "arg_locs")} == {
        "type": "block",
        "keyword": "vrrp_instance",
        "args": ["VI_WEB"],
        "loc": {"file": EXAMPLE, "line": 18, "col": 1},
        "arg_locs": [[18, 15]],
    }
    peers = next(child for child in instance["children"] if child["keyword"] == "unicast_peer")
    assert peers["entries"] == [
        {"words": ["192.168.0.12"], "loc": {"file": EXAMPLE, "line": 28, "col": 9}, "word_locs": [[28, 9]]}
    ]
    model = config["model"]["vrrp_instances"][0]
    assert (model["name"], model["unicast"], model["family"]) == ("VI_WEB", True, 4)
    assert [p["address"] for p in model["unicast_peers"]] == ["192.168.0.12"]
    assert [(v["address"], v["prefix"], v["dev"]) for v in model["virtual_ipaddresses"]] == [
        ("192.168.0.100", 24, "eth0")
    ]
    assert config["model"]["vrrp_scripts"][0]["script"]["argv"] == ["/usr/bin/pgrep", "-x", "nginx"]


def test_json_shows_include_origins_and_expansions(capsys):
    main = str(REPO / "tests" / "configs" / "include" / "main.conf")
    document = json.loads(run(capsys, "parse", "--json", main)[1])
    files = {f["name"].rsplit("/", 1)[-1]: f["included_from"] for f in document["configs"][0]["files"]}
    assert files["body.inc"] == {"file": main, "line": 7, "col": 5}
    params = str(REPO / "tests" / "configs" / "params.conf")
    items = json.loads(run(capsys, "parse", "--json", params)[1])["configs"][0]["items"]
    # The first line of a multi-line definition replaces "$INSTANCE" where it is used; the
    # following lines point at the definition, and "via" at the use.
    expanded = next(item for item in items if item["args"] == ["VI_1"])
    assert (expanded["loc"], "via" in expanded) == ({"file": params, "line": 17, "col": 15}, False)
    interface = expanded["children"][0]
    assert (interface["loc"], interface["via"]) == (
        {"file": params, "line": 6, "col": 5},
        {"file": params, "line": 17, "col": 15},
    )


def test_quiet_prints_only_diagnostics_sorted(capsys, tmp_path):
    path = tmp_path / "bad.conf"
    path.write_text("vrrp_instance V {\n prority 1\n}\n}\n")
    status, out, err = run(capsys, "parse", "-q", str(path))
    assert (status, out) == (1, "")
    assert err.replace(str(path), "F").splitlines() == [
        "F:2:2: KA002 unknown keyword 'prority'; did you mean 'priority'? [unknown-keyword]",
        "F:4:1: KA001 '}' at the top level: there is no block to close (keepalived: Extra '}') [syntax-error]",
    ]


def test_warnings_alone_exit_zero(capsys, tmp_path):
    path = tmp_path / "w.conf"
    path.write_text("include nowhere.conf\n")
    status, _out, err = run(capsys, "parse", "-q", str(path))
    assert status == 0 and "KA005" in err


def test_config_id_selects_conditional_lines(capsys, tmp_path):
    path = tmp_path / "c.conf"
    path.write_text("@a router_id A\n@b router_id B\n")
    assert run(capsys, "parse", "--config-id", "b", str(path))[1].endswith("router_id B\n")


def test_several_files_and_stdin(capsys, monkeypatch, tmp_path):
    import io

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"global_defs {\n}\n")))
    status, out, _ = run(capsys, "parse", EXAMPLE, "-")
    assert status == 0 and out.splitlines()[-1] == "<stdin>:1:1: global_defs"


@pytest.mark.parametrize(
    "content, status, message",
    [
        (b"", 0, ""),
        (
            b"\x00\x01\x02garbage" * 1000,
            1,
            "F:1:1: KA001 binary file (NUL byte): not a keepalived configuration [syntax-error]",
        ),
        (b"global_defs {\n router_id caf\xe9 \xff\xfe\n}\n", 0, ""),
        (b"\xef\xbb\xbfglobal_defs {\n}\n", 1, "F:1:1: KA001 file starts with a UTF-8 byte order mark"),
        (b"{{{{\n", 1, "F:1:1: KA001 unexpected '{'"),
    ],
)
def test_odd_bytes_give_diagnostics_not_tracebacks(capsys, tmp_path, content, status, message):
    path = tmp_path / "odd.conf"
    path.write_bytes(content)
    got_status, _, err = run(capsys, "parse", "-q", str(path))
    assert got_status == status
    assert err.replace(str(path), "F").startswith(message)


def test_unreadable_inputs_exit_2(capsys, tmp_path):
    assert run(capsys, "parse", str(tmp_path / "missing.conf"))[0:3:2] == (
        2,
        f"kagen: error: {tmp_path / 'missing.conf'}: No such file or directory\n",
    )
    assert run(capsys, "parse", str(tmp_path))[2] == f"kagen: error: {tmp_path}: is a directory\n"
    huge = tmp_path / "huge.conf"
    with open(huge, "wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    status, _, err = run(capsys, "parse", str(huge))
    assert (status, err) == (2, f"kagen: error: {huge}: file is 50.0 MiB; kagen reads files of at most 16 MiB\n")


def test_usage_errors_exit_2_and_help_exits_0(capsys):
    assert run(capsys, "parse")[0] == 2
    assert run(capsys, "frobnicate")[0] == 2
    status, out, _ = run(capsys, "parse", "--help")
    assert status == 0 and "--config-id" in out and "--json" in out and "--quiet" in out
    assert run(capsys, "--version")[1] == "kagen 0.1.0\n"


def test_internal_error_is_a_message_not_a_traceback(capsys, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(cli.parse, "parse_file", boom)
    monkeypatch.delenv("KAGEN_DEBUG", raising=False)
    status, _, err = run(capsys, "parse", EXAMPLE)
    assert (status, err) == (2, "kagen: internal error: RuntimeError: kaboom (set KAGEN_DEBUG=1 for details)\n")


def test_console_script_and_module_entry_points(tmp_path):
    # From a neutral directory: "python -m" would otherwise import the checkout's kagen/.
    for command in (["kagen"], [sys.executable, "-m", "kagen"]):
        done = subprocess.run([*command, "parse", "-q", EXAMPLE], capture_output=True, text=True, cwd=tmp_path)
        assert (command[-1], done.returncode, done.stdout, done.stderr) == (command[-1], 0, "", "")


def test_closed_pipe_is_quiet(tmp_path):
    big = tmp_path / "big.conf"
    big.write_text("global_defs {\n" + " router_id x\n" * 20000 + "}\n")
    done = subprocess.run(f"kagen parse {big} | head -1", shell=True, capture_output=True, text=True)
    assert done.stdout.count("\n") == 1 and "Traceback" not in done.stderr


def test_file_size_limit_is_data():
    assert source.LIMITS["file_bytes"] == 16 * 1024 * 1024


@pytest.mark.parametrize(
    "argv, usage, message, meant",
    [
        (["lnt", "a.conf"], "usage: kagen [", "argument COMMAND: invalid choice: 'lnt' (choose from", "lint"),
        (["lint", "--formt", "json", "a.conf"], "usage: kagen lint [", "unrecognized arguments: --formt", "--format"),
        (["lint", "--format=json", "--strcit"], "usage: kagen lint [", "unrecognized arguments: --strcit", "--strict"),
        (
            ["lint", "--format", "jsn"],
            "usage: kagen lint [",
            "argument --format: invalid choice: 'jsn' (choose",
            "json",
        ),
        (
            ["import", "describe-havip", "x"],
            "usage: kagen import [",
            "invalid choice: 'describe-havip'",
            "describe-havips",
        ),
    ],
)
def test_a_misspelling_gets_the_command_s_usage_and_a_suggestion(capsys, argv, usage, message, meant):
    status, out, err = run(capsys, *argv)
    assert (status, out) == (2, "")
    assert err.startswith(usage) and message in err and err.endswith(f"; did you mean '{meant}'?\n")


def test_an_unknown_option_far_from_any_gets_no_suggestion(capsys):
    status, _, err = run(capsys, "lint", "--zzz", "a.conf")
    assert (status, err.splitlines()[-1]) == (2, "kagen lint: error: unrecognized arguments: --zzz")
