"""Voice calls through the modem (3GPP TS 27.007): ``ATD<number>;`` dials (the ``;``
makes it a voice call), ``ATH`` hangs up, ``AT+CLCC`` lists the calls. Monitoring
(JT/T 808 0x8400 flag 1, "listen in") turns the microphone on (``AT+CMUT=0``) and the
speaker off (``AT+CLVL=0``) before dialling; a modem without those commands
(``ERROR``) still dials, and ``monitor_applied`` says it could not be silenced.
"""
from __future__ import annotations

import re
from typing import Any, Protocol, runtime_checkable

import attrs

from hal.errors import ModemError

__all__ = ["VoiceCalls", "AtVoiceCalls", "Call", "VoiceCallError"]

_NUMBER = re.compile(r"\+?[0-9*#]{1,40}")
_CLCC = re.compile(r'\+CLCC:\s*(\d+),(\d),(\d),(\d),(\d)(?:,"([^"]*)")?')


class VoiceCallError(ModemError):
    """A number that cannot be dialled, or a dial the modem refused."""


@attrs.frozen
class Call:
    """One ``+CLCC`` line: ``direction`` 0 outgoing / 1 incoming, ``state`` 0 active,
    2 dialling, 3 alerting, 4 incoming, 5 waiting; ``mode`` 0 voice."""

    index: int
    direction: int
    state: int
    mode: int
    number: str


@runtime_checkable
class VoiceCalls(Protocol):
    async def dial(self, number: str, *, monitor: bool = False) -> None: ...
    async def hang_up(self) -> None: ...
    async def calls(self) -> list[Call]: ...


class AtVoiceCalls:
    """``VoiceCalls`` over an AT channel (anything with ``async command(cmd)`` returning
    an object with ``lines``, raising ``ModemError`` on ERROR: ``hal.quectel.ATChannel``)."""

    def __init__(self, channel: Any, *, timeout: float = 10.0) -> None:
        self.channel = channel
        self.timeout = timeout
        self.monitor_applied: bool | None = None

    async def dial(self, number: str, *, monitor: bool = False) -> None:
        if not _NUMBER.fullmatch(number):
            raise VoiceCallError(f"cannot dial {number!r}: not a phone number")
        self.monitor_applied = None
        if monitor:
            self.monitor_applied = await self._try("AT+CMUT=0") & await self._try("AT+CLVL=0")
        await self.channel.command(f"ATD{number};", timeout=self.timeout)

    async def _try(self, command: str) -> bool:
        try:
            await self.channel.command(command, timeout=self.timeout)
        except ModemError:
            return False
        return True

    async def hang_up(self) -> None:
        await self.channel.command("ATH", timeout=self.timeout)

    async def calls(self) -> list[Call]:
        result = await self.channel.command("AT+CLCC", timeout=self.timeout)
        found = []
        for line in result.lines:
            match = _CLCC.match(line)
            if match:
                index, direction, state, mode, _mpty, number = match.groups()
                found.append(Call(int(index), int(direction), int(state), int(mode),
                                  number or ""))
        return found
