"""Modem identity and radio state: the ``ModemInfo`` interface and its backends."""
from __future__ import annotations

import enum
import inspect
import re
from typing import Any, Protocol, runtime_checkable

import attrs

from hal.errors import HalError

__all__ = ["ModemInfo", "QuectelModemInfo", "StaticModemInfo", "Signal", "Registration",
           "ModemInfoError"]


class ModemInfoError(HalError):
    """The modem driver returned an identity or state value that cannot be read."""


@attrs.frozen
class Signal:
    """``AT+CSQ`` values (3GPP 27.007 §8.5): ``rssi`` 0..31 or 99 unknown, ``ber`` 0..7 or 99."""

    rssi: int = 99
    ber: int = 99

    @property
    def dbm(self) -> int | None:
        """rssi 0..31 -> -113 + 2*rssi dBm (quectel-at.md §7); ``None`` when unknown."""
        return -113 + 2 * self.rssi if 0 <= self.rssi <= 31 else None


class Registration(enum.IntEnum):
    """``<stat>`` of ``+CREG``/``+CEREG`` (27.007 §7.2, quectel-at.md §7)."""

    NOT_SEARCHING = 0
    HOME = 1
    SEARCHING = 2
    DENIED = 3
    UNKNOWN = 4
    ROAMING = 5

    @property
    def registered(self) -> bool:
        return self in (Registration.HOME, Registration.ROAMING)


@runtime_checkable
class ModemInfo(Protocol):
    async def imei(self) -> str: ...
    async def iccid(self) -> str: ...
    async def imsi(self) -> str: ...
    async def signal(self) -> Signal: ...
    async def registration(self) -> Registration: ...
    async def firmware(self) -> str: ...


_PREFIX = re.compile(r"^\s*\+[A-Z]+:\s*")


def _text(value: Any, what: str) -> str:
    if isinstance(value, bytes):
        value = value.decode("ascii", "replace")
    if not isinstance(value, str):
        raise ModemInfoError(f"{what}: expected text from the modem, got {value!r}")
    return _PREFIX.sub("", value).strip()


def _digits(value: Any, what: str, *, strip_f: bool = False) -> str:
    text = _text(value, what)
    if strip_f:
        text = text.rstrip("Ff")       # some SIMs pad the ICCID with a trailing 'F'
    if not text.isdigit():
        raise ModemInfoError(f"{what}: not digits: {text!r}")
    return text


def _numbers(value: Any, what: str) -> list[int]:
    """A ``"+CSQ: 24,99"`` style reply, a tuple, or an int, as a list of ints."""
    if isinstance(value, int):
        return [value]
    if isinstance(value, (tuple, list)):
        items = list(value)
    else:
        items = _text(value, what).split(",")[:2]
    try:
        return [int(item) for item in items]
    except (TypeError, ValueError):
        raise ModemInfoError(f"{what}: not numbers: {value!r}") from None


def to_signal(value: Any) -> Signal:
    if isinstance(value, Signal):
        return value
    if hasattr(value, "rssi"):
        return Signal(int(value.rssi), int(getattr(value, "ber", 99)))
    numbers = _numbers(value, "signal")
    return Signal(numbers[0], numbers[1] if len(numbers) > 1 else 99)


def to_registration(value: Any) -> Registration:
    """An int stat, ``(n, stat)``, ``"+CREG: 0,1"`` or an object with ``stat``."""
    if isinstance(value, Registration):
        return value
    stat = getattr(value, "stat", None)
    if stat is None:
        numbers = _numbers(value, "registration")
        stat = numbers[1] if len(numbers) > 1 else numbers[0]
    try:
        return Registration(int(stat))
    except ValueError:
        raise ModemInfoError(f"registration: unknown stat {stat!r}") from None


async def _call(method: Any) -> Any:
    result = method()
    return await result if inspect.isawaitable(result) else result


class QuectelModemInfo:
    """``ModemInfo`` over the Quectel driver (``hal.quectel.QuectelModem``).

    The driver's methods may be sync or async and may return raw reply text
    (``"+QCCID: 8986...F"``, ``"+CSQ: 24,99"``) or already parsed values; this
    class normalises both. Driver errors (``hal.errors.ModemError``...) pass through.
    """

    def __init__(self, modem: Any) -> None:
        self.modem = modem

    async def imei(self) -> str:
        return _digits(await _call(self.modem.imei), "imei")

    async def iccid(self) -> str:
        return _digits(await _call(self.modem.iccid), "iccid", strip_f=True)

    async def imsi(self) -> str:
        return _digits(await _call(self.modem.imsi), "imsi")

    async def signal(self) -> Signal:
        return to_signal(await _call(self.modem.signal))

    async def registration(self) -> Registration:
        return to_registration(await _call(self.modem.registration))

    async def firmware(self) -> str:
        return _text(await _call(self.modem.firmware), "firmware")


@attrs.define
class StaticModemInfo:
    """A fake ``ModemInfo`` with fixed (mutable) values; defaults from quectel-at.md §7."""

    imei_value: str = "867584030123454"
    iccid_value: str = "89860012345678901238"
    imsi_value: str = "460001234567890"
    signal_value: Signal = attrs.field(default=Signal(24, 99), converter=to_signal)
    registration_value: Registration = attrs.field(default=Registration.HOME,
                                                   converter=to_registration)
    firmware_value: str = "EC25EFAR06A08M4G"

    async def imei(self) -> str:
        return self.imei_value

    async def iccid(self) -> str:
        return self.iccid_value

    async def imsi(self) -> str:
        return self.imsi_value

    async def signal(self) -> Signal:
        return self.signal_value

    async def registration(self) -> Registration:
        return self.registration_value

    async def firmware(self) -> str:
        return self.firmware_value
