"""Stored media (JT/T 808-2013 §8.50-8.54): photos the terminal shoots (0x8801) are
kept in ``terminal.media_index`` (``hal.camera.MediaIndex``, ``<store>.media.sqlite``:
type, channel, event, time, location, data; bounded, oldest out).

- 0x8801 ``save_flag`` 1: shot and indexed, not uploaded (0x0805 lists the ids).
- 0x8802: 0x0802 with the items of that type, channel (0: all), event and time range.
- 0x8803: result 0, then 0x0800 + 0x0801 for each match, oldest first; with
  ``delete_flag`` 1 each is deleted once the platform acknowledged its upload.
- 0x8805 (2013+): result 0 and the upload of that id; result 1 for an unknown id.
- 0x8804: through ``terminal.audio`` (``hal.audio.AudioRecorder``; none: result 3).
  Start (1): result 0, record ``recording_time`` s (0: until a stop, at most 300 s) at
  the asked rate, index it (type 1 audio, format 3 WAV) and, with ``save_flag`` 0,
  upload it as 0x0800 + 0x0801. Stop (0): result 0, the running recording is dropped.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import time

from ..codec import (LocationBasic, MediaDataUpload, MediaEventUpload,
                     StoredMediaItem, StoredMediaSearchResponse)
from ..errors import JT808Error
from ..frame import Header, Version
from ._replies import (RESULT_FAILED, RESULT_NOT_SUPPORTED, RESULT_OK, HandlerTable, answer,
                       has_message)

__all__ = ["MEDIA_HANDLERS", "location_json", "index_media"]

log = logging.getLogger("jt808.terminal")
_GMT8 = dt.timezone(dt.timedelta(hours=8))
_FIELDS = ("alarm_flag", "status", "latitude", "longitude", "altitude", "speed", "direction")


def location_json(location: LocationBasic | None) -> str:
    if location is None:
        return ""
    data = {name: getattr(location, name) for name in _FIELDS}
    data["time"] = location.time.isoformat() if location.time else None
    return json.dumps(data)


def _location(text: str) -> LocationBasic:
    if not text:
        return LocationBasic(0, 0, 0.0, 0.0, 0, 0.0, 0, None)
    data = json.loads(text)
    when = dt.datetime.fromisoformat(data["time"]) if data.get("time") else None
    values = (*(data[name] for name in _FIELDS), when)
    return LocationBasic(*values)


def _epoch(when: dt.datetime | None) -> float | None:
    return None if when is None else when.replace(tzinfo=_GMT8).timestamp()


def index_media(terminal, media_id: int, channel: int, data: bytes,
                location: LocationBasic | None, *, event: int = 0, media_type: int = 0,
                media_format: int = 0) -> None:
    from hal.camera import MediaItem
    index = getattr(terminal, "media_index", None)
    if index is None:                 # a terminal-like object without an index keeps none
        return
    index.add(MediaItem(media_id, media_type, media_format, channel, event,
                                       time.time(), location_json(location), data))


async def search(terminal, message, header: Header) -> None:
    items = terminal.media_index.search(message.media_type, message.channel_id,
                                        message.event_code, _epoch(message.start_time),
                                        _epoch(message.end_time))
    found = tuple(StoredMediaItem(i.media_id if terminal.version is not Version.V2011 else None,
                                  i.media_type, i.channel, i.event, _location(i.location))
                  for i in items[:0xFFFF])
    await answer(terminal, header, StoredMediaSearchResponse(header.serial, found))


async def _upload(terminal, item) -> bool:
    location = None if terminal.version is Version.V2011 else _location(item.location)
    try:
        await terminal.request(MediaEventUpload(item.media_id, item.media_type,
                                                item.media_format, item.event, item.channel))
        reply = await terminal.request(MediaDataUpload(item.media_id, item.media_type,
                                                       item.media_format, item.event,
                                                       item.channel, location, item.data))
    except JT808Error as exc:
        log.warning("media %d not uploaded: %s", item.media_id, exc)
        return False
    return not getattr(reply, "packet_ids", None)


async def upload_matching(terminal, message, header: Header) -> None:
    index = terminal.media_index
    items = index.search(message.media_type, message.channel_id, message.event_code,
                         _epoch(message.start_time), _epoch(message.end_time), with_data=True)
    terminal.reply(header, RESULT_OK)
    for item in items:
        if await _upload(terminal, item) and message.delete_flag == 1:
            index.delete([item.media_id])


async def upload_one(terminal, message, header: Header) -> None:
    if not has_message(terminal, header.msg_id):
        terminal.reply(header, RESULT_NOT_SUPPORTED)
        return
    item = terminal.media_index.get(message.media_id)
    if item is None:
        terminal.reply(header, RESULT_FAILED)
        return
    terminal.reply(header, RESULT_OK)
    if await _upload(terminal, item) and message.delete_flag == 1:
        terminal.media_index.delete([item.media_id])


async def record_audio(terminal, message, header: Header) -> None:
    from hal.audio import SAMPLE_RATES
    from hal.audio._audio import MAX_SECONDS
    import anyio
    audio = terminal.audio
    if audio is None:
        terminal.reply(header, RESULT_NOT_SUPPORTED)
        return
    running = terminal.__dict__.get("_recording")
    if message.recording_cmd == 0:
        if running is not None:
            running.cancel()
        terminal.reply(header, RESULT_OK)
        return
    if message.recording_cmd != 1 or running is not None:
        terminal.reply(header, RESULT_FAILED)             # unknown command, or busy
        return
    terminal.reply(header, RESULT_OK)
    seconds = message.recording_time or MAX_SECONDS
    data = None
    with anyio.CancelScope() as scope:
        terminal.__dict__["_recording"] = scope
        try:
            data = await audio.record(seconds, SAMPLE_RATES.get(message.audio_sample_rate, 8000))
        except Exception as exc:
            log.warning("audio recording failed: %s", exc)
        finally:
            terminal.__dict__["_recording"] = None
    if data is None:
        return
    media_id = terminal.next_media_id()
    report = await terminal.reporter.current()
    location = None if report is None else LocationBasic(
        report.alarm_flag, report.status, report.latitude, report.longitude, report.altitude,
        report.speed, report.direction, report.time)
    index_media(terminal, media_id, 0, data, location, media_type=1, media_format=3)
    if message.save_flag == 0:
        await _upload(terminal, terminal.media_index.get(media_id))


MEDIA_HANDLERS: HandlerTable = {0x8802: search, 0x8803: upload_matching, 0x8804: record_audio,
                  0x8805: upload_one}
