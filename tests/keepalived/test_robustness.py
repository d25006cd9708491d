"""Property tests: whatever text or bytes come in, parsing, the model and the dumps never raise,
and every diagnostic points inside the input."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kagen.keepalived import source
from kagen.keepalived.dump import config_to_dict, outline
from kagen.keepalived.parse import parse_string
from support.helpers import REPO, corpus_files

SAMPLES = [p.read_text(errors="replace") for p in corpus_files()] + [
    p.read_text()
    for p in sorted((REPO / "tests" / "configs").rglob("*.conf")) + sorted((REPO / "examples").rglob("*.conf"))
]

# Fragments that exercise every branch of the reader and the lexer.
PIECES = [
    "vrrp_instance",
    "virtual_ipaddress",
    "unicast_peer",
    "global_defs",
    "virtual_server",
    "real_server",
    "TCP_CHECK",
    "track_script",
    "authentication",
    "state",
    "priority",
    "1.2.3.4",
    "fd00::1",
    "10.0.0.1/24",
    "{",
    "}",
    '"',
    "'",
    "#",
    "!",
    "\\",
    "$",
    "${",
    "$A=",
    "$B=x \\",
    "@a ",
    "@^a ",
    "~SEQ(N, 3)",
    "~LST(V, 1, 2)",
    "~SEQx(",
    "include ",
    "include x.conf",
    " ",
    "\t",
    "\n",
    "\r\n",
    "\x00",
    "\ufeff",
    "\u00e9",
    "\x1c",
    "a" * 400,
    "dev",
    "weight -10",
]

text_inputs = st.lists(st.sampled_from(PIECES) | st.text(max_size=5), max_size=60).map("".join)
# Line-shaped input: a few pieces per line, so that "keyword }" and "header {" lines are common.
line_inputs = st.lists(
    st.lists(st.sampled_from([p for p in PIECES if "\n" not in p]), max_size=5).map(" ".join), max_size=30
).map("\n".join)
FUZZ = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check(config, text_lines: int) -> None:
    for diagnostic in config.diagnostics:
        assert diagnostic.pos.line >= 1 and diagnostic.pos.col >= 1
        if diagnostic.pos.file == "fuzz.conf":
            assert diagnostic.pos.line <= text_lines + 1
    for instance in config.vrrp_instances:
        assert isinstance(instance.unicast, bool)
        instance.virtual_ipaddresses, instance.notify, instance.family  # noqa: B018 - must not raise
    for vs in config.virtual_servers:
        [rs.checkers for rs in vs.real_servers]
    config_to_dict(config, "fuzz.conf", "a")
    list(outline(config))


@FUZZ
@given(line_inputs | text_inputs)
def test_any_text(text):
    check(parse_string(text, "fuzz.conf", "a", directory="/nonexistent"), text.count("\n") + text.count("\r"))


@FUZZ
@given(st.binary(max_size=2000))
def test_any_bytes(data):
    check(parse_string(data, "fuzz.conf", "a", directory="/nonexistent"), data.count(b"\n"))


@FUZZ
@given(
    st.sampled_from(SAMPLES),
    st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 40), st.sampled_from(PIECES)), min_size=1, max_size=8),
)
def test_mutated_real_configurations(text, edits):
    for position, length, insert in edits:
        position %= len(text) + 1
        text = text[:position] + insert + text[position + length :]
    check(parse_string(text, "fuzz.conf", "a", directory="/nonexistent"), text.count("\n"))


def test_samples_loaded():
    assert len(SAMPLES) >= 8 and all(isinstance(text, str) for text in SAMPLES)
    assert Path(REPO / "tests" / "configs").is_dir()


@FUZZ
@given(line_inputs | text_inputs)
@example("a 1\r\n\r \r\n}\r\n")  # found by hypothesis: a line of carriage returns and a blank
@example("\x0b {\n\x0b }\n")
def test_fast_path_reads_lines_exactly_like_the_general_path(text):
    def read(short):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(source, "_SHORT", short)
            result = source.read_text(text, "fuzz.conf", "a", directory="/nonexistent")
        lines = [
            (line.words, line.text, line.file.name, line.line, line.col, line.word_positions()) for line in result.lines
        ]
        return lines, [d.to_text() for d in result.diagnostics]

    assert read(source._SHORT) == read(-1)
