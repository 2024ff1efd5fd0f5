"""The console's message table: words -> the platform->terminal message (issue 13)."""
from __future__ import annotations

import pytest

from jt808.cli._console_commands import MESSAGES, CommandError, Words
from jt808.codec import (CallBack, CameraShootCommand, LocationQuery, QuerySpecificTerminalParams,
                         QueryTerminalParams, SetTerminalParams, TemporaryTracking,
                         TerminalControl, TerminalParam, TextMessage)


def build(name: str, *words: str):
    command = MESSAGES[name]
    return command.build(Words(list(words), command.options))


@pytest.mark.parametrize("name, words, message", [
    ("query-params", (), QueryTerminalParams()),
    ("query-params", ("0x0001", "41"), QuerySpecificTerminalParams((1, 41))),
    ("set-params", ("0x0029=10", "0x0013=jt808.example.com"),
     SetTerminalParams((TerminalParam(0x29, 10), TerminalParam(0x13, "jt808.example.com")))),
    ("text", ("hello", "flag=0x08"), TextMessage(8, "hello", 1)),
    ("photo", ("channel=2", "count=3"), CameraShootCommand(2, 3, 0, 0, 1, 5, 128, 64, 64, 128)),
    ("track", ("interval=5", "validity=600"), TemporaryTracking(5, 600)),
    ("control", ("command=4",), TerminalControl(4, b"")),
    ("call-back", ("13900000000", "flag=1"), CallBack(1, "13900000000")),
    ("locate", (), LocationQuery()),
])
def test_words_build_the_message(name, words, message) -> None:
    assert build(name, *words) == message


@pytest.mark.parametrize("name, words, says", [
    ("photo", ("channel=x",), "channel 'x' is not a number"),
    ("photo", ("chanel=1",), "unknown option 'chanel'"),
    ("text", (), "give the text as one word"),
    ("text", ("a", "b"), "give the text as one word"),
    ("set-params", (), "give ID=VALUE pairs"),
    ("set-params", ("x=1",), "parameter id 'x' is not a number"),
    ("control", (), "give command=N"),
    ("locate", ("now",), "unexpected words: now"),
    ("query-params", ("one",), "parameter id 'one' is not a number"),
])
def test_bad_words_are_command_errors(name, words, says) -> None:
    with pytest.raises(CommandError, match=says):
        build(name, *words)


def test_every_platform_command_has_usage_and_help() -> None:
    for name, command in MESSAGES.items():
        assert command.help.startswith("0x8"), name
