"""0x8702 driver identity request and 0x8900 pass-through.

- 0x8702 (2013+): answered with 0x0702 from the IC-card HAL (``terminal.ic_card``,
  anything with ``async read() -> DriverIdentityReport | None``) when there is one,
  else from the last driver record (``terminal.set_driver``); with no driver known,
  a 0x0702 status 2 (card removed) stamped now. 2011 has no 0x8702: result 3.
- 0x8900: handed to ``on_pass_through(data_type, data)``: result 0 (1 if the hook
  raised). With no hook the data is kept for the application in
  ``terminal.pass_through`` (last 32 items, 64 KiB in all) and the answer is result 3
  ("not supported": no application took it), so the platform can tell the two apart.
"""
from __future__ import annotations

import collections
import datetime as dt
import logging

import attrs

from ..codec import DriverIdentityReport
from ..frame import Header
from ._replies import (RESULT_FAILED, RESULT_NOT_SUPPORTED, RESULT_OK, HandlerTable, answer,
                       call_hook, has_message)

__all__ = ["DRIVER_HANDLERS", "PassThroughBox", "CARD_REMOVED"]

log = logging.getLogger("jt808.terminal")
CARD_REMOVED = 2
_GMT8 = dt.timezone(dt.timedelta(hours=8))


def _now() -> dt.datetime:
    return dt.datetime.now(_GMT8).replace(tzinfo=None, microsecond=0)


async def driver_identity(terminal, message, header: Header) -> None:
    if not has_message(terminal, header.msg_id):             # 2011: no 0x8702
        terminal.reply(header, RESULT_NOT_SUPPORTED)
        return
    record = terminal.driver
    card = terminal.ic_card
    if card is not None:
        try:
            record = await card.read()
        except Exception as exc:                 # a card reader fault: say what we know
            log.warning("IC card read failed: %s", exc)
    if record is None:
        record = DriverIdentityReport(CARD_REMOVED, _now())
    elif record.time is None:
        record = attrs.evolve(record, time=_now())
    await answer(terminal, header, record)


class PassThroughBox:
    """The 0x8900 items no hook took: ``(data_type, data)``, bounded by count and bytes."""

    def __init__(self, max_items: int = 32, max_bytes: int = 64 * 1024) -> None:
        self.items: collections.deque[tuple[int, bytes]] = collections.deque()
        self.max_items, self.max_bytes = max_items, max_bytes
        self.dropped = 0

    def keep(self, data_type: int, data: bytes) -> None:
        self.items.append((data_type, bytes(data[:self.max_bytes])))
        while len(self.items) > self.max_items or sum(len(d) for _, d in self.items) > self.max_bytes:
            self.items.popleft()
            self.dropped += 1


async def pass_through(terminal, message, header: Header) -> None:
    hook = terminal.on_pass_through
    if hook is None:
        terminal.pass_through.keep(message.data_type, message.data)
        terminal.reply(header, RESULT_NOT_SUPPORTED)
        return
    try:
        await call_hook(hook, message.data_type, message.data)
    except Exception:
        log.exception("on_pass_through failed")
        terminal.reply(header, RESULT_FAILED)
        return
    terminal.reply(header, RESULT_OK)


DRIVER_HANDLERS: HandlerTable = {0x8702: driver_identity, 0x8900: pass_through}
