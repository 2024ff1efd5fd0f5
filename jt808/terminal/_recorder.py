"""The terminal's driving recorder (GB/T 19056-2012 over 0x8700 / 0x8701 / 0x0700).

Collection (0x8700 -> 0x0700 with a ``55 7A`` frame) from the terminal's own data:
0x00 standard version (2012, modification 0), 0x01 the driver's licence number (the
last driver record), 0x02 the time now, 0x03 install time and mileage (total from
parameter 0x0080, 0.1 km), 0x04 the pulse coefficient, 0x05 VIN, plate (parameter
0x0083 unless set by 0x82) and plate class, 0x08 per-minute speed and 0x09 per-hour
position records from the terminal's recent positions (``Reporter.history``, see
``_position_history``). What the recorder cannot know (no driver, no vehicle data, and
the record words 0x06, 0x07, 0x10-0x15, not built here) is answered with the
recorder's collection error frame (``55 7A FA``), never silence.

0x08 / 0x09 take the 14-byte range of the 0x8700 (start, end, at most N blocks): the
blocks whose minute / hour overlaps start..end (a zero time: open), newest first, at
most N and at most what the frame's WORD length holds (520 / 98 blocks, 64 KB: the
session splits the 0x0700 into packets). None in range: empty data, as GB/T 19056
says ("no record in the range: the data block is empty"). A request without a range
that decodes, or with N = 0 (the standard asks N >= 1), gets the error frame.

Settings (0x8701 -> 0x0001): 0x82 vehicle info, 0x83 install time, 0xC2 time (kept as an
offset: the system clock is not set), 0xC3 pulse coefficient, 0xC4 install time and
mileage (also parameter 0x0080); persisted in ``<store>.recorder.json``. A word not
listed, or a block that does not decode, gets result 1.
"""
from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from ..codec import (COLLECT_ERROR, DriverLicence, InstallTime, PositionHour,
                     PulseCoefficient, RecordRange, RecorderDataUpload, RecorderFrame,
                     RecorderMileage, RecorderTime, RecorderVersion, SpeedMinute,
                     TerminalParam, VehicleInfo)
from ..errors import JT808Error
from ..frame import Header
from ._replies import RESULT_FAILED, RESULT_OK, HandlerTable, answer
from ._small_store import SmallStore, path_next_to

__all__ = ["Recorder", "RECORDER_HANDLERS"]

log = logging.getLogger("jt808.terminal")
_GMT8 = dt.timezone(dt.timedelta(hours=8))
_DATA_BUDGET = 0xFFFF                   # a recorder frame's data length is a WORD
RECORD_WORDS = (0x08, 0x09)


def _iso(when: dt.datetime | None) -> str | None:
    return when.isoformat() if when else None


def _from_iso(text: Any) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text) if isinstance(text, str) else None


class Recorder:
    """The recorder's settings (persisted) and its answers."""

    def __init__(self, terminal: Any) -> None:
        self.terminal = terminal
        self._file = SmallStore(path_next_to(terminal._store_path, "recorder"))
        self.data = self._file.data

    def now(self) -> dt.datetime:
        offset = float(self.data.get("clock_offset", 0.0))
        when = dt.datetime.now(_GMT8) + dt.timedelta(seconds=offset)
        return when.replace(tzinfo=None, microsecond=0)

    def collect(self, word: int) -> Any:
        """The typed block for collection ``word``, or ``None`` (error frame)."""
        params = self.terminal.params
        if word == 0x00:
            return RecorderVersion("12", 0)
        if word == 0x01:
            driver = self.terminal.driver
            number = driver and (driver.driver_id_number or driver.qualification_certificate_code)
            return DriverLicence(number[:18]) if number else None
        if word == 0x02:
            return RecorderTime(self.now())
        if word == 0x03:
            total = params.get(0x0080, 0)
            return RecorderMileage(self.now(), _from_iso(self.data.get("install_time")),
                                   int(self.data.get("initial_mileage", 0)),
                                   total if isinstance(total, int) else 0)
        if word == 0x04:
            return PulseCoefficient(self.now(), int(self.data.get("pulse", 0)))
        if word == 0x05:
            plate = self.data.get("plate") or params.get(0x0083)
            vin = self.data.get("vin")
            if not (vin or plate):
                return None
            return VehicleInfo(vin or "", plate or "", self.data.get("plate_class", ""))
        return None

    async def records(self, word: int, cmd_data: bytes) -> bytes | None:
        """The 0x08 / 0x09 answer's data for the request frame ``cmd_data`` (the
        blocks, newest first; empty: none in range), or ``None`` (error frame) when it
        holds no usable range."""
        try:
            request = RecorderFrame.decode(cmd_data, upward=False, cmd_word=word).data
        except JT808Error as exc:
            log.warning("0x8700 word 0x%02X: %s", word, exc)
            return None
        if not isinstance(request, RecordRange) or request.max_blocks == 0:
            return None
        size = SpeedMinute.SIZE if word == 0x08 else PositionHour.SIZE
        limit = min(request.max_blocks, _DATA_BUDGET // size)
        # the blocks as kept (already the wire layout): typed only by who decodes them
        return await self.terminal.reporter.history.record_data(
            word, request.start, request.end, limit)

    def apply(self, word: int, block: Any) -> bool:
        """Apply setting ``word`` in memory (``save()`` persists); ``False``: not a
        setting this recorder takes."""
        if word == 0x82 and isinstance(block, VehicleInfo):
            self.data.update(vin=block.vin, plate=block.plate, plate_class=block.plate_class)
        elif word == 0x83 and isinstance(block, InstallTime):
            self.data["install_time"] = _iso(block.time)
        elif word == 0xC2 and isinstance(block, RecorderTime) and block.time is not None:
            now = dt.datetime.now(_GMT8).replace(tzinfo=None)
            self.data["clock_offset"] = (block.time - now).total_seconds()
        elif word == 0xC3 and isinstance(block, PulseCoefficient):
            self.data["pulse"] = block.coefficient
        elif word == 0xC4 and isinstance(block, RecorderMileage):
            self.data.update(install_time=_iso(block.install_time),
                             initial_mileage=block.initial_mileage)
            changed = self.terminal.params.update([TerminalParam(0x0080, block.total_mileage)])
            self.terminal.apply_params(changed)
        else:
            return False
        return True

    async def save(self) -> None:
        """Write the settings in a worker thread (issue 14: not on the event loop)."""
        self._file.data = self.data
        await self._file.save_off_loop()


async def collect(terminal, message, header: Header) -> None:
    word = message.cmd_word
    if word in RECORD_WORDS:
        block = await terminal.recorder.records(word, message.cmd_data)
    else:
        block = terminal.recorder.collect(word)
    frame = (RecorderFrame(word, error=COLLECT_ERROR) if block is None
             else RecorderFrame(word, block))
    await answer(terminal, header, RecorderDataUpload(header.serial, word, frame.encode()))


async def download(terminal, message, header: Header) -> None:
    try:
        frame = RecorderFrame.decode(message.cmd_data, upward=False, cmd_word=message.cmd_word)
    except JT808Error as exc:
        log.warning("0x8701: %s", exc)
        terminal.reply(header, RESULT_FAILED)
        return
    ok = terminal.recorder.apply(message.cmd_word, frame.data)
    if ok:
        await terminal.recorder.save()           # on disk before the answer
    terminal.reply(header, RESULT_OK if ok else RESULT_FAILED)


RECORDER_HANDLERS: HandlerTable = {0x8700: collect, 0x8701: download}
