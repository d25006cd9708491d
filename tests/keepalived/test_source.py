"""The source stage: one test per lexical rule of keepalived's reader, with exact positions."""

from __future__ import annotations

import os

import pytest

from kagen.keepalived import includes, source
from kagen.keepalived.source import read_text


def lines(text: str, config_id: str = "node1", **kwargs) -> list[tuple[str, int, int]]:
    """(text, line, col) of each logical line."""
    result = read_text(text, "t.conf", config_id, **kwargs)
    return [(line.text, line.line, line.col) for line in result.lines]


def words(text: str, config_id: str = "node1") -> list[list[str]]:
    return [line.words for line in read_text(text, "t.conf", config_id).lines]


def diags(text: str, config_id: str = "node1", **kwargs) -> list[str]:
    return [d.to_text() for d in read_text(text, "t.conf", config_id, **kwargs).diagnostics]


# -- comments ------------------------------------------------------------------------------


def test_hash_and_bang_start_comments_anywhere_outside_quotes():
    assert words("priority 100#x\nvrrp_instance VI!1\nstate MASTER ! note\n") == [
        ["priority", "100"],
        ["vrrp_instance", "VI"],
        ["state", "MASTER"],
    ]


def test_comment_characters_inside_double_quotes_are_literal():
    assert words('auth_pass "k@l!ve#1"\n') == [["auth_pass", "k@l!ve#1"]]


def test_comments_are_kept_with_positions():
    result = read_text("! head\n  priority 100 # why\n", "t.conf", "n")
    assert [(c.line, c.col, c.text) for c in result.files[0].comments] == [(1, 1, "! head"), (2, 16, "# why")]


def test_slash_slash_is_not_a_comment():
    assert words("lb_kind DR // direct routing\n") == [["lb_kind", "DR", "//", "direct", "routing"]]


def test_escaped_comment_character_still_cuts_the_line_for_keepalived_children():
    result = read_text("vrrp_instance VI\\#1 {\n", "t.conf", "n")
    assert [line.words for line in result.lines] == [["vrrp_instance", "VI"]]
    assert [d.to_text() for d in result.diagnostics] == [
        "t.conf:1:17: KA008 '\\#' does not escape a comment character: keepalived's VRRP and checker "
        "processes still cut the line there; put the value in double quotes [escaped-comment]"
    ]


# -- quoting and words ---------------------------------------------------------------------


def test_double_quotes_make_one_word_and_single_quotes_are_ordinary():
    assert words("router_id \"a b\" 'c d'\n") == [["router_id", "a b", "'c", "d'"]]


def test_quote_inside_a_word_ends_it():
    assert words('vrrp_instance VI"_1"\n') == [["vrrp_instance", "VI", "_1"]]


def test_unterminated_quote_drops_the_rest_with_its_position():
    assert words('router_id "abc def\n') == [["router_id"]]
    assert diags('router_id "abc def\n') == [
        "t.conf:1:11: KA001 unterminated '\"': keepalived drops the rest of the line [syntax-error]"
    ]


def test_word_positions_count_characters_and_quotes():
    result = read_text('  notify "/bin/x a" root\n', "t.conf", "n")
    assert [(p.line, p.col) for p in result.lines[0].word_positions()] == [(1, 3), (1, 10), (1, 21)]


def test_non_ascii_blanks_do_not_split_words():
    assert words("router_id a\u00a0b\n") == [["router_id", "a\u00a0b"]]


# -- brace splitting -----------------------------------------------------------------------


def test_first_brace_splits_the_line():
    assert lines("vrrp_instance VI_1 { state BACKUP\n") == [
        ("vrrp_instance VI_1", 1, 1),
        ("{", 1, 20),
        ("state BACKUP", 1, 22),
    ]


def test_closing_brace_then_statement():
    assert lines("} priority 100\n") == [("}", 1, 1), ("priority 100", 1, 3)]


def test_one_line_value_block():
    assert lines("virtual_ipaddress { 1.1.1.1 1.1.1.2 }\n") == [
        ("virtual_ipaddress", 1, 1),
        ("{", 1, 19),
        ("1.1.1.1 1.1.1.2", 1, 21),
        ("}", 1, 37),
    ]


def test_braces_inside_quotes_do_not_split():
    assert words("notify_master \"/bin/sh -c 'echo {a} }'\"\n") == [["notify_master", "/bin/sh -c 'echo {a} }'"]]


def test_header_without_blank_before_brace():
    assert lines("vrrp_instance VI_1{\n") == [("vrrp_instance VI_1", 1, 1), ("{", 1, 19)]


# -- physical lines ------------------------------------------------------------------------


def test_blank_and_comment_lines_keep_line_numbers_and_crlf_is_fine():
    assert lines("\r\n! c\r\n\r\n  priority 100\r\n") == [("priority 100", 4, 3)]


def test_line_over_1023_bytes_is_reported_where_it_is_cut():
    long = "router_id " + "x" * 1100
    assert diags(long + "\n") == [
        "t.conf:1:1024: KA004 line is 1110 bytes; keepalived reads at most 1023 bytes per line (2.2 "
        "starts a new line with the rest, 2.3 and later ignore the whole line) [line-too-long]"
    ]
    assert diags("router_id " + "x" * 1013 + "\n") == []


def test_line_length_counts_bytes_not_characters():
    text = "router_id " + "\u00e9" * 507  # 10 + 1014 bytes
    assert [d.pos.col for d in read_text(text, "t.conf", "n").diagnostics] == [10 + 507]


def test_byte_order_mark_is_reported_and_skipped():
    result = read_text("\ufeffglobal_defs {\n}\n", "t.conf", "n")
    assert result.lines[0].words == ["global_defs"]
    assert [d.code for d in result.diagnostics] == ["KA001"]


def test_binary_file_is_one_diagnostic():
    assert diags(b"\x7fELF\x02\x01\x00\x00junk") == [
        "t.conf:1:7: KA001 binary file (NUL byte): not a keepalived configuration [syntax-error]"
    ]


def test_nul_byte_late_in_a_text_file_cuts_its_line():
    text = "x\n" * 5000 + "priority 1\x0000\nstate MASTER\n"
    result = read_text(text, "t.conf", "n")
    assert result.lines[-2].words == ["priority", "1"]
    assert [d.to_text() for d in result.diagnostics] == [
        "t.conf:5001:11: KA001 NUL byte: keepalived ignores the rest of this line [syntax-error]"
    ]


def test_invalid_utf8_is_kept_byte_for_byte():
    result = read_text(b"router_id caf\xe9\n", "t.conf", "n")
    assert result.lines[0].words[1].encode("utf-8", "surrogateescape") == b"caf\xe9"
    assert result.diagnostics == []


def test_empty_file():
    assert lines("") == []


# -- conditionals --------------------------------------------------------------------------


def test_conditional_lines_follow_the_config_id():
    text = "@node1 priority 150\n@node2 priority 100\n@^node1 state BACKUP\n@^node2\tstate MASTER\n@node1\n"
    assert lines(text, "node1") == [("priority 150", 1, 8), ("state MASTER", 4, 9)]
    assert lines(text, "node2") == [("priority 100", 2, 8), ("state BACKUP", 3, 9)]


def test_conditionals_work_inside_blocks_and_value_blocks():
    text = "unicast_peer {\n@a    10.0.0.2\n@b    10.0.0.1\n}\n"
    assert [w for w in words(text, "a")] == [["unicast_peer"], ["{"], ["10.0.0.2"], ["}"]]


def test_default_config_id_is_the_short_node_name():
    assert source.default_config_id() == os.uname().nodename.split(".")[0]


# -- parameters ----------------------------------------------------------------------------


def test_parameters_are_substituted_at_use_with_positions_of_the_reference():
    result = read_text("$PRIO=150\n  priority $PRIO\n  state $S\n", "t.conf", "n")
    assert [line.words for line in result.lines] == [["priority", "150"], ["state", "$S"]]
    assert [(p.line, p.col) for p in result.lines[0].word_positions()] == [(2, 3), (2, 12)]


def test_undefined_braced_parameter_keeps_its_braces_which_then_split_the_line():
    assert words("state ${S}X\n") == [["state", "$"], ["{"], ["S"], ["}"], ["X"]]


def test_parameter_needs_a_separator_after_its_name_unless_braced():
    text = "$A=x\nw $A.b ${A}.b $A,c $A) $A\n"
    assert words(text) == [["w", "$A.b", "x.b", "x,c", "x)", "x"]]


def test_definition_needs_no_blank_before_equals():
    assert words("$P =5\n") == [["$P", "=5"]]


def test_definitions_can_be_redefined_and_refer_to_others():
    assert words("$A=1\n$B=${A}${A}\n$A=2\nv $B\n") == [["v", "22"]]
    assert words("$A=1\nv $A$A\n") == [["v", "$A1"]]  # "$A" followed by "$" is not a reference


def test_multi_line_definition_expands_into_lines_from_the_definition():
    text = "$BLOCK=unicast_peer { \\\n  10.0.0.2 \\\n}\n\nvrrp_instance V {\n  $BLOCK\n}\n"
    result = read_text(text, "t.conf", "n")
    got = [(line.text, line.line, line.col, str(line.via) if line.via else None) for line in result.lines]
    assert got == [
        ("vrrp_instance V", 5, 1, None),
        ("{", 5, 17, None),
        ("unicast_peer", 6, 3, None),
        ("{", 6, 3, None),
        ("10.0.0.2", 2, 3, "t.conf:6:3"),
        ("}", 3, 1, "t.conf:6:3"),
        ("}", 7, 1, None),
    ]


def test_multi_line_definition_only_expands_last_on_a_line():
    assert words("$M=a \\\nb\nx $M y\n") == [["x", "$M", "y"]]


def test_builtin_parameters():
    result = read_text(
        'a ${_INSTANCE}\nb ${_PWD}\nc "${_HASH}${_BANG}"\nd ${_RANDOM 5 9}\ne ${_ENV KAGEN_TEST_ENV}\n',
        "t.conf",
        "node7",
        directory="/tmp",
    )
    assert [line.words for line in result.lines] == [["a", "node7"], ["b", "/tmp"], ["c", "#!"], ["d", "5"], ["e"]]


def test_substituted_comment_character_starts_a_comment():
    assert words("x ${_HASH}y\n") == [["x"]]


def test_self_referencing_definition_is_stopped():
    result = read_text("$A=$A\nv $A\n", "t.conf", "n")
    assert [d.code for d in result.diagnostics] == ["KA007"]


def test_multi_line_definition_used_in_its_own_expansion_is_stopped():
    """keepalived pushes each nested use on a stack and never stops; found by hypothesis as a
    RecursionError."""
    result = read_text("$A=x \\\n$A \\\ny\nv $A\n", "t.conf", "n")
    assert [line.words for line in result.lines] == [["v", "x"], ["x"], ["y"]]
    assert [(d.pos.line, d.code, d.message) for d in result.diagnostics] == [
        (2, "KA007", "a multi-line definition used inside its own expansion: keepalived never stops expanding it")
    ]


def test_nested_multi_line_definitions_expand_in_order():
    result = read_text("$B=b1 \\\nb2\n$A=a1 \\\n$B \\\na3\nv $A\n", "t.conf", "n")
    assert [line.words for line in result.lines] == [["v", "a1"], ["b1"], ["b2"], ["a3"]]
    assert result.diagnostics == []


def test_substitution_beyond_the_line_buffer_stops():
    result = read_text("$A=" + "y" * 600 + "\nv $A $A\n", "t.conf", "n")
    assert result.lines[0].words == ["v", "y" * 600, "$A"]
    assert [d.code for d in result.diagnostics] == ["KA004"]


def test_include_of_a_parameter():
    assert words("$F=x.conf\ninclude $F\n") == []


# -- ~SEQ / ~LST ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spec, values",
    [
        ("~SEQ(N, 3)", ["1", "2", "3"]),
        ("~SEQ(N, 2, 4)", ["2", "3", "4"]),
        ("~SEQ(N, 10, -4, 2)", ["10", "6", "2"]),
        ("~SEQ(N, 4, 2)", ["4", "3", "2"]),
        ("~SEQ(N, 0)", ["1", "0"]),
        ("~SEQx(N, 9, 3, 15)", ["9", "c", "f"]),
        ("~LST(N, a, b,c)", ["a", "b", "c"]),
    ],
)
def test_sequences_repeat_the_rest_of_the_line(spec, values):
    assert words(f"{spec} v $N\n") == [["v", value] for value in values]


def test_list_of_tuples_and_nested_sequences():
    assert words("~LST({A,B}, {1,2}, {3}) v $A $B\n") == [["v", "1", "2"], ["v", "3"]]
    assert words("~SEQ(I, 2) ~SEQ(J, 2) v ${I}${J}\n") == [["v", "11"], ["v", "12"], ["v", "21"], ["v", "22"]]


def test_sequence_positions_point_into_the_line():
    result = read_text("  ~SEQ(N, 2) ip 10.0.0.$N/32\n", "t.conf", "n")
    assert [(p.line, p.col) for p in result.lines[1].word_positions()] == [(1, 14), (1, 17)]


@pytest.mark.parametrize(
    "spec, message",
    [
        ("~SEQ N, 3)", "'(' expected after ~SEQ"),
        ("~SEQ(N 3)", "~SEQ needs a variable name and ','"),
        ("~SEQ(N, 1, 0, 5)", "~SEQ(N, 1, 0, 5) never reaches its end"),
        ("~SEQ(N, 1, 2, 3, 4)", "~SEQ takes 1 to 3 numbers: (VAR, [start,] [step,] end)"),
        ("~SEQx(N, -3)", "~SEQx is only valid for positive numbers"),
        ("~LST(A, 1 2)", "malformed ~LST: expected ~LST(VAR, v1, v2, ...) or ~LST({A,B}, {a1,b1}, {a2,b2}, ...)"),
        ("~LST({A}, {1, 2})", "~LST has more values than variables (1)"),
    ],
)
def test_bad_sequences_are_syntax_errors(spec, message):
    assert diags(f"  {spec} v $N\n") == [f"t.conf:1:3: KA001 {message} [syntax-error]"]


@pytest.mark.parametrize(
    "line, message",
    [
        ("  ~SEQ(N, 1, 1000000) v $N", "1:3: KA007 ~SEQ would generate 1000000 lines (kagen stops at 100000)"),
        # strtol saturates: a bound of 5,000 digits is LONG_MAX, counted, not converted
        (
            f"~SEQ(N, 1, {'9' * 1000}) v $N",
            "1:1: KA007 ~SEQ would generate 9223372036854775807 lines (kagen stops at 100000)",
        ),
        (
            "~SEQ(A, 100000) ~SEQ(B, 100000) ~SEQ(C, 100000) v $A $B $C",
            "1:17: KA007 this ~SEQ/~LST inside another would make 10000000000 lines (kagen stops at 100000)",
        ),
        (
            "~LST(A, 1, 2, 3) ~SEQ(B, 40000) v $A $B",
            "1:18: KA007 this ~SEQ/~LST inside another would make 120000 lines (kagen stops at 100000)",
        ),
    ],
)
def test_sequences_are_counted_before_they_expand(line, message):
    """Nested sequences multiply: the product is checked before a line is made (a 64-byte line of
    three nested ~SEQ used to take minutes and gigabytes)."""
    result = read_text(line + "\n", "t.conf", "n")
    assert [f"{d.pos.line}:{d.pos.col}: {d.code} {d.message}" for d in result.diagnostics] == [message]
    assert result.lines == []


def test_nested_sequences_within_the_limit_expand_in_order():
    result = read_text("~SEQ(A, 2) ~LST(B, x, y) ~SEQ(C, 2) v ${A}${B}${C}\n", "t.conf", "n")
    assert [line.words[1] for line in result.lines] == ["1x1", "1x2", "1y1", "1y2", "2x1", "2x2", "2y1", "2y2"]
    assert result.diagnostics == []


# -- include -------------------------------------------------------------------------------


@pytest.fixture
def tree(tmp_path):
    def make(files: dict[str, str]):
        for name, text in files.items():
            path = tmp_path / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        return tmp_path

    return make


def test_include_is_read_in_place_relative_to_the_including_file(tree):
    root = tree(
        {
            "etc/main.conf": "a 1\ninclude conf.d/*.conf\nb 2\n",
            "etc/conf.d/20.conf": "c 4\n",
            "etc/conf.d/10.conf": "c 3\ninclude ../sub/x.conf\n",
            "etc/sub/x.conf": "d 5\n",
        }
    )
    result = source.read_config(str(root / "etc" / "main.conf"), "n")
    got = [(line.words[1], line.file.name.replace(str(root) + "/", "")) for line in result.lines]
    assert got == [
        ("1", "etc/main.conf"),
        ("3", "etc/conf.d/10.conf"),
        ("5", "etc/sub/x.conf"),
        ("4", "etc/conf.d/20.conf"),
        ("2", "etc/main.conf"),
    ]
    origins = {f.name.replace(str(root) + "/", ""): f.included_from for f in result.files}
    assert str(origins["etc/sub/x.conf"]).replace(str(root) + "/", "") == "etc/conf.d/10.conf:2:1"
    assert result.diagnostics == []


def test_include_inside_a_block_and_brace_alternatives(tree):
    root = tree({"m.conf": "x {\ninclude {b,a}.inc\n}\n", "a.inc": "from a\n", "b.inc": "from b\n"})
    assert [line.text for line in source.read_config(str(root / "m.conf"), "n").lines] == [
        "x",
        "{",
        "from b",
        "from a",
        "}",
    ]


def test_missing_include_warns_for_plain_include_and_fails_strict_variants(tree):
    root = tree(
        {
            "m.conf": "include nothere.conf\nincluder gone.conf\nincludem gone.conf\ninclude empty/*.conf\n",
            "empty/.keep": "",
        }
    )
    result = source.read_config(str(root / "m.conf"), "n")
    got = [(d.code, str(d.severity), d.pos.line, d.message) for d in result.diagnostics]
    assert got == [
        ("KA005", "warning", 1, "include 'nothere.conf': no such file (keepalived only logs this)"),
        ("KA005", "warning", 2, "includer 'gone.conf': no such file (keepalived only logs this)"),
        ("KA005", "error", 3, "includem 'gone.conf': no such file"),
    ]


def test_includew_requires_a_match(tree):
    root = tree({"m.conf": "includew empty/*.conf\n", "empty/.keep": ""})
    assert [d.message for d in source.read_config(str(root / "m.conf"), "n").diagnostics] == [
        "includew 'empty/*.conf' matches no file"
    ]


def test_include_cycle_is_reported_once_and_stopped(tree):
    root = tree({"a.conf": "include b.conf\n", "b.conf": "x 1\ninclude a.conf\n"})
    result = source.read_config(str(root / "a.conf"), "n")
    assert [line.text for line in result.lines] == ["x 1"]
    assert [d.to_text().replace(str(root) + "/", "") for d in result.diagnostics] == [
        f"{root}/b.conf:2:1: KA006 include cycle: {root}/a.conf -> {root}/b.conf -> {root}/a.conf "
        "[include-cycle]".replace(str(root) + "/", "")
    ]


def test_include_depth_limit(tree, monkeypatch):
    monkeypatch.setitem(source.LIMITS, "include_depth", 3)
    root = tree({f"{i}.conf": f"include {i + 1}.conf\n" for i in range(6)})
    result = source.read_config(str(root / "0.conf"), "n")
    assert [(d.code, d.message) for d in result.diagnostics] == [("KA007", "includes nested deeper than 3 levels")]


def test_include_fan_out_limit(tree, monkeypatch):
    monkeypatch.setitem(source.LIMITS, "files", 3)
    root = tree({"m.conf": "include d/*.conf\n", **{f"d/{i}.conf": "x\n" for i in range(5)}})
    result = source.read_config(str(root / "m.conf"), "n")
    assert len(result.files) == 3
    assert [(d.code, d.message) for d in result.diagnostics] == [("KA007", "more than 3 files included")]


def test_included_directory_and_executable_are_skipped_like_keepalived(tree, monkeypatch):
    root = tree({"m.conf": "include d\ninclude run.sh\n", "d/x": "", "run.sh": "x 1\n"})
    os.chmod(root / "run.sh", 0o755)
    monkeypatch.chdir(root)
    result = source.read_config("m.conf", "n")
    assert result.lines == []
    assert [d.message for d in result.diagnostics] == [
        "include: 'd' is a directory; keepalived skips it",
        "include: 'run.sh' is not a regular non-executable file; keepalived skips it",
    ]


def test_unreadable_top_level_file_is_an_input_error(tmp_path):
    with pytest.raises(source.InputError, match="No such file or directory"):
        source.read_config(str(tmp_path / "none.conf"))
    with pytest.raises(source.InputError, match="is a directory"):
        source.read_config(str(tmp_path))


def test_file_size_limit(tmp_path, monkeypatch):
    monkeypatch.setitem(source.LIMITS, "file_bytes", 100)
    path = tmp_path / "big.conf"
    path.write_text("x\n" * 100)
    with pytest.raises(source.InputError, match=r"file is 200 bytes; kagen reads files of at most 100 bytes"):
        source.read_config(str(path))


def test_brace_expansion():
    assert includes.expand_braces("a{b,c{d,e}}f") == ["abf", "acdf", "acef"]
    assert includes.expand_braces("no{brace") == ["no{brace"]
    assert includes.expand_braces("{x}") == ["x"]


def test_kernel_interfaces_are_never_read():
    result = read_text("include /proc/kmsg\ninclude /sys/kernel/*\n", "t.conf", "n")
    assert [d.message for d in result.diagnostics] == [
        "include '/proc/kmsg' names kernel interfaces (/proc, /sys, /dev); kagen does not read them",
        "include '/sys/kernel/*' names kernel interfaces (/proc, /sys, /dev); kagen does not read them",
    ]
