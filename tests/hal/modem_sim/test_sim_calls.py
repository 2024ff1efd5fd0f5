"""ATD dial strings on the simulator (3GPP TS 27.007 §6.2, V.250 §6.3.1): ``+``, ``*``,
``#`` and ``A``-``D`` dial, the V.250 modifiers and a trailing CLIR/CUG letter are
dropped from the number; what is not a dial string is ERROR and dials nothing."""
from __future__ import annotations

import pytest

from hal.modem_sim._at import Command, parse_line
from hal.modem_sim._call_commands import dial_number


def test_a_dial_string_runs_to_the_semicolon():
    assert parse_line("ATD+8613912345678;") == [
        Command("D", "exec", ("+8613912345678",), "D+8613912345678")]
    assert parse_line("ATD*21#;H") == [Command("D", "exec", ("*21#",), "D*21#"),
                                       Command("H", "action", (), "H")]


@pytest.mark.parametrize("dial_string, number", [
    ("13912345678", "13912345678"), ("+8613912345678", "+8613912345678"),
    ("*21#", "*21#"), ("#31#10086", "#31#10086"), ("T10086", "10086"),
    ("1,0W0!8@6", "10086"), ("10086I", "10086"), ("10086ig", "10086"), ("12AB", "12AB"),
])
def test_27007_dial_strings(dial_string, number):
    assert dial_number(dial_string) == number


@pytest.mark.parametrize("dial_string", ["", "+", "1+2", "12x", "ab", "1 2", "T", "9" * 41,
                                         ">SM1"])
def test_not_dial_strings(dial_string):
    assert dial_number(dial_string) is None


def test_the_simulator_dials_plus_star_and_hash(sim, at):
    assert at.cmd(b"ATD+8613912345678;").endswith(b"OK\r\n")
    assert at.cmd(b"ATD*21#;").endswith(b"OK\r\n")
    clcc = at.cmd(b"AT+CLCC")
    assert b'+CLCC: 1,0,0,0,0,"+8613912345678",129' in clcc
    assert b'+CLCC: 2,0,0,0,0,"*21#",129' in clcc
    assert at.cmd(b"ATD12x;").endswith(b"ERROR\r\n")
    assert at.cmd(b"ATD;").endswith(b"ERROR\r\n")
    assert sim.voice.dialled == ["+8613912345678", "*21#"]
