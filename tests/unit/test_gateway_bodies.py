"""The gateway's free-text fields: which characters they refuse, what the refusal says, and
that the published pattern (what clients and generated tests go by) says the same."""

from __future__ import annotations

import re

import pytest
from pydantic import TypeAdapter, ValidationError

from gateway.bodies import MultilineText, PlainText, Reprotect

PLAIN = TypeAdapter(PlainText)
MULTILINE = TypeAdapter(MultilineText)
REFUSED = [
    *map(chr, range(0x00, 0x20)),
    *map(chr, range(0x7F, 0xA0)),
    "\u061c",
    "\u200e",
    "\u200f",
    *map(chr, range(0x202A, 0x202F)),
    *map(chr, range(0x2066, 0x206A)),
]


def accepts(adapter: TypeAdapter[str], text: str) -> bool:
    try:
        adapter.validate_python(text)
    except ValidationError:
        return False
    return True


@pytest.mark.parametrize("character", REFUSED, ids=lambda c: f"U+{ord(c):04X}")
def test_controls_and_bidirectional_controls_are_refused_in_a_line(character):
    assert not accepts(PLAIN, f"a{character}b")


def test_a_multiline_text_takes_newlines_and_tabs_but_no_other_control():
    assert accepts(MULTILINE, "first line\n\tsecond line\n")
    for character in REFUSED:
        if character not in "\n\t":
            assert not accepts(MULTILINE, f"a{character}b"), f"U+{ord(character):04X}"


WELCOME = ["Zoë", "Финансы", "財務-本番", "مالية", "עברית", "👩‍💻 team", "a\u200db", "\u00a0"]


def test_text_in_any_script_and_its_joiners_is_welcome():
    for text in WELCOME:
        assert accepts(PLAIN, text) and accepts(MULTILINE, text), text


def test_a_refusal_names_the_character_what_it_is_and_where():
    with pytest.raises(ValidationError) as refused:
        PLAIN.validate_python("invoice\u202efdp.exe")
    assert refused.value.errors()[0]["msg"] == (
        "must not hold a bidirectional control (U+202E, character 8)"
    )
    with pytest.raises(ValidationError) as refused:
        MULTILINE.validate_python("ok\n\x1b[2J")
    assert refused.value.errors()[0]["msg"] == (
        "must not hold a control character (U+001B, character 4)"
    )


def test_the_volume_type_of_a_reprotect_is_a_line():
    with pytest.raises(ValidationError) as refused:
        Reprotect(method="retype", target_replication_type="sync", volume_type="pure\x00")
    assert refused.value.errors()[0]["loc"] == ("volume_type",)


@pytest.mark.parametrize(("adapter", "name"), [(PLAIN, "plain"), (MULTILINE, "multiline")])
def test_the_published_pattern_agrees_with_the_validator_on_every_character(adapter, name):
    pattern = re.compile(adapter.json_schema()["pattern"])
    for code in range(0x3000):
        character = chr(code)
        assert bool(pattern.fullmatch(character)) == accepts(adapter, character), (
            name,
            f"U+{code:04X}",
        )
