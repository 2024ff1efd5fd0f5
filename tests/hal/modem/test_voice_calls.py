"""Voice calls (hal.modem.AtVoiceCalls) over a real pty to the modem simulator's
ATD/ATH/CLCC/CMUT/CLVL (hal/modem_sim/_call_commands.py; 27.007 §6.2, §7.18, §8.23)."""
from __future__ import annotations

import pytest

from hal.errors import ModemError
from hal.modem import AtVoiceCalls, Call, VoiceCallError
from hal.modem_sim import ModemSimulator
from hal.quectel import open_channel

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def test_dial_list_hang_up_on_the_simulator():
    with ModemSimulator() as sim:
        async with open_channel(sim.at_port) as channel:
            voice = AtVoiceCalls(channel)
            await voice.dial("13912345678")
            assert await voice.calls() == [Call(1, 0, 0, 0, "13912345678")]
            assert voice.monitor_applied is None
            await voice.hang_up()
            assert await voice.calls() == []
        assert sim.voice.dialled == ["13912345678"]


async def test_monitor_turns_the_microphone_on_and_the_speaker_off():
    with ModemSimulator() as sim:
        async with open_channel(sim.at_port) as channel:
            assert (await channel.command("AT+CMUT=1")).final == "OK"
            voice = AtVoiceCalls(channel)
            await voice.dial("10086", monitor=True)
            assert voice.monitor_applied is True
        assert sim.voice.mic_muted is False and sim.voice.speaker_level == 0


async def test_bad_numbers_are_refused_before_the_modem():
    with ModemSimulator() as sim:
        async with open_channel(sim.at_port) as channel:
            voice = AtVoiceCalls(channel)
            for number in ("", "1380;ATH", "12 34", "9" * 41):
                with pytest.raises(VoiceCallError):
                    await voice.dial(number)
            assert await voice.calls() == []


class NoAudioCommands:
    """A modem with ATD but without +CMUT/+CLVL (answers ERROR)."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    async def command(self, cmd: str, timeout: float = 5.0):
        self.sent.append(cmd)
        if cmd.startswith(("AT+CMUT", "AT+CLVL")):
            raise ModemError("ERROR")
        return type("R", (), {"lines": ()})()


async def test_monitor_dials_anyway_where_the_modem_lacks_the_commands():
    modem = NoAudioCommands()
    voice = AtVoiceCalls(modem)
    await voice.dial("10086", monitor=True)
    assert modem.sent[-1] == "ATD10086;" and voice.monitor_applied is False


async def test_international_and_service_numbers_dial_on_the_simulator():
    """Issue 15: the simulator took digits only; a phone book number may start with +
    and a service code holds * and # (27.007 §6.2)."""
    with ModemSimulator() as sim:
        async with open_channel(sim.at_port) as channel:
            voice = AtVoiceCalls(channel)
            await voice.dial("+8613912345678")
            await voice.dial("*21#")
            assert [c.number for c in await voice.calls()] == ["+8613912345678", "*21#"]
        assert sim.voice.dialled == ["+8613912345678", "*21#"]
