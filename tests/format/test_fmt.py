"""``kagen fmt``: the layout (a byte-exact golden file), what it never touches, idempotence on
every configuration the repository and the shared corpus hold, kagen's own model unchanged, files
it cannot read left alone, and the command's options."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kagen import cli
from kagen.format.layout import format_text
from kagen.format.run import format_bytes
from kagen.keepalived.parse import parse_string
from kagen.keepalived.source import read_text
from support.helpers import REPO, corpus_files

FIXTURES = REPO / "tests" / "fixtures" / "format"
MESSY = (FIXTURES / "messy.conf").read_bytes()
EXPECTED = (FIXTURES / "messy.expected.conf").read_bytes()


def _configurations() -> list[Path]:
    """Every keepalived configuration of the repository's tests and examples, and the corpus."""
    found = [*corpus_files()]
    for top in ("tests/configs", "tests/fixtures", "examples"):
        found += [
            p for p in (REPO / top).rglob("*") if p.is_file() and p.suffix not in (".yaml", ".json", ".toml", ".diff")
        ]
    return sorted(found)


CONFIGS = _configurations()


def _words(data: bytes, path: Path) -> list[tuple[str, list[str]]]:
    source = read_text(data, path.name, "kagen-lab", str(path.parent))
    return [(line.file.name, line.words) for line in source.lines]


def _model(data: bytes, path: Path) -> list[str]:
    """kagen's model of the file without positions: each node's kind, keyword and words."""
    config = parse_string(data, path.name, "kagen-lab", str(path.parent))

    def walk(nodes, depth: int):
        for node in nodes:
            yield f"{depth} {type(node).__name__} {getattr(node, 'words', None) or [node.keyword, *node.args]}"
            yield from walk(getattr(node, "children", ()), depth + 1)
            for entry in getattr(node, "entries", ()):
                yield f"{depth + 1} entry {entry.words}"

    return list(walk(config.items, 0))


def test_the_golden_layout():
    result = format_bytes(MESSY, "messy.conf", str(FIXTURES / "messy.conf"), config_id="lb-a")
    assert result.problem is None
    assert result.formatted == EXPECTED


def test_crlf_line_endings_and_other_encodings_stay():
    crlf = MESSY.replace(b"\n", b"\r\n")
    result = format_bytes(crlf, "messy.conf", str(FIXTURES / "messy.conf"), config_id="lb-a")
    assert result.formatted == EXPECTED.replace(b"\n", b"\r\n")
    latin1 = b"vrrp_instance V {\n  # caf\xe9\n    state   MASTER\n}\n"
    assert (
        format_bytes(latin1, "l.conf", "l.conf").formatted == b"vrrp_instance V {\n    # caf\xe9\n    state MASTER\n}\n"
    )


@pytest.mark.parametrize(
    "indent, expected", [("  ", "a {\n  b {\n    c\n  }\n}\n"), ("\t", "a {\n\tb {\n\t\tc\n\t}\n}\n")]
)
def test_indentation(indent, expected):
    assert format_text("a {\nb {\nc\n}\n}\n", indent) == expected


@pytest.mark.parametrize(
    "line",
    [
        '    script "/bin/a  {  b" # kept',
        "    @node-a state   MASTER",
        "    $X=a   b",
        "    use $X   here",
        "    ~SEQ(i, 1, 3)   vrrp_script s$i { script /bin/true }",
        "    include   a  b.conf",
        "    script /bin/a\\#b  x",
        "    weird\x0bblank   here",
    ],
)
def test_lines_it_only_indents(line):
    text = f"vrrp_instance V {{\n{line}\n}}\n"
    assert format_text(text) == text


def test_long_lines_are_kept_as_they_are():
    long = "  virtual_ipaddress_excluded { " + " ".join(f"10.0.{i // 250}.{i % 250}" for i in range(100)) + " }"
    assert len(long) > 900
    assert format_text(long + "\n") == long + "\n"


def test_a_file_kagen_cannot_read_is_left_alone():
    for data, message in [
        (
            b'vrrp_script s {\n  script "/bin/true\n}\n',
            "2:10: unterminated '\"': keepalived drops the rest of the line",
        ),
        (b"a {\n}\n}\n", "3:1: '}' closes no block (keepalived: Extra '}')"),
        (b"a {\n  b {\n}\n", "1:3: '{' is never closed"),
        (b"\xef\xbb\xbfa {\n}\n", "1:1: file starts with a UTF-8 byte order mark"),
        (b"a {\n\x00}\n", "2:1: binary file (NUL byte): not a keepalived configuration"),
    ]:
        result = format_bytes(data, "x.conf", "x.conf")
        assert result.formatted is None and not result.changed
        assert result.problem.startswith(f"x.conf:{message}"), result.problem
        assert result.problem.endswith(": not formatted")


@pytest.mark.parametrize("path", CONFIGS, ids=[str(p.relative_to(p.parents[1])) for p in CONFIGS])
def test_idempotent_and_read_alike(path):
    data = path.read_bytes()
    result = format_bytes(data, path.name, str(path), config_id="kagen-lab")
    if result.formatted is None:  # the hostile fixtures that are no configuration to lay out
        assert path.name in ("bom.conf", "braces.conf") and "kagen bug" not in result.problem, result.problem
        return
    again = format_bytes(result.formatted, path.name, str(path), config_id="kagen-lab")
    assert again.formatted == result.formatted
    assert _words(result.formatted, path) == _words(data, path)
    assert _model(result.formatted, path) == _model(data, path)


PIECES = st.sampled_from(
    [
        "vrrp_instance", "V", "state", "MASTER", "{", "}", '"', '"a  b"', "#", "!", " x", "@n", "@^n",
        "$X=", "$X", "${X}", "~SEQ(i,1,2)", "\\", "\t", " ", "  ", "\n", "\n\n", "\r\n", "include",
        "include /nonexistent", "\x0b", "é", "$Y=a \\\n", "virtual_ipaddress", "10.0.0.1",
    ]
)  # fmt: skip


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(PIECES, max_size=40))
def test_any_text_is_read_alike_after_formatting(pieces):
    data = "".join(pieces).encode()
    result = format_bytes(data, "h.conf", "/nonexistent/h.conf", config_id="n")
    assert result.problem is None or "kagen bug" not in result.problem, (data, result.problem)
    if result.formatted is not None:
        assert (
            format_bytes(result.formatted, "h.conf", "/nonexistent/h.conf", config_id="n").formatted == result.formatted
        )


def _kagen(*args: str, cwd: Path, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kagen", *args], cwd=cwd, input=stdin, capture_output=True)


def test_in_place_keeps_mode_and_links(tmp_path):
    (tmp_path / "keepalived.conf").write_bytes(MESSY)
    os.chmod(tmp_path / "keepalived.conf", 0o640)
    (tmp_path / "real.conf").write_bytes(b"vrrp_instance V\n{\nstate MASTER }\n")
    (tmp_path / "link-keepalived.conf").symlink_to("real.conf")
    (tmp_path / "tidy-keepalived.conf").write_bytes(EXPECTED)
    done = _kagen("fmt", "--config-id", "lb-a", ".", "link-keepalived.conf", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stderr.decode() == "kagen: reformatted 2 files, 1 left unchanged\n"
    assert (tmp_path / "keepalived.conf").read_bytes() == EXPECTED
    assert os.stat(tmp_path / "keepalived.conf").st_mode & 0o777 == 0o640
    assert (tmp_path / "link-keepalived.conf").is_symlink()
    assert (tmp_path / "real.conf").read_bytes() == b"vrrp_instance V {\n    state MASTER\n}\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "keepalived.conf", "link-keepalived.conf", "real.conf", "tidy-keepalived.conf"
    ]  # fmt: skip


def test_check_and_diff_write_nothing(tmp_path):
    (tmp_path / "keepalived.conf").write_bytes(b"global_defs {\n router_id a\n}\n")
    (tmp_path / "ok-keepalived.conf").write_bytes(b"global_defs {\n    router_id a\n}\n")
    check = _kagen("fmt", "--check", ".", cwd=tmp_path)
    assert (check.returncode, check.stdout) == (1, b"would reformat keepalived.conf\n")
    assert check.stderr == b"kagen: would reformat 1 file, 1 left unchanged\n"
    diff = _kagen("fmt", "--diff", "keepalived.conf", cwd=tmp_path)
    assert diff.returncode == 1
    assert diff.stdout == (
        b"--- keepalived.conf\n+++ keepalived.conf\n@@ -1,3 +1,3 @@\n"
        b" global_defs {\n- router_id a\n+    router_id a\n }\n"
    )
    assert (tmp_path / "keepalived.conf").read_bytes() == b"global_defs {\n router_id a\n}\n"
    clean = _kagen("fmt", "--check", "ok-keepalived.conf", cwd=tmp_path)
    assert (clean.returncode, clean.stdout) == (0, b"")
    both = _kagen("fmt", "--check", "--diff", ".", cwd=tmp_path)
    assert both.returncode == 2 and b"not allowed with argument" in both.stderr


def test_standard_input_to_standard_output(tmp_path):
    done = _kagen("fmt", "-", cwd=tmp_path, stdin=b"a\n{ b }\n")
    assert (done.returncode, done.stdout) == (0, b"a {\n    b\n}\n")
    broken = _kagen("fmt", "-", cwd=tmp_path, stdin=b'a {\n "b\n}\n')
    assert broken.returncode == 2
    assert broken.stdout == b'a {\n "b\n}\n'  # what came in goes out, as editors expect
    assert broken.stderr.decode().startswith("kagen: error: <stdin>:2:2: unterminated '\"'")


def test_unreadable_files_and_nothing_found(tmp_path):
    (tmp_path / "keepalived.conf").write_bytes(b"a {\n}\n}\n")
    done = _kagen("fmt", "keepalived.conf", "missing.conf", "/dev/zero", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.decode().splitlines() == [
        "kagen: error: missing.conf: No such file or directory",
        "kagen: error: /dev/zero: is a device, not a file kagen reads",
        "kagen: error: keepalived.conf:3:1: '}' closes no block (keepalived: Extra '}'): not formatted",
        "kagen: reformatted 0 files, 0 left unchanged",
    ]
    assert (tmp_path / "keepalived.conf").read_bytes() == b"a {\n}\n}\n"
    (tmp_path / "empty").mkdir()
    nothing = _kagen("fmt", "empty", cwd=tmp_path)
    assert nothing.returncode == 3 and b"no keepalived configuration files found" in nothing.stderr


@pytest.mark.parametrize(
    "setting, expected",
    [("indent = 2", b"global_defs {\n  router_id a\n}\n"), ('indent = "tab"', b"global_defs {\n\trouter_id a\n}\n")],
)
def test_indent_setting(tmp_path, setting, expected):
    (tmp_path / ".kagen.toml").write_text(setting + "\n")
    (tmp_path / "keepalived.conf").write_bytes(b"global_defs {\nrouter_id a\n}\n")
    assert _kagen("fmt", ".", cwd=tmp_path).returncode == 0
    assert (tmp_path / "keepalived.conf").read_bytes() == expected


def test_a_wrong_indent_setting_is_refused(tmp_path, capsys):
    (tmp_path / ".kagen.toml").write_text("indent = 0\n")
    os.chdir(tmp_path)
    assert cli.main(["fmt", "."]) == 2
    assert capsys.readouterr().err == (
        f'kagen: error: {tmp_path}/.kagen.toml: indent must be a number of spaces from 1 to 8, or "tab"\n'
    )
