"""Default answers to platform commands: a table ``msg_id -> async handler``.

A handler is ``async def handler(terminal, message, header) -> None`` and sends its own
answer. ``Terminal.on(msg_id, handler)`` replaces one; the ``None`` key answers every id
without an entry with 0x0001 result 3 (not supported). Hooks for the application are
plain attributes of the terminal: ``on_text(message)`` (0x8300), called before the
0x0001 ok; ``on_vehicle_control(message)`` (0x8500), called before the 0x0500;
``on_upgrade(upgrade_type, manufacturer_id, firmware_version, package) -> 0|1|2``
(0x8108, after the 0x0001; its result goes out in 0x0108).

The other commands live in their own modules: 0x8103 checks (``_params_rules``) and
live effect (``Terminal.apply_params``); 0x8105 (``_control_handlers``); 0x8301-0x8304,
0x8400, 0x8401 (``_text_handlers``); 0x8702, 0x8900 (``_driver_handlers``);
0x8700/0x8701 (``_recorder``); 0x8802-0x8805 (``_media_handlers``).
"""
from __future__ import annotations

import functools
import inspect
import logging
from typing import Any

import anyio

from ..codec import (PARAM_TYPES, CameraShootResponse, LocationBasic, LocationQueryResponse,
                     MediaDataUpload, MediaEventUpload, QueryAreaRouteResponse,
                     QueryTerminalParamsResponse, TerminalPropertiesResponse, UpgradeResult,
                     VehicleControlResponse)
from ..frame import Header, Version
from ._params_rules import params_that_fit, refusal
from ._control_handlers import CONTROL_HANDLERS
from ._driver_handlers import DRIVER_HANDLERS
from ._media_handlers import MEDIA_HANDLERS, index_media
from ._recorder import RECORDER_HANDLERS
from ._text_handlers import TEXT_HANDLERS
from ._replies import (RESULT_FAILED, RESULT_NOT_SUPPORTED, RESULT_OK, Handler,
                       HandlerTable, answer, call_hook, has_message)

log = logging.getLogger("jt808.terminal")

__all__ = ["DEFAULT_HANDLERS", "Handler", "RESULT_OK", "RESULT_FAILED", "RESULT_NOT_SUPPORTED"]

_call_hook = call_hook


async def not_supported(terminal, message, header: Header) -> None:
    terminal.reply(header, RESULT_NOT_SUPPORTED)


async def set_params(terminal, message, header: Header) -> None:
    """0x8103: check the whole list (``_params_rules``: a value out of range or too many
    unknown ids -> result 1, nothing kept), else store (and persist) it, apply it live
    (``Terminal.apply_params``) and answer ok."""
    reason = refusal(message.params, terminal.params.values)
    if reason is not None:
        log.warning("0x8103 refused: %s", reason)
        terminal.reply(header, RESULT_FAILED)
        return
    changed = await terminal.params.update_off_loop(message.params, terminal._save_limiter())
    terminal.apply_params(changed)
    terminal.reply(header, RESULT_OK)


def _known_first(param_id: int) -> tuple[bool, int]:
    return (param_id not in PARAM_TYPES, param_id)


async def query_params(terminal, message, header: Header) -> None:
    """0x8104 (all) / 0x8106 (listed ids) -> 0x0104 with what one answer can carry
    (its count is a BYTE: at most 255, known ids first)."""
    ids = getattr(message, "param_ids", None)
    if ids is None:
        ids = sorted(terminal.params.values, key=_known_first)
    params = params_that_fit(terminal.params.to_wire(ids))
    await answer(terminal, header, QueryTerminalParamsResponse(header.serial, params))


async def query_properties(terminal, message, header: Header) -> None:
    """0x8107 -> 0x0107 from the registration data and the modem HAL."""
    modem, info = terminal.modem_info, terminal.register_info
    iccid = await modem.iccid() if modem is not None else ""
    firmware = await modem.firmware() if modem is not None else ""
    await answer(terminal, header, TerminalPropertiesResponse(
        terminal_type=0b0000_0001, manufacturer_id=getattr(info, "manufacturer_id", ""),
        terminal_model=getattr(info, "terminal_model", ""),
        terminal_id=getattr(info, "terminal_id", ""), iccid=iccid[:20],
        hardware_version="1.0", firmware_version=firmware or terminal.app_version,
        gnss_properties=0b0011, comm_properties=0b0000_0100))


async def query_location(terminal, message, header: Header) -> None:
    """0x8201 -> 0x0201 with the current position."""
    report = await terminal.reporter.current()
    if report is None:
        terminal.reply(header, RESULT_FAILED)
        return
    await answer(terminal, header, LocationQueryResponse(header.serial, report))


async def temporary_tracking(terminal, message, header: Header) -> None:
    terminal.reporter.track(message.time_interval, message.location_tracking_validity_period)
    terminal.reply(header, RESULT_OK)


async def vehicle_control(terminal, message, header: Header) -> None:
    """0x8500 -> hook, then 0x0500 with the position after the control."""
    await _call_hook(getattr(terminal, "on_vehicle_control", None), message)
    report = await terminal.reporter.snapshot()
    await answer(terminal, header, VehicleControlResponse(header.serial, report))


async def confirm_alarm(terminal, message, header: Header) -> None:
    """0x8203 -> clear the confirmed alarm bits, 0x0001."""
    terminal.confirm_alarms(message.alarm_type, message.alarm_msg_serial_no)
    terminal.reply(header, RESULT_OK)


_UPGRADE_FAILED = 1


async def _run_upgrade_hook(hook: Any, message) -> int:
    args = (message.upgrade_type, message.manufacturer_id, message.firmware_version,
            message.upgrade_package)
    try:
        if inspect.iscoroutinefunction(hook):
            result = await hook(*args)
        else:                                        # flashing may block: not on the loop
            result = await anyio.to_thread.run_sync(functools.partial(hook, *args))
            if inspect.isawaitable(result):
                result = await result
    except Exception:
        log.exception("on_upgrade failed")
        return _UPGRADE_FAILED
    return result if result in (0, 1, 2) else _UPGRADE_FAILED


async def upgrade(terminal, message, header: Header) -> None:
    """0x8108 (reassembled by the session) -> 0x0001, ``on_upgrade``, 0x0108."""
    hook = getattr(terminal, "on_upgrade", None)
    if hook is None:
        terminal.reply(header, RESULT_NOT_SUPPORTED)
        return
    terminal.reply(header, RESULT_OK)
    result = UpgradeResult(message.upgrade_type, await _run_upgrade_hook(hook, message))
    await terminal.send_upgrade_result(result)


async def text_message(terminal, message, header: Header) -> None:
    await _call_hook(getattr(terminal, "on_text", None), message)
    terminal.reply(header, RESULT_OK)


_CAMERA_FAILED, _MAX_PHOTOS = 1, 16
_VIDEO, _STOP = 0xFFFF, 0


async def _shoot_answer(terminal, header: Header, result: int,
                        ids: tuple[int, ...] | None = None) -> None:
    """0x0805 with the media ids; a version without 0x0805 (2011) gets the general
    0x0001 (result 0 ok, 1 failed)."""
    if has_message(terminal, CameraShootResponse.MSG_ID):
        await terminal.send(CameraShootResponse(header.serial, result, ids))
    else:
        terminal.reply(header, result)


async def take_photo(terminal, message, header: Header) -> None:
    """0x8801: answer 0x0805 with the media ids (2011: 0x0001), then 0x0800 + 0x0801 per
    photo (the session splits 0x0801 and serves the platform's 0x8800 resend lists)."""
    camera = terminal.camera
    if camera is None or message.shooting_order in (_STOP, _VIDEO):
        await _shoot_answer(terminal, header, _CAMERA_FAILED)
        return
    photos = [await camera.capture(message.channel_id, message.resolution or None)
              for _ in range(min(message.shooting_order, _MAX_PHOTOS))]
    ids = tuple(terminal.next_media_id() for _ in photos)
    await _shoot_answer(terminal, header, RESULT_OK, ids)
    report = await terminal.reporter.current()
    location = None
    if report is not None and terminal.version is not Version.V2011:
        location = LocationBasic(report.alarm_flag, report.status, report.latitude,
                                 report.longitude, report.altitude, report.speed,
                                 report.direction, report.time)
    for media_id, photo in zip(ids, photos):
        index_media(terminal, media_id, message.channel_id, photo, location)
    if message.save_flag == 1:                   # stored: uploaded on 0x8803 / 0x8805
        return
    for media_id, photo in zip(ids, photos):
        await terminal.request(MediaEventUpload(media_id, 0, 0, 0, message.channel_id))
        await terminal.request(MediaDataUpload(media_id, 0, 0, 0, message.channel_id,
                                               location, photo))


#: What the terminal keeps of areas and routes, whatever the platform sends (issue 18:
#: 0x8604 polygons of 65,535 points, any number of them): at most this many items and
#: this many polygon/route points in all. A command that would go past either is
#: refused whole (0x0001 result 1) and changes nothing.
MAX_AREAS = 1024
MAX_AREA_POINTS = 20_000


def _points(item: Any) -> int:
    return len(getattr(item, "points", ()))


async def store_area(terminal, message, header: Header) -> None:
    """0x8600/0x8602/0x8604/0x8606: keep areas and routes in memory (set_attr 0 = replace),
    within ``MAX_AREAS`` items and ``MAX_AREA_POINTS`` points."""
    msg_id = header.msg_id
    items = getattr(message, "areas", None)
    if items is None:
        items = (message,)
    kept = dict(terminal.areas)
    if getattr(message, "set_attr", 1) == 0:
        for key in [k for k in kept if k[0] == msg_id]:
            del kept[key]
    for item in items:
        key_id = getattr(item, "area_id", getattr(item, "route_id", 0))
        kept[(msg_id, key_id)] = item
    if len(kept) > MAX_AREAS or sum(map(_points, kept.values())) > MAX_AREA_POINTS:
        log.warning("0x%04X refused: more than %d areas or %d points would be kept",
                    msg_id, MAX_AREAS, MAX_AREA_POINTS)
        terminal.reply(header, RESULT_FAILED)
        return
    terminal.areas.clear()
    terminal.areas.update(kept)
    terminal.reply(header, RESULT_OK)


async def delete_area(terminal, message, header: Header) -> None:
    """0x8601/0x8603/0x8605/0x8607: delete the listed (none listed: all) of that kind."""
    set_id = header.msg_id - 1
    ids = getattr(message, "area_ids", None) or getattr(message, "route_ids", ())
    for key in [k for k in terminal.areas if k[0] == set_id and (not ids or k[1] in ids)]:
        del terminal.areas[key]
    terminal.reply(header, RESULT_OK)


_QUERY_KINDS = {1: 0x8600, 2: 0x8602, 3: 0x8604, 4: 0x8606}


async def query_areas(terminal, message, header: Header) -> None:
    """0x8608 (2019) -> 0x0608 with the stored areas/routes of the asked kind."""
    set_id = _QUERY_KINDS.get(message.query_type)
    if set_id is None or not has_message(terminal, QueryAreaRouteResponse.MSG_ID):
        terminal.reply(header, RESULT_NOT_SUPPORTED)
        return
    items = [v for (k, i), v in sorted(terminal.areas.items(), key=lambda kv: kv[0])
             if k == set_id and (not message.ids or i in message.ids)]
    if set_id in (0x8600, 0x8602):
        items = [type_setter(set_id)(0, (item,)) for item in items]
    await terminal.send(QueryAreaRouteResponse(message.query_type, tuple(items)))


def type_setter(set_id: int):
    from ..codec import SetCircleArea, SetRectangleArea
    return {0x8600: SetCircleArea, 0x8602: SetRectangleArea}[set_id]


DEFAULT_HANDLERS: HandlerTable = {
    None: not_supported,
    0x8103: set_params, 0x8104: query_params, 0x8106: query_params,
    0x8107: query_properties, 0x8201: query_location, 0x8202: temporary_tracking,
    0x8300: text_message, 0x8801: take_photo,
    0x8600: store_area, 0x8602: store_area, 0x8604: store_area, 0x8606: store_area,
    0x8601: delete_area, 0x8603: delete_area, 0x8605: delete_area, 0x8607: delete_area,
    0x8608: query_areas, 0x8500: vehicle_control, 0x8203: confirm_alarm, 0x8108: upgrade,
    **TEXT_HANDLERS, **DRIVER_HANDLERS, **CONTROL_HANDLERS, **MEDIA_HANDLERS,
    **RECORDER_HANDLERS,
}
