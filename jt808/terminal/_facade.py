"""``JTT808``: the seed's synchronous API (API reference §3) over the async ``Terminal``.

Every method runs the one async implementation through ONE anyio blocking portal
(an event loop thread started by ``connect()`` and stopped by ``disconnect()``); no
command is written twice.

Differences from the seed, on purpose:

- A request that gets no reply (after the standard's retransmissions, from the
  ``timeout``/``retry_count`` given here as parameters 0x0002/0x0003 or 0x0004/0x0005)
  never returns ``{}`` (seed defect 7): report methods return the documented shape
  ``{"serial_no": <our serial>, "message_id": <our id>, "result_code": -1}``,
  ``register`` returns ``registration_result`` -1, ``query_server_time`` returns
  ``{"utc_time": ""}``, boolean methods return ``False``. Nothing raises for a timeout.
  A call made while not connected returns the same shapes with ``serial_no`` -1, and so
  does a message the link's version lacks (``jt808.codec.message_class``): it is not
  sent (0x0004 query_server_time in 2011 gives ``{"utc_time": ""}``; 0x0608 before
  2019; 0x0301-0x0303 in 2019).
- ``data`` arguments (0x0700, 0x0701, 0x0801, 0x0900, 0x0901) take bytes, or a str sent
  as its text in GBK: the reference documents 0x0900/0x0901 ``data`` as str and its
  example sends ``"123456"`` (content, not hex), so that is ``b"123456"`` on the wire.
- Messages that expect no reply (0x0104, 0x0107, 0x0201, 0x0500, 0x0805...) return
  ``result_code`` 0 once handed to the transport.
- ``media_data_upload`` waits for the platform's final 0x8800 (seed defect 8) and
  resends what an 0x8800 list names (the session does it).
- Platform commands: without a callback they get the library's default answers
  (seed defect 9 left them unanswered). Once ``set_callback`` is called, platform
  requests go to the callback only and are answered by the application
  (``general_answer``, ``params_report``, ...), as in the seed's examples. The callback
  runs on its own thread, so it may call this object's methods.
- ``set_encryption(encryption, rsa_e, rsa_n)`` accepts the reference example's swapped
  arguments (``rsa_e`` a hex string, ``rsa_n`` an int) as well as the standard order.
  It also gives the platform the terminal's own key (0x0A00), so encrypted platform
  bodies are decrypted; without ``rsa_e``/``rsa_n`` the platform key is the one its
  0x8A00 brought, and with none yet it returns ``False`` (``Terminal.enable_encryption()``
  instead waits for the 0x8A00).
"""
from __future__ import annotations

import datetime as dt
import logging
import queue
import threading
from typing import Any, Callable

from anyio.from_thread import start_blocking_portal

from ..codec import (COMM_PROPERTY_BITS, GNSS_PROPERTY_BITS, TERMINAL_TYPE_BITS,
                     CameraShootResponse, CompressedDataUpload, EventReport, Heartbeat,
                     InfoDemand, LocationBasic, LocationBatchReport, LocationQueryResponse,
                     LocationReport, MediaDataUpload, MediaEventUpload, Message,
                     QueryServerTime, QueryTerminalParamsResponse, QuestionAnswer,
                     TerminalAuth, TerminalGeneralResponse, TerminalLogout, TerminalParam,
                     TerminalPropertiesResponse, TerminalRegister, TerminalRsaKey,
                     UpgradeResult, UplinkPassThrough, VehicleControlResponse,
                     CanBusDataUpload, CanItem, DriverIdentityReport, ElectronicWaybill,
                     QueryAreaRouteResponse, RecorderDataUpload, StoredMediaItem,
                     StoredMediaSearchResponse, decode_body, decode_param_value, encode_body,
                     flags_to_bits, message_class)
from ..codec._extras import decode_extras
from ..errors import JT808Error, LocalProtocolError, ResponseTimeout
from ..frame import Header, Version
from ._terminal import Terminal
from ._callback_data import message_data

__all__ = ["JTT808"]

log = logging.getLogger("jt808.terminal")

STATUS_ERROR, STATUS_CONNECTED, STATUS_CONNECTING, STATUS_DISCONNECTED = -1, 0, 1, 2
_LINK_PARAMS = {"TCP": (0x0002, 0x0003), "UDP": (0x0004, 0x0005)}
_FAILED = -1


def _seed_time(value: Any) -> dt.datetime | None:
    """The seed's ``YYMMDDhhmmss`` string (GMT+8) or a datetime."""
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime.strptime(str(value), "%y%m%d%H%M%S")


def _alarm(value: Any) -> int:
    """``LocAlarmWarningConfig().value()`` gives a tuple whose first item is the flags."""
    return int(value[0]) if isinstance(value, (tuple, list)) else int(value)


def _location(alarm_flag, loc_status, latitude, longitude, altitude, speed, direction, time,
              loc_additional_info="") -> LocationReport:
    extras = bytes.fromhex(loc_additional_info or "")
    return LocationReport(_alarm(alarm_flag), int(loc_status), float(latitude), float(longitude),
                          int(altitude), float(speed), int(direction), _seed_time(time),
                          decode_extras(extras, 0, len(extras)))


def _basic(loc_data) -> LocationBasic:
    """A ``LocationBasic`` from the seed's location tuple (extras, if any, ignored)."""
    report = _location(*loc_data[:8])
    return LocationBasic(report.alarm_flag, report.status, report.latitude, report.longitude,
                         report.altitude, report.speed, report.direction, report.time)


def _can_time(value: Any) -> dt.time:
    """The seed's ``hhmmssmsms`` (milliseconds in the last four digits)."""
    if isinstance(value, dt.time):
        return value
    digits = str(value).replace(" ", "0")
    return dt.time(int(digits[0:2]), int(digits[2:4]), int(digits[4:6]),
                   int(digits[6:10] or 0) * 1000)


def _data_bytes(value: Any, field: str) -> bytes:
    """A data argument: bytes-like as it is; a str (the reference documents ``data`` of
    0x0900 and 0x0901 as str, e.g. ``"123456"``) as the bytes of its text in GBK, the
    standard's character set (so ``"123456"`` is sent as ``b"123456"``, not as hex)."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    if isinstance(value, str):
        try:
            return value.encode("gbk")
        except UnicodeEncodeError as exc:
            raise LocalProtocolError(f"{field} {value[:16]!r} is not GBK text",
                                     field=field) from exc
    raise TypeError(f"{field} must be bytes or str, got {type(value).__name__}")


def _can_bytes(value: Any) -> bytes:
    """CAN data: bytes as they are, a str as its GBK bytes, zero-padded to 8 bytes."""
    data = _data_bytes(value, "can_data")
    return data[:8].ljust(8, b"\x00")


_AREA_SET_IDS = {1: 0x8600, 2: 0x8602, 3: 0x8604, 4: 0x8606}


def _header_dict(message: Message, header: Header) -> dict[str, Any]:
    try:
        length = len(encode_body(message, header.version))
    except JT808Error:
        length = 0
    total, index = header.packet or (0, 0)
    properties = (length | (header.encryption & 7) << 10 | (1 << 13 if header.packet else 0)
                  | (1 << 14 if header.version is Version.V2019 else 0))
    return {"message_id": header.msg_id, "properties": properties,
            "protocol_version": getattr(header, "protocol_version", 0) or 0,
            "client_id": header.phone, "serial_no": header.serial,
            "package_total": total, "package_no": index}


class JTT808:
    """The seed's terminal API (see the reference, §3)."""

    def __init__(self, ip: str | None = None, port: int | None = None, domain: str | None = None,
                 method: str = "TCP", timeout: int = 30, retry_count: int = 3,
                 version: str = "2019", client_id: str = "", *, url: str | None = None,
                 **terminal_options: Any) -> None:
        method = (method or "TCP").upper()
        if method not in _LINK_PARAMS:
            raise ValueError(f"method must be TCP or UDP, got {method!r}")
        self.url = url or f"{method.lower()}://{ip or domain}:{port}"
        timeout_id, retry_id = _LINK_PARAMS[method]
        params = dict(terminal_options.pop("params", None) or {})
        params.setdefault(timeout_id, timeout)
        params.setdefault(retry_id, retry_count)
        self.version = Version(int(version))
        self.terminal = Terminal(self.url, phone=client_id, version=self.version,
                                 params=params, **terminal_options)
        self.terminal.add_listener(self._on_message)
        self._callback: Callable[[dict], Any] | None = None
        self._callbacks: queue.SimpleQueue = queue.SimpleQueue()
        self._callback_thread: threading.Thread | None = None
        self._portal_cm = self._portal = self._terminal_cm = None
        self._connecting = False

    # -- portal ---------------------------------------------------------------------
    def _call(self, fn: Callable[..., Any], *args: Any) -> Any:
        if self._portal is None:
            raise JT808Error("not connected: call connect() first")
        return self._portal.call(fn, *args)

    def _start(self) -> None:
        if self._portal is not None:
            return
        self._portal_cm = start_blocking_portal("asyncio")
        self._portal = self._portal_cm.__enter__()
        self._terminal_cm = self._portal.wrap_async_context_manager(self.terminal)
        self._terminal_cm.__enter__()

    def _stop(self) -> None:
        if self._portal is None:
            return
        try:
            self._terminal_cm.__exit__(None, None, None)
        finally:
            self._portal_cm.__exit__(None, None, None)
            self._portal = self._portal_cm = self._terminal_cm = None

    # -- callbacks ------------------------------------------------------------------
    def set_callback(self, callback: Callable[[dict], Any]) -> bool:
        if not callable(callback):
            return False
        self._callback = callback
        self.terminal.handlers = {None: _leave_to_callback}
        if self._callback_thread is None:
            self._callback_thread = threading.Thread(target=self._run_callbacks, daemon=True,
                                                     name="jt808-callback")
            self._callback_thread.start()
        return True

    def _on_message(self, message: Message, header: Header) -> None:
        if self._callback is not None:
            self._callbacks.put({"header": _header_dict(message, header),
                                 "data": message_data(message)})

    def _run_callbacks(self) -> None:
        while True:
            args = self._callbacks.get()
            if args is None:
                return
            try:
                self._callback(args)
            except Exception:
                log.exception("JTT808 callback failed")

    # -- connection -----------------------------------------------------------------
    def set_encryption(self, encryption: bool, rsa_e: Any = None, rsa_n: Any = None) -> bool:
        """On: take the platform key (these arguments, or its 0x8A00), use the terminal's
        own key (``rsa_key``/``rsa_key_path`` option, else generated) and send it in
        0x0A00 now when authenticated (else after authentication). Off: plain bodies."""
        if isinstance(rsa_e, str) and isinstance(rsa_n, int):
            rsa_e, rsa_n = rsa_n, rsa_e                     # the reference example's order
        terminal = self.terminal
        if not encryption:
            terminal.disable_encryption()
            return True
        try:
            has_key = rsa_e is not None and rsa_n is not None
            if not has_key and terminal.session.peer_key is None:
                return False                                # no platform key (0x8A00) yet
            if self._portal is not None and terminal.authenticated:
                reply = self._call(terminal.enable_encryption, *((rsa_e, rsa_n) if has_key
                                                                 else ()))
                return reply is not None and reply.result == 0
            terminal.configure_encryption(*((rsa_e, rsa_n) if has_key else ()))
        except (JT808Error, ValueError, TypeError) as exc:
            log.info("set_encryption failed: %s", exc)
            return False
        return True

    def connect(self) -> bool:
        self._connecting = True
        try:
            self._start()
            self._call(self.terminal.connect)
            return True
        except JT808Error as exc:
            log.info("connect failed: %s", exc)
            return False
        finally:
            self._connecting = False

    def disconnect(self) -> bool:
        try:
            self._stop()
        except JT808Error:
            return False
        return True

    def status(self) -> int:
        if self._connecting:
            return STATUS_CONNECTING
        if self.terminal.connected:
            return STATUS_CONNECTED
        return STATUS_ERROR if self.terminal.error is not None else STATUS_DISCONNECTED

    # -- exchanges ------------------------------------------------------------------
    def _lacks(self, message: Message) -> bool:
        """Whether the link's protocol version has no such message (nothing is sent)."""
        if message_class(message.msg_id, self.version) is not None:
            return False
        log.info("0x%04X does not exist in version %d: not sent", message.msg_id,
                 int(self.version))
        return True

    def _exchange(self, message: Message) -> tuple[int, Message | None]:
        """(serial, reply) — reply None on timeout, serial -1 when nothing was sent."""
        if self._lacks(message):
            return _FAILED, None
        try:
            return self._call(self.terminal.request_serial, message)
        except ResponseTimeout as exc:
            return getattr(exc, "serial", _FAILED), None
        except JT808Error as exc:
            log.info("0x%04X not answered: %s", message.msg_id, exc)
            return getattr(exc, "serial", _FAILED), None

    def _report(self, message: Message) -> dict[str, int]:
        """A request answered by 0x8001 (or 0x8800): the seed's report shape."""
        serial, reply = self._exchange(message)
        result = _FAILED if reply is None else getattr(reply, "result", 0)
        return {"serial_no": serial, "message_id": message.msg_id, "result_code": result}

    def _notice(self, message: Message) -> dict[str, int]:
        """A message that expects no reply: result 0 once sent."""
        if self._lacks(message):
            return {"serial_no": _FAILED, "message_id": message.msg_id, "result_code": _FAILED}
        try:
            serial = self._call(self.terminal.send, message)
        except JT808Error as exc:
            log.info("0x%04X not sent: %s", message.msg_id, exc)
            return {"serial_no": _FAILED, "message_id": message.msg_id, "result_code": _FAILED}
        return {"serial_no": serial, "message_id": message.msg_id, "result_code": 0}

    # -- registration and link ------------------------------------------------------
    def register(self, province_id, city_id, manufacturer_id, terminal_model, terminal_id,
                 license_plate_color, license_plate) -> dict[str, Any]:
        info = TerminalRegister(int(province_id), int(city_id), manufacturer_id, terminal_model,
                                terminal_id, int(license_plate_color), license_plate)
        self.terminal.register_info = info
        serial, reply = self._exchange(info)
        if reply is None:
            return {"serial_no": serial, "registration_result": _FAILED, "auth_code": ""}
        return {"serial_no": serial, "registration_result": reply.result,
                "auth_code": reply.auth_code if reply.result == 0 else ""}

    def authentication(self, auth_code: str, imei: str = "", app_version: str = "") -> dict:
        terminal = self.terminal
        terminal.session.auth_code, terminal.imei, terminal.app_version = (
            auth_code, imei, app_version)
        result = self._report(TerminalAuth(auth_code, imei, app_version))
        if result["result_code"] == 0:
            self._portal.call(_authenticated, terminal)
        return result

    def heart_beat(self) -> bool:
        return self._report(Heartbeat())["result_code"] == 0

    def logout(self) -> bool:
        return self._report(TerminalLogout())["result_code"] == 0

    def general_answer(self, response_serial_no: int, response_msg_id: int,
                       result_code: int = 0) -> bool:
        reply = TerminalGeneralResponse(response_serial_no, response_msg_id, result_code)
        return self._notice(reply)["result_code"] == 0

    def query_server_time(self) -> dict[str, str]:
        _, reply = self._exchange(QueryServerTime())
        when = getattr(reply, "time", None)
        return {"utc_time": when.strftime("%Y-%m-%d %H:%M:%S") if when else ""}

    def terminal_rsa_public_key(self, e: int, n: str | bytes | int) -> dict[str, int]:
        if isinstance(n, int):
            n = n.to_bytes(128, "big")              # BYTE[128] on the wire
        elif isinstance(n, str):
            n = bytes.fromhex(n)
        return self._report(TerminalRsaKey(int(e), n))

    # -- parameters and properties --------------------------------------------------
    def params_report(self, response_serial_no: int, terminal_params: dict) -> dict[str, int]:
        params = tuple(TerminalParam(int(k), decode_param_value(int(k), bytes.fromhex(v))
                                     if isinstance(v, str) else v)
                       for k, v in terminal_params.items())
        return self._notice(QueryTerminalParamsResponse(response_serial_no, params))

    def properties_report(self, applicable_passenger_vehicles, applicable_to_dangerous_goods_vehicles,
                          applicable_to_ordinary_freight_vehicles, applicable_to_taxi,
                          support_hard_disk_video, machine_type, applicable_to_trailer,
                          manufacturer_id, terminal_model, terminal_id, iccid, hardware_version,
                          firmware_version, support_gps, support_bds, support_glonass,
                          support_galileo, support_gprs, support_cdma, support_td_scdma,
                          support_wcdma, support_cdma2000, support_td_lte,
                          support_other_communication) -> dict[str, int]:
        flags = dict(locals())
        pick = lambda table: flags_to_bits(table, **{k: flags[k] for k in table})  # noqa: E731
        return self._notice(TerminalPropertiesResponse(
            pick(TERMINAL_TYPE_BITS), manufacturer_id, terminal_model, terminal_id, iccid,
            hardware_version, firmware_version, pick(GNSS_PROPERTY_BITS),
            pick(COMM_PROPERTY_BITS)))

    def upgrade_result_report(self, upgrade_type: int, result_code: int) -> dict[str, int]:
        return self._report(UpgradeResult(upgrade_type, result_code))

    # -- location -------------------------------------------------------------------
    def loction_report(self, response_msg_id, response_serial_no, alarm_flag, loc_status,
                       latitude, longitude, altitude, speed, direction, time,
                       loc_additional_info="") -> dict[str, int]:
        report = _location(alarm_flag, loc_status, latitude, longitude, altitude, speed,
                           direction, time, loc_additional_info)
        if response_msg_id == 0x8201:
            return self._notice(LocationQueryResponse(response_serial_no, report))
        if response_msg_id == 0x8500:
            return self._notice(VehicleControlResponse(response_serial_no, report))
        return self._report(report)

    def location_bulk_report(self, data_type: int, loc_datas: list) -> dict[str, int]:
        items = tuple(_location(*item) for item in loc_datas)
        return self._report(LocationBatchReport(int(data_type), items))

    # -- events, questions, information ---------------------------------------------
    def event_report(self, event_id: int) -> dict[str, int]:
        return self._report(EventReport(event_id))

    def issue_question_response(self, response_serial_no: int, answer_id: int) -> dict:
        return self._report(QuestionAnswer(response_serial_no, answer_id))

    def information_demand_cancellation(self, info_type: int, onoff: int) -> dict[str, int]:
        return self._report(InfoDemand(info_type, onoff))

    def query_area_route_data_response(self, query_type: int, data: list) -> dict[str, int]:
        """0x0608 (2019): ``data`` holds the 0x8600/0x8602/0x8604/0x8606 bodies (bytes) or
        message objects of the asked type."""
        set_id = _AREA_SET_IDS.get(int(query_type))
        items = tuple(decode_body(set_id, item, self.version)
                      if isinstance(item, (bytes, bytearray)) and set_id else item
                      for item in data)
        return self._notice(QueryAreaRouteResponse(int(query_type), items))

    # -- driving records, waybill, driver, CAN --------------------------------------
    def driving_record_data_upload(self, response_serial_no: int, cmd_word: int,
                                   cmd_data: bytes) -> dict[str, int]:
        return self._notice(RecorderDataUpload(response_serial_no, cmd_word,
                                               _data_bytes(cmd_data, "cmd_data")))

    def electronic_waybill_report(self, data: bytes) -> dict[str, int]:
        return self._report(ElectronicWaybill(_data_bytes(data, "data")))

    def driver_identity_information_report(self, status, time, ic_read_result=0, driver_name="",
                                           qualification_certificate_code="",
                                           issuing_agency_name="", certificate_validity="",
                                           driver_id_number="") -> dict[str, int]:
        validity = (dt.datetime.strptime(certificate_validity, "%Y%m%d").date()
                    if certificate_validity else None)
        return self._report(DriverIdentityReport(
            int(status), _seed_time(time), int(ic_read_result or 0), driver_name,
            qualification_certificate_code, issuing_agency_name, validity, driver_id_number))

    def can_bus_data_upload(self, recive_time, can_datas: list) -> dict[str, int]:
        items = tuple(CanItem(can_id, _can_bytes(can_data), channel, frame_type, method)
                      for channel, frame_type, method, can_id, can_data in can_datas)
        return self._report(CanBusDataUpload(_can_time(recive_time), items))

    # -- media and pass-through -----------------------------------------------------
    def media_event_upload(self, media_id, media_type, media_encoding, event_code,
                           channel_id) -> dict[str, int]:
        return self._report(MediaEventUpload(media_id, media_type, media_encoding, event_code,
                                             channel_id))

    def media_data_upload(self, media_id, media_type, media_encoding, event_code, channel_id,
                          media_data: bytes, loc_data=None) -> dict[str, int]:
        location = None
        if loc_data is not None and self.version is not Version.V2011:
            location = _basic(loc_data)
        upload = MediaDataUpload(media_id, media_type, media_encoding, event_code, channel_id,
                                 location, _data_bytes(media_data, "media_data"))
        serial, reply = self._exchange(upload)
        result = _FAILED if reply is None else (0 if not reply.packet_ids else 1)
        return {"serial_no": serial, "message_id": upload.msg_id, "result_code": result}

    def stored_media_data_retrieval_response(self, response_serial_no: int,
                                             medias: list) -> dict[str, int]:
        items = tuple(StoredMediaItem(media_id, media_type, channel_id, event_code,
                                      _basic(loc_data))
                      for media_id, media_type, channel_id, event_code, loc_data in medias)
        return self._notice(StoredMediaSearchResponse(response_serial_no, items))

    def camera_shoots_immediately_response(self, response_serial_no: int, result: int,
                                           ids: list | None = None) -> dict[str, int]:
        ids_tuple = tuple(ids) if ids is not None else None
        return self._notice(CameraShootResponse(response_serial_no, result, ids_tuple))

    def data_uplink_transparent_transmission(self, data_type: int, data: str | bytes) -> dict:
        """0x0900; ``data`` bytes, or a str sent as its text (GBK), as in the reference
        example ``data_uplink_transparent_transmission(0, "123456")``."""
        return self._report(UplinkPassThrough(data_type, _data_bytes(data, "data")))

    def data_compression_report(self, data: str | bytes) -> dict[str, int]:
        """0x0901: ``data`` (bytes, or a str as its GBK text) is gzip-compressed here."""
        return self._report(CompressedDataUpload.compress(_data_bytes(data, "data")))


async def _leave_to_callback(terminal: Terminal, message: Message, header: Header) -> None:
    """With a seed callback set, the application answers platform requests itself."""


async def _authenticated(terminal: Terminal) -> None:
    """What follows a successful 0x0102: our RSA key (0x0A00) when encryption is on, a
    kept 0x0108, the blind-area upload."""
    terminal.on_authenticated()
