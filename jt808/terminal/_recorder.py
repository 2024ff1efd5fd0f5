"""The terminal's driving recorder (GB/T 19056-2012 over 0x8700 / 0x8701 / 0x0700).

Collection (0x8700 -> 0x0700 with a ``55 7A`` frame) from the terminal's own data:
0x00 standard version (2012, modification 0), 0x01 the driver's licence number (the
last driver record), 0x02 the time now, 0x03 install time and mileage (total from
parameter 0x0080, 0.1 km), 0x04 the pulse coefficient, 0x05 VIN, plate (parameter
0x0083 unless set by 0x82) and plate class. What the recorder cannot know (no driver,
no vehicle data, and the record words 0x06-0x15, not built here) is answered with the
recorder's collection error frame (``55 7A FA``), never silence.

Settings (0x8701 -> 0x0001): 0x82 vehicle info, 0x83 install time, 0xC2 time (kept as an
offset: the system clock is not set), 0xC3 pulse coefficient, 0xC4 install time and
mileage (also parameter 0x0080); persisted in ``<store>.recorder.json``. A word not
listed, or a block that does not decode, gets result 1.
"""
from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from ..codec import (COLLECT_ERROR, DriverLicence, InstallTime, PulseCoefficient,
                     RecorderDataUpload, RecorderFrame, RecorderMileage, RecorderTime,
                     RecorderVersion, TerminalParam, VehicleInfo)
from ..errors import JT808Error
from ..frame import Header
from ._replies import RESULT_FAILED, RESULT_OK, HandlerTable, answer
from ._small_store import SmallStore, path_next_to

__all__ = ["Recorder", "RECORDER_HANDLERS"]

log = logging.getLogger("jt808.terminal")
_GMT8 = dt.timezone(dt.timedelta(hours=8))


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

    def apply(self, word: int, block: Any) -> bool:
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
        self._file.data = self.data
        self._file.save_soon()           # a writer thread: not on the event loop
        return True


async def collect(terminal, message, header: Header) -> None:
    word = message.cmd_word
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
    await terminal.recorder._file.flushed()      # issue 14: on disk (off the loop) first
    terminal.reply(header, RESULT_OK if ok else RESULT_FAILED)


RECORDER_HANDLERS: HandlerTable = {0x8700: collect, 0x8701: download}
