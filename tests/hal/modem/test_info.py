"""ModemInfo backends: the Quectel adapter normalises raw and parsed driver replies."""
from __future__ import annotations

import pytest

from hal.errors import HalError, ModemError
from hal.modem import (
    ModemInfo, ModemInfoError, QuectelModemInfo, Registration, Signal, StaticModemInfo,
)

pytestmark = pytest.mark.anyio


class RawModem:
    """Driver stub returning the reply text of quectel-at.md §7 (async methods)."""

    async def imei(self) -> str: return "867584030123454"
    async def iccid(self) -> str: return "+QCCID: 8986001234567890123F"   # padded SIM
    async def imsi(self) -> str: return "460001234567890\r\n"
    async def signal(self) -> str: return "+CSQ: 24,99"
    async def registration(self) -> str: return "+CEREG: 2,5,\"1A2B\",\"0C3D4E01\",7"
    async def firmware(self) -> bytes: return b"EC25EFAR06A08M4G"


class ParsedModem:
    """Driver stub returning parsed values (sync methods)."""

    def imei(self) -> str: return "+CGSN: 867584030123454"       # §7: strip a prefix
    def iccid(self) -> str: return "89860012345678901238"
    def imsi(self) -> str: return "460001234567890"
    def signal(self) -> tuple[int, int]: return (31, 0)
    def registration(self) -> tuple[int, int]: return (0, 1)   # (n, stat) like QuectelModem
    def firmware(self) -> str: return "EC25EFAR06A08M4G_01.001.01.001"


async def test_quectel_info_from_raw_replies() -> None:
    info = QuectelModemInfo(RawModem())
    assert isinstance(info, ModemInfo)
    assert await info.imei() == "867584030123454"
    assert await info.iccid() == "8986001234567890123"
    assert await info.imsi() == "460001234567890"
    assert await info.signal() == Signal(24, 99)
    assert (await info.signal()).dbm == -65
    assert await info.registration() is Registration.ROAMING
    assert await info.firmware() == "EC25EFAR06A08M4G"


async def test_quectel_info_from_parsed_values() -> None:
    info = QuectelModemInfo(ParsedModem())
    assert await info.imei() == "867584030123454"
    assert await info.signal() == Signal(31, 0)
    assert (await info.registration()).registered
    assert await info.firmware() == "EC25EFAR06A08M4G_01.001.01.001"


@pytest.mark.parametrize("method,value", [
    ("imei", "ERROR"), ("iccid", "+QCCID: "), ("imsi", 12345), ("signal", "+CSQ: x,y"),
    ("registration", "+CREG: 0,9"), ("registration", "nope"), ("firmware", None),
])
async def test_quectel_info_rejects_unreadable_values(method: str, value: object) -> None:
    modem = ParsedModem()
    setattr(modem, method, lambda: value)
    with pytest.raises(ModemInfoError) as info:
        await getattr(QuectelModemInfo(modem), method)()
    assert isinstance(info.value, HalError)


async def test_driver_errors_pass_through() -> None:
    modem = ParsedModem()

    def fail() -> str:
        raise ModemError("+CME ERROR: 10", kind="CME", code=10)    # SIM not inserted
    modem.iccid = fail
    with pytest.raises(ModemError):
        await QuectelModemInfo(modem).iccid()


def test_signal_dbm_edges() -> None:
    assert Signal(0).dbm == -113 and Signal(31).dbm == -51 and Signal(99).dbm is None
    assert not Registration.SEARCHING.registered and Registration.HOME.registered


async def test_static_info_defaults_and_overrides() -> None:
    info = StaticModemInfo()
    assert isinstance(info, ModemInfo)
    assert await info.imei() == "867584030123454"
    assert await info.signal() == Signal(24, 99)
    assert await info.registration() is Registration.HOME
    other = StaticModemInfo(imei_value="123456789012345", signal_value=10, registration_value=2)
    assert await other.signal() == Signal(10, 99)
    assert await other.registration() is Registration.SEARCHING
    other.signal_value = Signal(5, 1)
    assert (await other.signal()).ber == 1
