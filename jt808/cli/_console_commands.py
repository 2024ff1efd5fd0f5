"""The ``jt808 platform`` console's commands: one per platform->terminal message.

Each entry of ``MESSAGES`` builds one message from the words after ``NAME PHONE``:
positional words, and ``key=value`` words (integers may be written ``0x…``). The
console (``_console``) sends it with ``Platform.request`` and prints the answer.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs

from ..codec import (CallBack, CameraShootCommand, DriverIdentityRequest, LinkCheck,
                     LocationQuery, ManualAlarmConfirm, Message, QuerySpecificTerminalParams,
                     QueryTerminalParams, QueryTerminalProperties, SetTerminalParams,
                     TemporaryTracking, TerminalControl, TerminalParam, TextMessage)

__all__ = ["MESSAGES", "MessageCommand", "CommandError", "parse_int"]


class CommandError(Exception):
    """A console line that cannot be turned into a message: printed, the console goes on."""


def parse_int(text: str, what: str) -> int:
    try:
        return int(text, 16) if text.lower().startswith("0x") else int(text)
    except ValueError:
        raise CommandError(f"{what} {text!r} is not a number") from None


class Words:
    """The words after ``NAME PHONE``: positionals and ``key=value`` options."""

    def __init__(self, words: list[str], allowed: tuple[str, ...] | None) -> None:
        self.positional = [w for w in words if "=" not in w]
        self.options: dict[str, str] = {}
        for word in words:
            if "=" in word:
                key, _, value = word.partition("=")
                if allowed is not None and key not in allowed:
                    known = ", ".join(allowed) or "none"
                    raise CommandError(f"unknown option {key!r} (options: {known})")
                self.options[key] = value

    def int(self, key: str, default: int) -> int:
        return parse_int(self.options[key], key) if key in self.options else default


@attrs.frozen
class MessageCommand:
    """``build(words) -> Message``; ``usage`` shows the words after the phone."""

    build: Callable[[Words], Message]
    usage: str
    help: str
    options: tuple[str, ...] | None = ()      # None: any key (set-params' ids)


def _query_params(words: Words) -> Message:
    if not words.positional:
        return QueryTerminalParams()
    return QuerySpecificTerminalParams(
        tuple(parse_int(word, "parameter id") for word in words.positional))


def _set_params(words: Words) -> Message:
    if not words.options:
        raise CommandError("give ID=VALUE pairs, e.g. set-params PHONE 0x0029=10")
    params = tuple(TerminalParam(parse_int(key, "parameter id"), _value(value))
                   for key, value in words.options.items())
    return SetTerminalParams(params)


def _value(text: str) -> Any:
    try:
        return parse_int(text, "value")
    except CommandError:
        return text


def _text(words: Words) -> Message:
    if len(words.positional) != 1:
        raise CommandError('give the text as one word, in quotes: text PHONE "hello"')
    return TextMessage(words.int("flag", 0x04), words.positional[0], words.int("type", 1))


def _photo(words: Words) -> Message:
    return CameraShootCommand(
        words.int("channel", 1), words.int("count", 1), words.int("interval", 0),
        words.int("save", 0), words.int("resolution", 1), words.int("quality", 5),
        words.int("brightness", 128), words.int("contrast", 64),
        words.int("saturation", 64), words.int("chroma", 128))


def _track(words: Words) -> Message:
    return TemporaryTracking(words.int("interval", 10), words.int("validity", 60))


def _control(words: Words) -> Message:
    if "command" not in words.options:
        raise CommandError("give command=N (0x8105 command word), e.g. control PHONE command=4")
    return TerminalControl(words.int("command", 0),
                           words.options.get("params", "").encode("gbk", "replace"))


def _confirm_alarm(words: Words) -> Message:
    return ManualAlarmConfirm(words.int("serial", 0), words.int("type", 0))


def _call_back(words: Words) -> Message:
    if len(words.positional) != 1:
        raise CommandError("give the number to call: call-back PHONE 13900000000")
    return CallBack(words.int("flag", 0), words.positional[0])


def _no_words(message: type) -> Callable[[Words], Message]:
    def build(words: Words) -> Message:
        if words.positional:
            raise CommandError(f"unexpected words: {' '.join(words.positional)}")
        return message()
    return build


MESSAGES: dict[str, MessageCommand] = {
    "query-params": MessageCommand(_query_params, "[ID ...]",
                                   "0x8104 all parameters, or 0x8106 the ids given"),
    "set-params": MessageCommand(_set_params, "ID=VALUE ...", "0x8103 set parameters",
                                 None),
    "query-properties": MessageCommand(_no_words(QueryTerminalProperties), "",
                                       "0x8107 terminal properties"),
    "locate": MessageCommand(_no_words(LocationQuery), "", "0x8201 position now"),
    "track": MessageCommand(_track, "[interval=10] [validity=60]",
                            "0x8202 temporary tracking (s)", ("interval", "validity")),
    "text": MessageCommand(_text, '"TEXT" [flag=0x04] [type=1]', "0x8300 text message",
                           ("flag", "type")),
    "photo": MessageCommand(_photo, "[channel=1] [count=1] [interval=0] [save=0] "
                            "[resolution=1] [quality=5] …", "0x8801 take photos",
                            ("channel", "count", "interval", "save", "resolution",
                             "quality", "brightness", "contrast", "saturation", "chroma")),
    "control": MessageCommand(_control, "command=N [params=TEXT]", "0x8105 terminal control",
                              ("command", "params")),
    "link-check": MessageCommand(_no_words(LinkCheck), "", "0x8204 link check"),
    "confirm-alarm": MessageCommand(_confirm_alarm, "serial=N type=N",
                                    "0x8203 confirm an alarm by hand", ("serial", "type")),
    "call-back": MessageCommand(_call_back, "NUMBER [flag=0]",
                                "0x8400 call back (flag 0 normal, 1 listen)", ("flag",)),
    "driver-id": MessageCommand(_no_words(DriverIdentityRequest), "",
                                "0x8702 driver identity"),
}
