"""SMS side of the simulator: the message store and the SMS centre.

The modem talks 3GPP 27.005 PDU mode on its AT port; the centre is the
network. ``SmsCentre`` is the pluggable protocol: the modem calls
``submit(sender_number, dest_number, data)`` for every complete message it
sends (concatenated parts joined), and the centre calls the ``deliver``
callback the modem gave to ``attach()`` to bring an SMS into the modem.
"""
from __future__ import annotations

import datetime as dt
import threading
from typing import Callable, Protocol, runtime_checkable

import attrs

from ..quectel._pdu import Reassembler, SmsDeliver, decode_submit, encode_deliver

__all__ = ["SmsCentre", "InProcessSmsCentre", "SubmittedSms", "StoredSms", "MessageStore",
           "DeliverFn", "parse_submit"]

#: The modem's inbox: ``deliver(sender_number, data)``.
DeliverFn = Callable[[str, bytes], None]

STAT_UNREAD, STAT_READ, STAT_UNSENT, STAT_SENT = range(4)


@runtime_checkable
class SmsCentre(Protocol):
    """The network side of SMS, as the simulator sees it."""

    def submit(self, sender_number: str, dest_number: str, data: bytes) -> None:
        """A modem sent ``data`` (a complete 8-bit message) to ``dest_number``."""

    def attach(self, number: str, deliver: DeliverFn) -> None:
        """Register a modem: SMS for ``number`` go to ``deliver(sender, data)``."""

    def detach(self, number: str) -> None:
        """Forget the modem registered under ``number``."""


@attrs.frozen
class SubmittedSms:
    sender: str
    dest: str
    data: bytes


class InProcessSmsCentre:
    """Default centre: routes between attached modems, hands the rest to a callback.

    ``on_submit(sender, dest, data)`` sees every submitted message (a test
    platform plugs in here); ``submitted`` keeps them too (bounded).
    ``inject(dest, sender, data)`` delivers an SMS into the modem ``dest``
    (or the only attached modem when ``dest`` is None).
    """

    def __init__(self, on_submit: Callable[[str, str, bytes], None] | None = None,
                 *, keep: int = 1000) -> None:
        self.on_submit = on_submit
        self.submitted: list[SubmittedSms] = []
        self._keep = keep
        self._modems: dict[str, DeliverFn] = {}
        self._lock = threading.Lock()

    def attach(self, number: str, deliver: DeliverFn) -> None:
        with self._lock:
            self._modems[number] = deliver

    def detach(self, number: str) -> None:
        with self._lock:
            self._modems.pop(number, None)

    def submit(self, sender_number: str, dest_number: str, data: bytes) -> None:
        with self._lock:
            self.submitted.append(SubmittedSms(sender_number, dest_number, data))
            del self.submitted[:-self._keep]
            target = self._modems.get(dest_number)
        if target is not None:
            target(sender_number, data)
        if self.on_submit is not None:
            self.on_submit(sender_number, dest_number, data)

    def inject(self, dest_number: str | None, sender_number: str, data: bytes) -> None:
        """Deliver ``data`` from ``sender_number`` into the modem ``dest_number``."""
        with self._lock:
            if dest_number is None:
                if len(self._modems) != 1:
                    raise ValueError(f"{len(self._modems)} modems attached: name the destination")
                target = next(iter(self._modems.values()))
            else:
                try:
                    target = self._modems[dest_number]
                except KeyError:
                    raise ValueError(f"no modem attached as {dest_number!r}") from None
        target(sender_number, data)


@attrs.define
class StoredSms:
    stat: int
    pdu: bytes            # SCA + TPDU, as AT+CMGR shows it in hex
    tpdu_length: int


class MessageStore:
    """The SIM message store: indices 0..capacity-1 (bounded, like a real SIM).

    When it is full, ``add`` refuses; the simulator then keeps the incoming
    message undelivered on the network side (no ``+CMTI``; ``SmsState.deferred``
    counts it) and stores it, with its ``+CMTI``, as soon as ``AT+CMGD`` frees an
    index: what a real network does after the phone reports "memory capacity
    exceeded" and later signals memory available.
    """

    def __init__(self, capacity: int = 50) -> None:
        self.capacity = capacity
        self.messages: dict[int, StoredSms] = {}

    def add(self, msg: StoredSms) -> int | None:
        for index in range(self.capacity):
            if index not in self.messages:
                self.messages[index] = msg
                return index
        return None           # full: the caller keeps the message waiting

    @property
    def full(self) -> bool:
        return len(self.messages) >= self.capacity

    def read(self, index: int) -> StoredSms | None:
        """The message as it was (stat 0 shows once); an unread one becomes read."""
        msg = self.messages.get(index)
        if msg is None:
            return None
        shown = attrs.evolve(msg)
        if msg.stat == STAT_UNREAD:
            msg.stat = STAT_READ
        return shown

    def delete(self, index: int, flag: int = 0) -> None:
        """``AT+CMGD=<index>[,<delflag>]``: 1 read, 2 read+sent, 3 +unsent, 4 all."""
        doomed = {0: None, 1: {STAT_READ}, 2: {STAT_READ, STAT_SENT},
                  3: {STAT_READ, STAT_SENT, STAT_UNSENT}, 4: {0, 1, 2, 3}}[flag]
        if doomed is None:
            self.messages.pop(index, None)
            return
        for i, msg in list(self.messages.items()):
            if msg.stat in doomed:
                del self.messages[i]

    def listing(self, stat: int) -> list[tuple[int, StoredSms]]:
        """``AT+CMGL=<stat>`` (4 = all); listed unread messages become read."""
        out = [(i, attrs.evolve(m)) for i, m in sorted(self.messages.items())
               if stat == 4 or m.stat == stat]
        for i, _ in out:
            if self.messages[i].stat == STAT_UNREAD:
                self.messages[i].stat = STAT_READ
        return out

    def __len__(self) -> int:
        return len(self.messages)


class SubmitJoiner:
    """Joins the parts of a concatenated SMS-SUBMIT before it reaches the centre."""

    def __init__(self) -> None:
        self._reassembler = Reassembler()

    def feed(self, pdu: bytes, now: float) -> tuple[str, bytes] | None:
        """Decode one submitted PDU (raises ``PduError``); the whole message once complete."""
        sub = decode_submit(pdu)
        part = SmsDeliver(sender=sub.number, data=sub.data, concat=sub.concat,
                          timestamp=dt.datetime.now(dt.timezone.utc), dcs=sub.dcs)
        whole = self._reassembler.feed(part, now)
        return None if whole is None else (whole.sender, whole.data)


def parse_submit(pdu_hex: bytes, tpdu_length: int) -> bytes | None:
    """The PDU octets typed after ``AT+CMGS=<length>``, or None when they do not fit."""
    text = pdu_hex.strip()
    try:
        pdu = bytes.fromhex(text.decode("ascii"))
    except (UnicodeDecodeError, ValueError):
        return None
    if not pdu or len(pdu) != pdu[0] + 1 + tpdu_length:
        return None
    return pdu


def deliver_pdus(sender: str, data: bytes, *, ref: int, smsc: str | None) -> list[tuple[bytes, int]]:
    """SMS-DELIVER PDUs for an incoming message (split when over 140 octets)."""
    return encode_deliver(sender, data, timestamp=dt.datetime.now(dt.timezone.utc).astimezone(),
                          ref=ref, smsc=smsc)
