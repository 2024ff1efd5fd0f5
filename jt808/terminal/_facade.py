"""``JTT808``: the seed's synchronous API (API reference §3) over the async ``Terminal``.

Every method converts its arguments (``_seed_shapes``) and makes ONE call to a public
``Terminal`` method through ONE anyio blocking portal (an event loop thread started by
``connect()`` and stopped by ``disconnect()``); no command is written twice, and nothing
here touches the core's state from the caller's thread while the loop runs.

Results:

- A request that gets no reply (after the standard's retransmissions, from the
  ``timeout``/``retry_count`` given here as parameters 0x0002/0x0003 or 0x0004/0x0005)
  never returns ``{}`` (seed defect 7): report methods return the documented shape
  ``{"serial_no": <our serial>, "message_id": <our id>, "result_code": -1}``,
  ``register`` returns ``registration_result`` -1, ``query_server_time`` returns
  ``{"utc_time": ""}``. Each retransmission is logged at INFO, the give-up at WARNING.
  A call made while the link is down returns the same shapes with ``serial_no`` -1.
- A failure the caller caused never looks like a timeout. Methods that return a dict
  raise ``LocalProtocolError`` naming the field: a value the version cannot carry, a
  phone that is not digits, a message the version lacks (0x0004 in 2011; 0x0608 before
  2019; 0x0301-0x0303 in 2019: "deleted in 2019" — the seed still sends them, its
  defect 11), a message the session may not send yet (a report before authentication).
  Methods whose reference return value is a bool (``set_callback``, ``set_encryption``,
  ``connect``, ``disconnect``, ``heart_beat``, ``logout``, ``general_answer``) document
  ``False`` as "failure": they return ``False`` and log the reason at WARNING.
- ``register`` and ``properties_report`` cut ``manufacturer_id``/``terminal_model``/
  ``terminal_id`` to the version's width as the seed does (a WARNING names each cut
  field and both values); ``Terminal`` and the codec stay strict.
- ``data`` arguments (0x0700, 0x0701, 0x0801, 0x0900, 0x0901) take bytes, or a str sent
  as its text in GBK (0x0900's example sends ``"123456"``: ``b"123456"`` on the wire).
  ``data_compression_report`` sends its data as given: the reference calls it
  "Compressed data" (its example reads a ``.tar.gz``).
- Messages that expect no reply (0x0104, 0x0107, 0x0201, 0x0500, 0x0608, 0x0805...)
  return ``result_code`` 0 once handed to the transport.
- ``media_data_upload`` waits for the platform's final 0x8800 (seed defect 8) and
  resends what an 0x8800 list names (the session does it); a platform that answers with
  0x8001 instead gets its result (0, or 3 "not supported"...), never an AttributeError.
- Platform commands: without a callback they get the library's default answers (seed
  defect 9 left them unanswered). Once ``set_callback`` is called, platform requests go
  to the callback only and are answered by the application (``general_answer``,
  ``params_report``...), as in the seed's examples. The callback runs on its own thread
  (``jt808-callback``, started by ``connect()`` or ``set_callback`` and ended by
  ``disconnect()``), so it may call this object's methods. Its queue is bounded
  (``callback_queue`` messages, default 1000): past that, messages are dropped,
  counted in ``callback_drops`` and logged at WARNING, so a platform cannot grow our
  memory with a slow callback. ``data`` is key for key the reference's §4 table.
- ``set_encryption(encryption, rsa_e, rsa_n)`` accepts the reference example's swapped
  arguments (``rsa_e`` a hex string, ``rsa_n`` an int) as well as the standard order.
  It also gives the platform the terminal's own key (0x0A00), so encrypted platform
  bodies are decrypted; without ``rsa_e``/``rsa_n`` the platform key is the one its
  0x8A00 brought, and with none yet it returns ``False``.
"""
from __future__ import annotations

import datetime as dt
import contextlib
import logging
import queue
import threading
import weakref
from typing import Any, Callable, TypeVar

from anyio.from_thread import BlockingPortal, start_blocking_portal

from ..codec import (COMM_PROPERTY_BITS, GNSS_PROPERTY_BITS, TERMINAL_TYPE_BITS,
                     CameraShootResponse, CanBusDataUpload, CanItem, CompressedDataUpload,
                     DriverIdentityReport, ElectronicWaybill, EventReport, Heartbeat,
                     InfoDemand, LocationBatchReport, LocationQueryResponse,
                     MediaDataUpload, MediaEventUpload, Message, QueryAreaRouteResponse,
                     QueryServerTime, QueryTerminalParamsResponse, QuestionAnswer,
                     RecorderDataUpload, StoredMediaItem, StoredMediaSearchResponse,
                     TerminalAuth, TerminalGeneralResponse, TerminalLogout, TerminalParam,
                     TerminalPropertiesResponse, TerminalRegister,
                     TerminalRegisterResponse, TerminalRsaKey,
                     UpgradeResult, UplinkPassThrough, VehicleControlResponse,
                     decode_param_value, flags_to_bits, message_class)
from ..errors import JT808Error, LocalProtocolError, ResponseTimeout, TransportError
from ..frame import Header, Version
from ._seed_shapes import (area_items_from_seed, basic_location_from_seed, callback_args,
                           can_bytes, can_time_from_seed, data_bytes, fit_widths,
                           location_from_seed, seed_time)
from ._terminal import Terminal

__all__ = ["JTT808"]

log = logging.getLogger("jt808.terminal")

STATUS_ERROR, STATUS_CONNECTED, STATUS_CONNECTING, STATUS_DISCONNECTED = -1, 0, 1, 2
_LINK_PARAMS = {"TCP": (0x0002, 0x0003), "UDP": (0x0004, 0x0005)}
_FAILED = -1
_M = TypeVar("_M", bound=Message)
#: messages JT/T 808-2019 deleted (event report, question answer, information demand)
_DELETED_IN_2019 = {0x0301, 0x0302, 0x0303}
DEFAULT_CALLBACK_QUEUE = 1000
_CALLBACK_JOIN_TIMEOUT = 5.0


def _require_version(message: Message, version: Version) -> None:
    """``LocalProtocolError`` when ``version`` has no such message (nothing is sent)."""
    if message_class(message.msg_id, version) is not None:
        return
    if version is Version.V2019 and message.msg_id in _DELETED_IN_2019:
        raise LocalProtocolError(f"0x{message.msg_id:04X} was deleted in 2019 (JT/T 808-2019);"
                                 " use version 2013 or 2011 for it", msg_id=message.msg_id)
    raise LocalProtocolError(f"0x{message.msg_id:04X} does not exist in version "
                             f"{int(version)}", msg_id=message.msg_id)


def _int_arg(value: Any, field: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise LocalProtocolError(f"{field} {value!r} is not a number", field=field) from None


class JTT808:
    """The seed's terminal API (see the reference, §3)."""

    def __init__(self, ip: str | None = None, port: int | None = None, domain: str | None = None,
                 method: str = "TCP", timeout: int = 30, retry_count: int = 3,
                 version: str = "2019", client_id: str = "", *, url: str | None = None,
                 callback_queue: int = DEFAULT_CALLBACK_QUEUE,
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
        self.callback_queue = callback_queue
        self.callback_drops = 0
        self._callback: Callable[[dict], Any] | None = None
        self._callbacks: queue.Queue | None = None
        self._callback_thread: threading.Thread | None = None
        self._portal_cm: contextlib.AbstractContextManager[BlockingPortal] | None = None
        self._portal: BlockingPortal | None = None
        self._terminal_cm: contextlib.AbstractContextManager[Any] | None = None
        self._connecting = False

    # -- portal ---------------------------------------------------------------------
    def _call(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run ``fn`` (a public ``Terminal`` method) in the event loop thread."""
        if self._portal is None:
            raise TransportError("not connected: call connect() first")
        return self._portal.call(fn, *args)

    def _touch(self, fn: Callable[..., Any], *args: Any) -> Any:
        """A sync ``Terminal`` setter: in the loop thread when it runs, else here (no loop
        is running, so nothing races)."""
        return fn(*args) if self._portal is None else self._portal.call(fn, *args)

    def _start(self) -> None:
        if self._portal is not None:
            return
        self._portal_cm = portal_cm = start_blocking_portal("asyncio")
        self._portal = portal = portal_cm.__enter__()
        self._terminal_cm = terminal_cm = portal.wrap_async_context_manager(self.terminal)
        terminal_cm.__enter__()

    def _stop(self) -> None:
        if self._portal is None:
            return
        terminal_cm, portal_cm = self._terminal_cm, self._portal_cm
        try:
            if terminal_cm is not None:
                terminal_cm.__exit__(None, None, None)
        finally:
            if portal_cm is not None:
                portal_cm.__exit__(None, None, None)
            self._portal = self._portal_cm = self._terminal_cm = None

    # -- callbacks ------------------------------------------------------------------
    def set_callback(self, callback: Callable[[dict], Any]) -> bool:
        """§3 set_callback; ``False`` when ``callback`` is not callable."""
        if not callable(callback):
            log.warning("set_callback: %r is not callable", callback)
            return False
        self._callback = callback
        self._touch(self.terminal.set_command_handler, _leave_to_callback)
        if self._portal is not None:
            self._start_callbacks()
        return True

    def _start_callbacks(self) -> None:
        thread = self._callback_thread
        if self._callback is None or (thread is not None and thread.is_alive()):
            return
        work: queue.Queue[Any] = queue.Queue(max(1, int(self.callback_queue)))
        self._callbacks = work
        self._callback_thread = threading.Thread(target=_run_callbacks, args=(work,),
                                                 daemon=True, name="jt808-callback")
        weakref.finalize(self, _post_stop, work)     # a dropped object ends its thread too
        self._callback_thread.start()

    def _stop_callbacks(self) -> None:
        thread, work = self._callback_thread, self._callbacks
        self._callback_thread = self._callbacks = None
        if thread is None or work is None:
            return
        _post_stop(work)
        if thread is not threading.current_thread():
            thread.join(_CALLBACK_JOIN_TIMEOUT)
            if thread.is_alive():
                log.warning("the JTT808 callback has not returned after %.0f s; its thread "
                            "ends when it does", _CALLBACK_JOIN_TIMEOUT)

    def _on_message(self, message: Message, header: Header) -> None:
        """(Event loop thread) queue the message for the callback thread; never block."""
        work, callback = self._callbacks, self._callback
        if work is None or callback is None:
            return
        try:
            work.put_nowait((callback, message, header))
        except queue.Full:
            self.callback_drops += 1
            if self.callback_drops == 1 or self.callback_drops % 1000 == 0:
                log.warning("JTT808 callback queue full (%d waiting): dropped 0x%04X, %d "
                            "dropped so far", work.qsize(), header.msg_id, self.callback_drops)

    # -- connection -----------------------------------------------------------------
    def set_encryption(self, encryption: bool, rsa_e: Any = None, rsa_n: Any = None) -> bool:
        """On: take the platform key (these arguments, or its 0x8A00), use the terminal's
        own key (``rsa_key``/``rsa_key_path`` option, else generated) and send it in
        0x0A00 now when authenticated (else after authentication). Off: plain bodies.
        ``False`` (WARNING) when there is no platform key yet or the key is unusable."""
        if isinstance(rsa_e, str) and isinstance(rsa_n, int):
            rsa_e, rsa_n = rsa_n, rsa_e                     # the reference example's order
        terminal = self.terminal
        if not encryption:
            self._touch(terminal.disable_encryption)
            return True
        key = (rsa_e, rsa_n) if rsa_e is not None and rsa_n is not None else ()
        if not key and not terminal.has_platform_key:
            log.warning("set_encryption: no platform key (give rsa_e and rsa_n, or wait "
                        "for the platform's 0x8A00)")
            return False
        try:
            if self._portal is not None and terminal.authenticated:
                reply = self._call(terminal.enable_encryption, *key)
                return reply is not None and reply.result == 0
            self._touch(terminal.configure_encryption, *key)
        except (JT808Error, ValueError, TypeError) as exc:
            log.warning("set_encryption failed: %s", exc)
            return False
        return True

    def connect(self) -> bool:
        self._connecting = True
        try:
            self._start()
            self._call(self.terminal.connect)
            self._start_callbacks()
            return True
        except JT808Error as exc:
            log.warning("connect failed: %s", exc)
            return False
        finally:
            self._connecting = False

    def disconnect(self) -> bool:
        """Close the link, stop the event loop thread and end the callback thread."""
        try:
            self._stop()
        except JT808Error as exc:
            log.warning("disconnect failed: %s", exc)
            return False
        finally:
            self._stop_callbacks()
        return True

    def status(self) -> int:
        if self._connecting:
            return STATUS_CONNECTING
        if self.terminal.connected:
            return STATUS_CONNECTED
        return STATUS_ERROR if self.terminal.error is not None else STATUS_DISCONNECTED

    # -- exchanges ------------------------------------------------------------------
    def _exchange(self, message: Message) -> tuple[int, Message | None]:
        """(serial, reply): reply None when no answer came; serial -1 when the link was
        down. A caller's mistake raises ``LocalProtocolError``."""
        _require_version(message, self.version)
        try:
            return self._call(self.terminal.request_logged, message)
        except ResponseTimeout as exc:
            return getattr(exc, "serial", _FAILED), None
        except LocalProtocolError:
            raise
        except JT808Error as exc:
            log.warning("0x%04X not answered: %s", message.msg_id, exc)
            return getattr(exc, "serial", _FAILED), None

    def _report(self, message: Message) -> dict[str, int]:
        """A request answered by 0x8001: the seed's report shape."""
        serial, reply = self._exchange(message)
        result = _FAILED if reply is None else getattr(reply, "result", 0)
        return {"serial_no": serial, "message_id": message.msg_id, "result_code": result}

    def _notice(self, message: Message) -> dict[str, int]:
        """A message that expects no reply: result 0 once sent."""
        _require_version(message, self.version)
        try:
            serial = self._call(self.terminal.send, message)
        except LocalProtocolError:
            raise
        except JT808Error as exc:
            log.warning("0x%04X not sent: %s", message.msg_id, exc)
            return {"serial_no": _FAILED, "message_id": message.msg_id, "result_code": _FAILED}
        return {"serial_no": serial, "message_id": message.msg_id, "result_code": 0}

    def _fit(self, message: _M, method: str) -> _M:
        """Fixed-width strings cut to the version's widths, as the seed cuts them."""
        message, cuts = fit_widths(message, self.version)
        for cut in cuts:
            log.warning("%s: %s", method, cut)
        return message

    def _succeeded(self, send: Callable[[], dict[str, int]], what: str) -> bool:
        """A bool method (§3 documents ``False`` as failure): local errors give False."""
        try:
            return send()["result_code"] == 0
        except LocalProtocolError as exc:
            log.warning("%s not sent: %s", what, exc)
            return False

    # -- registration and link ------------------------------------------------------
    def register(self, province_id, city_id, manufacturer_id, terminal_model, terminal_id,
                 license_plate_color, license_plate) -> dict[str, Any]:
        """0x0100. Strings wider than the version's fields are cut as the seed cuts them
        (WARNING per field); other bad values raise ``LocalProtocolError``."""
        info = TerminalRegister(_int_arg(province_id, "province_id"),
                                _int_arg(city_id, "city_id"), str(manufacturer_id),
                                str(terminal_model), str(terminal_id),
                                _int_arg(license_plate_color, "license_plate_color"),
                                str(license_plate))
        info = self._fit(info, "register")
        self._touch(self.terminal.set_register_info, info)
        serial, reply = self._exchange(info)
        if reply is None:
            return {"serial_no": serial, "registration_result": _FAILED, "auth_code": ""}
        code = (reply.auth_code if isinstance(reply, TerminalRegisterResponse)
                and reply.result == 0 else "")
        return {"serial_no": serial, "registration_result": getattr(reply, "result"),
                "auth_code": code}

    def authentication(self, auth_code: str, imei: str = "", app_version: str = "") -> dict:
        self._touch(self.terminal.set_identity, auth_code, imei, app_version)
        result = self._report(TerminalAuth(auth_code, imei, app_version))
        if result["result_code"] == 0:
            self._call(self.terminal.on_authenticated)
        return result

    def heart_beat(self) -> bool:
        return self._succeeded(lambda: self._report(Heartbeat()), "heart_beat")

    def logout(self) -> bool:
        return self._succeeded(lambda: self._report(TerminalLogout()), "logout")

    def general_answer(self, response_serial_no: int, response_msg_id: int,
                       result_code: int = 0) -> bool:
        reply = TerminalGeneralResponse(response_serial_no, response_msg_id, result_code)
        return self._succeeded(lambda: self._notice(reply), "general_answer")

    def query_server_time(self) -> dict[str, str]:
        """0x0004 (2013, 2019; ``LocalProtocolError`` in 2011)."""
        _, reply = self._exchange(QueryServerTime())
        when = getattr(reply, "time", None)
        return {"utc_time": when.strftime("%Y-%m-%d %H:%M:%S") if when else ""}

    def terminal_rsa_public_key(self, e: int, n: str | bytes | int) -> dict[str, int]:
        if isinstance(n, int):
            n = n.to_bytes(128, "big")              # BYTE[128] on the wire
        elif isinstance(n, str):
            try:
                n = bytes.fromhex(n)
            except ValueError:
                raise LocalProtocolError(f"n {n[:16]!r}... is not hex", field="n") from None
        return self._report(TerminalRsaKey(_int_arg(e, "e"), n))

    # -- parameters and properties --------------------------------------------------
    def params_report(self, response_serial_no: int, terminal_params: dict) -> dict[str, int]:
        """0x0104; values are the ``hex`` of ``TerminalParams.get_params()`` (or values)."""
        return self._notice(QueryTerminalParamsResponse(
            response_serial_no, tuple(_param(k, v) for k, v in terminal_params.items())))

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
        return self._notice(self._fit(TerminalPropertiesResponse(
            pick(TERMINAL_TYPE_BITS), manufacturer_id, terminal_model, terminal_id, iccid,
            hardware_version, firmware_version, pick(GNSS_PROPERTY_BITS),
            pick(COMM_PROPERTY_BITS)), "properties_report"))

    def upgrade_result_report(self, upgrade_type: int, result_code: int) -> dict[str, int]:
        return self._report(UpgradeResult(upgrade_type, result_code))

    # -- location -------------------------------------------------------------------
    def loction_report(self, response_msg_id, response_serial_no, alarm_flag, loc_status,
                       latitude, longitude, altitude, speed, direction, time,
                       loc_additional_info="") -> dict[str, int]:
        """0x0200, or 0x0201 / 0x0500 when ``response_msg_id`` is 0x8201 / 0x8500."""
        report = location_from_seed(alarm_flag, loc_status, latitude, longitude, altitude,
                                    speed, direction, time, loc_additional_info)
        if response_msg_id == 0x8201:
            return self._notice(LocationQueryResponse(response_serial_no, report))
        if response_msg_id == 0x8500:
            return self._notice(VehicleControlResponse(response_serial_no, report))
        return self._report(report)

    def location_bulk_report(self, data_type: int, loc_datas: list) -> dict[str, int]:
        items = tuple(location_from_seed(*item) for item in loc_datas)
        return self._report(LocationBatchReport(_int_arg(data_type, "data_type"), items))

    # -- events, questions, information (deleted in 2019) ---------------------------
    def event_report(self, event_id: int) -> dict[str, int]:
        """0x0301 (2011, 2013): ``LocalProtocolError`` "deleted in 2019" in 2019."""
        return self._report(EventReport(event_id))

    def issue_question_response(self, response_serial_no: int, answer_id: int) -> dict:
        """0x0302 (2011, 2013): ``LocalProtocolError`` "deleted in 2019" in 2019."""
        return self._report(QuestionAnswer(response_serial_no, answer_id))

    def information_demand_cancellation(self, info_type: int, onoff: int) -> dict[str, int]:
        """0x0303 (2011, 2013): ``LocalProtocolError`` "deleted in 2019" in 2019."""
        return self._report(InfoDemand(info_type, onoff))

    def query_area_route_data_response(self, query_type: int, data: list) -> dict[str, int]:
        """0x0608 (2019): ``data`` is a list of the ``source_body`` strings the callback
        gave for 0x8600/0x8602/0x8604/0x8606 (or their bytes, or message objects) of the
        asked ``query_type``. The reference's own example passes ``(5, 1)`` (the
        arguments of ``information_demand_cancellation``): that raises
        ``LocalProtocolError`` naming ``query_type``."""
        if self.version is not Version.V2019:
            _require_version(QueryAreaRouteResponse(1), self.version)
        items = area_items_from_seed(query_type, data, self.version)
        return self._notice(QueryAreaRouteResponse(query_type, items))

    # -- driving records, waybill, driver, CAN --------------------------------------
    def driving_record_data_upload(self, response_serial_no: int, cmd_word: int,
                                   cmd_data: bytes) -> dict[str, int]:
        return self._notice(RecorderDataUpload(response_serial_no, cmd_word,
                                               data_bytes(cmd_data, "cmd_data")))

    def electronic_waybill_report(self, data: bytes) -> dict[str, int]:
        return self._report(ElectronicWaybill(data_bytes(data, "data")))

    def driver_identity_information_report(self, status, time, ic_read_result=0, driver_name="",
                                           qualification_certificate_code="",
                                           issuing_agency_name="", certificate_validity="",
                                           driver_id_number="") -> dict[str, int]:
        try:
            validity = (dt.datetime.strptime(certificate_validity, "%Y%m%d").date()
                        if certificate_validity else None)
        except (TypeError, ValueError):
            raise LocalProtocolError(f"certificate_validity {certificate_validity!r} is not "
                                     "YYYYMMDD", field="certificate_validity") from None
        return self._report(DriverIdentityReport(
            _int_arg(status, "status"), seed_time(time), int(ic_read_result or 0), driver_name,
            qualification_certificate_code, issuing_agency_name, validity, driver_id_number))

    def can_bus_data_upload(self, recive_time, can_datas: list) -> dict[str, int]:
        items = tuple(CanItem(can_id, can_bytes(can_data), channel, frame_type, method)
                      for channel, frame_type, method, can_id, can_data in can_datas)
        return self._report(CanBusDataUpload(can_time_from_seed(recive_time), items))

    # -- media and pass-through -----------------------------------------------------
    def media_event_upload(self, media_id, media_type, media_encoding, event_code,
                           channel_id) -> dict[str, int]:
        return self._report(MediaEventUpload(media_id, media_type, media_encoding, event_code,
                                             channel_id))

    def media_data_upload(self, media_id, media_type, media_encoding, event_code, channel_id,
                          media_data: bytes, loc_data=None) -> dict[str, int]:
        """0x0801. ``result_code``: 0 when the platform's 0x8800 lists nothing missing, 1
        when packets stay missing after the resends; a platform answering 0x8001 instead
        gives that 0x8001's result (0 ok, 1 failed, 2 wrong, 3 not supported)."""
        location = None
        if loc_data is not None and self.version is not Version.V2011:
            location = basic_location_from_seed(loc_data)
        upload = MediaDataUpload(media_id, media_type, media_encoding, event_code, channel_id,
                                 location, data_bytes(media_data, "media_data"))
        serial, reply = self._exchange(upload)
        return {"serial_no": serial, "message_id": upload.msg_id,
                "result_code": _media_result(reply)}

    def stored_media_data_retrieval_response(self, response_serial_no: int,
                                             medias: list) -> dict[str, int]:
        items = tuple(StoredMediaItem(media_id, media_type, channel_id, event_code,
                                      basic_location_from_seed(loc_data))
                      for media_id, media_type, channel_id, event_code, loc_data in medias)
        return self._notice(StoredMediaSearchResponse(response_serial_no, items))

    def camera_shoots_immediately_response(self, response_serial_no: int, result: int,
                                           ids: list | None = None) -> dict[str, int]:
        ids_tuple = tuple(ids) if ids is not None else None
        return self._notice(CameraShootResponse(response_serial_no, result, ids_tuple))

    def data_uplink_transparent_transmission(self, data_type: int, data: str | bytes) -> dict:
        """0x0900; ``data`` bytes, or a str sent as its text (GBK), as in the reference
        example ``data_uplink_transparent_transmission(0, "123456")``."""
        return self._report(UplinkPassThrough(data_type, data_bytes(data, "data")))

    def data_compression_report(self, data: str | bytes) -> dict[str, int]:
        """0x0901: ``data`` is already compressed ("Compressed data"; the reference's
        example reads a ``.tar.gz``) and is sent as given (a str as its GBK bytes).
        New code that has plain bytes can use ``CompressedDataUpload.compress``."""
        return self._report(CompressedDataUpload(data_bytes(data, "data")))


def _param(param_id: Any, value: Any) -> TerminalParam:
    """One 0x0104 item: a hex string (``TerminalParams.get_params()[id]["hex"]``) is
    decoded by the parameter's type; any other value is taken as the value itself."""
    pid = _int_arg(param_id, "terminal_params")
    if not isinstance(value, str):
        return TerminalParam(pid, value)
    try:
        return TerminalParam(pid, decode_param_value(pid, bytes.fromhex(value)))
    except (ValueError, JT808Error) as exc:
        raise LocalProtocolError(f"parameter 0x{pid:04X} value {value[:24]!r} is not the hex "
                                 f"of a value of its type: {exc}",
                                 field="terminal_params") from None


def _media_result(reply: Message | None) -> int:
    """0x8800: 0 when no packet is listed missing, else 1; 0x8001: its result."""
    if reply is None:
        return _FAILED
    if hasattr(reply, "packet_ids"):
        return 0 if not reply.packet_ids else 1
    return int(getattr(reply, "result", 0))


def _post_stop(work: queue.Queue) -> None:
    """Tell a callback thread to end, making room in a full queue if needed."""
    while True:
        try:
            work.put_nowait(None)
            return
        except queue.Full:
            try:
                work.get_nowait()
            except queue.Empty:
                pass


def _run_callbacks(work: queue.Queue) -> None:
    """The ``jt808-callback`` thread: shape each message as §4 says and call back."""
    while (item := work.get()) is not None:
        callback, message, header = item
        try:
            callback(callback_args(message, header))
        except Exception:
            log.exception("JTT808 callback failed on 0x%04X", header.msg_id)


async def _leave_to_callback(terminal: Terminal, message: Message, header: Header) -> None:
    """With a seed callback set, the application answers platform requests itself."""
