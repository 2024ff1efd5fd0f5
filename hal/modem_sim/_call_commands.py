"""Voice-call commands of the simulated modem (3GPP TS 27.007 §6.2, §7.18, §8.23-8.24):
``ATD<digits>;`` dials (the call is answered at once: state 0 active), ``ATH`` hangs
up every call, ``AT+CLCC`` lists them, ``AT+CMUT`` mutes the microphone, ``AT+CLVL``
sets the speaker level (0-5). ``state.voice`` (a :class:`VoiceState`, made on first
use) keeps the calls and a history of the numbers dialled, for tests to observe.
A dial string (27.007 §6.2, V.250 §6.3.1) runs to the ``;``: digits, ``*``, ``#``,
``A``-``D`` and a leading ``+`` (international); the V.250 modifiers ``, T P W ! @``
are ignored and a trailing ``I``/``i`` (CLIR) or ``G``/``g`` (CUG) is dropped. The
number kept (and shown by ``+CLCC``) is what remains; anything else is ``ERROR``.
"""
from __future__ import annotations

import re

import attrs

from ._at import AtError, Command, Reply, ok
from ._state import Handler, ModemState

__all__ = ["CALL_COMMANDS", "VoiceState", "voice_state"]

MAX_CALLS = 7            # 27.007 call indexes 1..7
_MODIFIERS = str.maketrans("", "", ",TtPpWw!@")
_DIAL_STRING = re.compile(r"(\+?[0-9*#A-D]{1,40})[IiGg]{0,2}")


@attrs.define
class ActiveCall:
    index: int
    number: str
    direction: int = 0           # 0 mobile originated
    state: int = 0               # 0 active


@attrs.define
class VoiceState:
    calls: list[ActiveCall] = attrs.Factory(list)
    dialled: list[str] = attrs.Factory(list)
    mic_muted: bool = False
    speaker_level: int = 3


def voice_state(state: ModemState) -> VoiceState:
    """The voice part of ``state`` (created on first use)."""
    voice = getattr(state, "voice", None)
    if voice is None:
        voice = VoiceState()
        setattr(state, "voice", voice)
    return voice


def dial_number(dial_string: str) -> str | None:
    """The number a 27.007 dial string dials (``None``: not a dial string)."""
    match = _DIAL_STRING.fullmatch(dial_string.translate(_MODIFIERS))
    return match.group(1) if match else None


def dial(state: ModemState, cmd: Command) -> Reply:
    number = dial_number(cmd.args[0]) if cmd.args else None
    voice = voice_state(state)
    if number is None or len(voice.calls) >= MAX_CALLS:
        raise AtError()
    index = min(set(range(1, MAX_CALLS + 1)) - {c.index for c in voice.calls})
    voice.calls.append(ActiveCall(index, number))
    voice.dialled.append(number)
    del voice.dialled[:-100]
    return ok()


def hang_up(state: ModemState, cmd: Command) -> Reply:
    voice_state(state).calls.clear()
    return ok()


def clcc(state: ModemState, cmd: Command) -> Reply:
    lines = [f'+CLCC: {c.index},{c.direction},{c.state},0,0,"{c.number}",129'
             for c in voice_state(state).calls]
    return ok(*lines)


def _level(cmd: Command, high: int) -> int:
    try:
        value = int(cmd.args[0])
    except (IndexError, ValueError):
        raise AtError("cme", 50) from None
    if not 0 <= value <= high:
        raise AtError("cme", 50)
    return value


def cmut(state: ModemState, cmd: Command) -> Reply:
    voice = voice_state(state)
    if cmd.kind == "read":
        return ok(f"+CMUT: {int(voice.mic_muted)}")
    if cmd.kind == "test":
        return ok("+CMUT: (0,1)")
    voice.mic_muted = bool(_level(cmd, 1))
    return ok()


def clvl(state: ModemState, cmd: Command) -> Reply:
    voice = voice_state(state)
    if cmd.kind == "read":
        return ok(f"+CLVL: {voice.speaker_level}")
    if cmd.kind == "test":
        return ok("+CLVL: (0-5)")
    voice.speaker_level = _level(cmd, 5)
    return ok()


CALL_COMMANDS: dict[str, Handler] = {"D": dial, "H": hang_up, "+CLCC": clcc,
                                     "+CMUT": cmut, "+CLVL": clvl}
