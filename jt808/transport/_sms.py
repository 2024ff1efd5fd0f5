"""``sms:///dev/ttyUSB2?number=1064899123456``: whole frames as 8-bit SMS
(TP-DCS 0x04; longer ones concatenated) through the ``hal.quectel`` driver.

``number`` may be repeated (or given as ``numbers=[...]``): these are the platform's
numbers (parameters 0x0043 / 0x0049). ``send`` goes to the first one; ``receive``
returns only messages from one of them and silently drops (and counts in
``rejected``) every other sender. A number matches with or without its
international prefix (``+8613800138000`` matches ``13800138000``).

Options: ``number``/``numbers``, ``baudrate``, ``modem=`` (share an open driver).
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, Callable, ClassVar
from urllib.parse import SplitResult

from anyio.abc import AsyncResource

from ._base import check_datagram
from ._modem import ModemHandle, acquire_modem, translate_modem_errors
from ._url import query_pairs, url_options

__all__ = ["SmsTransport", "open_transport", "number_matches"]

#: 255 concatenated parts of 134 octets (8-bit UDH IEI 0x00, quectel-at.md §6).
MAX_SMS_DATAGRAM = 255 * 134

_OPTIONS: dict[str, Callable[[str], Any]] = {"number": str, "numbers": lambda v: v,
                                             "baudrate": int, "modem": lambda v: v}
_NUMBER = re.compile(r"\+?[0-9]{1,20}")
#: Longest country calling code: how many extra leading digits still match.
_COUNTRY_CODE_DIGITS = 3


def _digits(number: str) -> str:
    return "".join(c for c in number if c.isdigit())


def number_matches(sender: str, allowed: str) -> bool:
    """Same number, allowing one side to carry a country code the other lacks."""
    a, b = sorted((_digits(sender), _digits(allowed)), key=len)
    return bool(a) and b.endswith(a) and len(b) - len(a) <= _COUNTRY_CODE_DIGITS \
        and (len(a) == len(b) or len(a) >= 7)


class SmsTransport(AsyncResource):
    """Datagrams as SMS to and from the platform's numbers."""

    kind: ClassVar[str] = "datagram"
    max_datagram: int = MAX_SMS_DATAGRAM

    def __init__(self, handle: ModemHandle, numbers: list[str]) -> None:
        self._handle = handle
        self.numbers = numbers
        self.rejected = 0

    @property
    def modem(self) -> Any:
        return self._handle.modem

    async def send(self, datagram: bytes) -> None:
        check_datagram(datagram, self.max_datagram)
        with translate_modem_errors(f"sms send to {self.numbers[0]}"):
            await self.modem.send_sms(self.numbers[0], bytes(datagram))

    async def receive(self) -> bytes:
        while True:
            with translate_modem_errors("sms receive"):
                message = await self.modem.receive_sms()
            if message.data and any(number_matches(message.sender, n) for n in self.numbers):
                return bytes(message.data)
            self.rejected += 1

    async def aclose(self) -> None:
        await self._handle.aclose()

    def __repr__(self) -> str:
        return f"<SmsTransport numbers={self.numbers}>"


def _numbers(url: SplitResult, opts: dict[str, Any]) -> list[str]:
    given: Iterable[str] = opts.get("numbers") or [
        value for key, value in query_pairs(url) if key == "number"]
    numbers = [n for n in given if n]
    if "number" in opts and opts["number"] not in numbers:
        numbers.insert(0, opts["number"])
    if not numbers or not all(_NUMBER.fullmatch(n) for n in numbers):
        raise ValueError(f"{url.geturl()!r} needs number=<platform SMS number> (digits)")
    return numbers


async def open_transport(url: SplitResult, **options: Any) -> SmsTransport:
    opts = url_options(url, _OPTIONS, options)
    numbers = _numbers(url, opts)
    handle = await acquire_modem(url, opts.get("modem"), opts.get("baudrate"), init_sms=True)
    return SmsTransport(handle, numbers)
