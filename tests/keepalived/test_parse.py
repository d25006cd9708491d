"""Structure: keyword blocks, value blocks, statements, and brace mistakes handled like keepalived."""

from __future__ import annotations

import io

from kagen.keepalived import parse as parse_module
from kagen.keepalived.tree import Line, ValueBlock


def shape(nodes) -> list:
    """A compact picture of the tree: statements as text, blocks as (header, [children])."""
    out = []
    for node in nodes:
        if isinstance(node, Line):
            out.append(node.text)
        elif isinstance(node, ValueBlock):
            out.append((node.header.text, [entry.text for entry in node.entries]))
        else:
            out.append((node.header.text, shape(node.children)))
    return out


def codes(config) -> list[str]:
    return [f"{d.pos.line}:{d.pos.col} {d.code} {d.message}" for d in config.diagnostics]


def test_blocks_value_blocks_and_statements(parse):
    config = parse(
        "global_defs {\n router_id a\n notification_email {\n  a@b\n  c@d\n }\n}\n"
        "vrrp_instance VI {\n state MASTER\n virtual_ipaddress {\n  10.0.0.1/24 dev eth0\n }\n"
        " authentication {\n  auth_type PASS\n }\n}\n"
    )
    assert shape(config.items) == [
        ("global_defs", ["router_id a", ("notification_email", ["a@b", "c@d"])]),
        (
            "vrrp_instance VI",
            ["state MASTER", ("virtual_ipaddress", ["10.0.0.1/24 dev eth0"]), ("authentication", ["auth_type PASS"])],
        ),
    ]
    assert config.diagnostics == []
    block = config.items[1]
    assert (block.open.line, block.open.col, block.close.line, block.close.col) == (8, 18, 16, 1)


def test_same_keyword_is_a_block_at_top_level_and_a_value_block_in_an_instance(parse):
    config = parse("track_file tf {\n file /tmp/x\n}\nvrrp_instance V {\n track_file {\n  tf weight 2\n }\n}\n")
    assert shape(config.items) == [
        ("track_file tf", ["file /tmp/x"]),
        ("vrrp_instance V", [("track_file", ["tf weight 2"])]),
    ]


def test_value_block_lines_are_entries_even_if_they_look_like_blocks(parse):
    config = parse("vrrp_instance V {\n virtual_ipaddress {\n  a {\n  b\n }\n}\n")
    assert shape(config.items) == [("vrrp_instance V", [("virtual_ipaddress", ["a", "{", "b"])])]
    assert config.diagnostics == []


def test_unknown_keyword_with_a_brace_is_no_block(parse):
    """keepalived ignores the '{' after an unknown keyword, so the block's lines stand in the enclosing
    block and its '}' closes that one early: the last '}' is then extra ("Unknown keyword '}'")."""
    config = parse(
        "virtual_server 1.1.1.1 80 {\n real_server 2.2.2.2 80 {\n  TCP_CHEK {\n   connect_timeout 3\n  }\n }\n}\n"
    )
    rs = config.items[0].children[0]
    assert shape(rs.children) == ["TCP_CHEK", "connect_timeout 3"]
    assert codes(config) == [
        "3:3 KA002 unknown keyword 'TCP_CHEK'; did you mean 'TCP_CHECK'?",
        "3:12 KA001 unexpected '{' after 'TCP_CHEK', an unknown keyword: keepalived ignores it and reads the "
        "following lines as part of 'real_server 2.2.2.2', up to the next '}'",
        "7:1 KA001 '}' at the top level: there is no block to close (keepalived: Extra '}')",
    ]


def test_missing_opening_brace_of_a_keyword_block(parse):
    config = parse("vrrp_instance V\n state MASTER\n}\nglobal_defs {\n}\n")
    assert shape(config.items) == [("vrrp_instance V", ["state MASTER"]), ("global_defs", [])]
    assert config.items[0].open is None
    assert codes(config) == [
        "1:1 KA001 'vrrp_instance V' is not followed by '{' (keepalived: Missing '{')",
        "3:1 KA001 '}' with no matching '{' (a '{' is missing above; keepalived: Extra '}')",
    ]


def test_value_block_without_brace_eats_the_parents_closing_brace(parse):
    config = parse("vrrp_instance V {\n virtual_ipaddress\n  10.0.0.1\n}\nstate MASTER\n}\n")
    assert shape(config.items) == [("vrrp_instance V", [("virtual_ipaddress", ["10.0.0.1"]), "state MASTER"])]
    assert codes(config) == [
        "2:2 KA001 'virtual_ipaddress' has no '{': keepalived takes the lines up to the next '}' as its "
        "entries, and that '}' then no longer closes the enclosing block",
        "6:1 KA001 '}' with no matching '{' (a '{' is missing above; keepalived: Extra '}')",
    ]


def test_extra_and_missing_closing_braces(parse):
    config = parse("}\nglobal_defs {\n router_id x\nvrrp_instance V {\n")
    assert shape(config.items) == [("global_defs", ["router_id x", "vrrp_instance V"])]
    assert config.items[0].close is None
    assert codes(config) == [
        "1:1 KA001 '}' at the top level: there is no block to close (keepalived: Extra '}')",
        "4:1 KA003 'vrrp_instance' is not valid in global_defs; it belongs at the top level",
        "4:17 KA001 unexpected '{' after 'vrrp_instance', an unknown keyword: keepalived ignores it and reads "
        "the following lines as part of 'global_defs', up to the next '}'",
        "2:1 KA001 'global_defs' is not closed: missing '}' at the end of the file",
    ]


def test_unexpected_opening_brace(parse):
    config = parse("global_defs {\n{\n router_id x\n}\n")
    assert codes(config) == ["2:1 KA001 unexpected '{' (keepalived ignores it)"]


def test_unclosed_value_block_and_header_at_end_of_file(parse):
    assert codes(parse("vrrp_instance V {\n virtual_ipaddress {\n  1.1.1.1\n")) == [
        "2:2 KA001 'virtual_ipaddress' is not closed: missing '}' at the end of the file",
        "1:1 KA001 'vrrp_instance V' is not closed: missing '}' at the end of the file",
    ]
    assert codes(parse("vrrp_instance V")) == ["1:1 KA001 'vrrp_instance V' has no '{' before the end of the file"]


def test_unknown_and_misplaced_keywords(parse):
    config = parse("Global_defs {\n}\nvrrp_instance V {\n router_id x\n prority 1\n}\n")
    assert codes(config) == [
        "1:1 KA002 unknown keyword 'Global_defs'; did you mean 'global_defs'?",
        "1:13 KA001 unexpected '{' after 'Global_defs', an unknown keyword: keepalived ignores it and reads "
        "the following lines as part of the top level, up to the next '}'",
        "2:1 KA001 '}' at the top level: there is no block to close (keepalived: Extra '}')",
        "4:2 KA003 'router_id' is not valid in vrrp_instance; it belongs in global_defs",
        "5:2 KA002 unknown keyword 'prority'; did you mean 'priority'?",
    ]


def test_keywords_inside_unknown_blocks_are_reported_like_keepalived_does(parse):
    """keepalived -t: Unknown keyword 'frob', Unexpected '{' - ignoring, Unknown keyword 'also_unknown',
    ... and Unknown keyword '}' on lines 5 and 6."""
    config = parse("frob {\n also_unknown 1\n nested {\n  x\n }\n}\n")
    assert [f"{d.pos.line}:{d.code}" for d in config.diagnostics] == [
        "1:KA002",
        "1:KA001",
        "2:KA002",
        "3:KA002",
        "3:KA001",
        "4:KA002",
        "5:KA001",
        "6:KA001",
    ]


def test_statement_keyword_followed_by_a_block(parse):
    config = parse("vrrp_instance V {\n priority {\n  1\n }\n}\n")
    assert shape(config.items) == [("vrrp_instance V", ["priority", "1"])]
    assert codes(config)[0] == (
        "2:11 KA001 unexpected '{' after 'priority', not a block keyword: keepalived ignores it and reads the "
        "following lines as part of 'vrrp_instance V', up to the next '}'"
    )


def test_parser_is_built_once_and_gives_the_same_tree_from_its_cache(parse):
    assert parse_module.parser() is parse_module.parser()
    text = "vrrp_instance V {\n state MASTER\n}\n"
    fresh = parse_module.Lark.open_from_package(
        "kagen.grammars",
        "keepalived.lark",
        parser="lalr",
        lexer=parse_module._Tokens,
        transformer=parse_module._Build(),
    )
    source = parse_module.read_text(text, "t.conf", "n")
    tokens = parse_module.Lexer(parse_module.table(), [], parse_module._Token).tokens(source.lines)
    assert shape(fresh.parse(tokens)) == shape(parse(text).items)


def test_parse_file_and_stdin(tmp_path, monkeypatch):
    path = tmp_path / "k.conf"
    path.write_text("global_defs {\n}\n")
    assert shape(parse_module.parse_file(str(path), "n").items) == [("global_defs", [])]
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"vrrp_script s {\n}\n")))
    config = parse_module.parse_file("-", "n")
    assert config.files[0].name == "<stdin>"
    assert shape(config.items) == [("vrrp_script s", [])]


def test_second_group_list_ends_its_sync_group(parse):
    """keepalived skips a second group list with skip_block() from the sync group's own level, so
    the list's '}' ends the vrrp_sync_group too and the group's own '}' is extra."""
    config = parse("vrrp_sync_group G {\n group {\n  A\n }\n group {\n  B\n }\n}\nvrrp_script s {\n}\n")
    assert shape(config.items) == [("vrrp_sync_group G", [("group", ["A"]), ("group", ["B"])]), ("vrrp_script s", [])]
    assert config.items[0].close is None
    assert codes(config) == ["8:1 KA001 '}' at the top level: there is no block to close (keepalived: Extra '}')"]
