"""The seed's API reference, run as written, against the reference ``Platform`` (issue 12).

The reference is read from ``tests/vectors/seed/API_Reference.txt`` (a byte-identical
copy of QuecPython's ``jtt808`` API_Reference.md as kept in ``../shared/seed``; the
provenance is in ``tests/vectors/README.md``).

1. Every example of §3 is cut out of the reference text and executed, in 2011, 2013 and
   2019, with only these changes: the imports (``jtt808`` -> ``jt808.terminal``; the
   QuecPython ``modem``/``sim``/``utime`` modules -> small stand-ins), the address (the
   platform's port), the version, the files the examples read (``/usr/...`` -> bytes
   made here), the set_encryption example's key (the platform's: the example key's
   private half is unknown, so nobody could decrypt), and the reference's typos listed
   in ``TYPOS``. Every value the reference shows (``# {...}`` after a ``print`` or an
   expression) is compared with what ours gives: same keys, same types, success codes.
   Calls the chosen version lacks, and ``query_area_route_data_response``'s own example
   (it passes ``info_type, onoff``), raise ``LocalProtocolError`` instead.
2. Every platform message §4 lists is built with the codec, sent by the platform, and
   the callback's ``data`` is compared key for key and type for type with ``SECTION_4``,
   written here with the reference's section name beside each row; another test checks
   that table against the reference text itself.
"""
from __future__ import annotations

import ast
import contextlib
import datetime as dt
import gzip
import io
import re
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from anyio.from_thread import start_blocking_portal

from jt808 import codec as c
from jt808.errors import LocalProtocolError
from jt808.frame import Version
from jt808.platform import Platform
from jt808.session import RsaKeyPair
from jt808.terminal import (JTT808, LicensePlateColor, LocAdditionalInfoConfig,
                            LocAlarmWarningConfig, LocStatusConfig, ResultCode, TerminalParams)

REFERENCE = Path(__file__).resolve().parents[1] / "vectors" / "seed" / "API_Reference.txt"
CLIENT_ID = "18888888888"
AUTH_CODE = "869523052033462"       # the authentication example's literal code
IMEI = "869523052033462"            # modem.getDevImei() (the register example's comment)
VERSIONS = ("2011", "2013", "2019")

#: the reference's slips, fixed before running (regex -> replacement, why)
TYPOS = {
    r"(?<!j)tt808_obj\.": ("jtt808_obj.", "the object is called jtt808_obj everywhere else"),
    r"print\(loction_report\)": ("print(loction_report_res)",
                                  "prints the method, not the result"),
    r"print\(location_bulk_report\)": ("print(location_bulk_report_res)", "same slip"),
    r"print\(stored_media_data_retrieval_response_res\)(?=\n# \{\"serial_no\": 28)": (
        "print(data_uplink_transparent_transmission_res)",
        "the pass-through example prints the previous example's result"),
}
#: method -> the message it sends (to know which version has it)
METHOD_IDS = {
    "heart_beat": 0x0002, "logout": 0x0003, "general_answer": 0x0001,
    "query_server_time": 0x0004, "register": 0x0100, "authentication": 0x0102,
    "params_report": 0x0104, "properties_report": 0x0107, "upgrade_result_report": 0x0108,
    "loction_report": 0x0200, "event_report": 0x0301, "issue_question_response": 0x0302,
    "information_demand_cancellation": 0x0303, "query_area_route_data_response": 0x0608,
    "driving_record_data_upload": 0x0700, "electronic_waybill_report": 0x0701,
    "driver_identity_information_report": 0x0702, "location_bulk_report": 0x0704,
    "can_bus_data_upload": 0x0705, "media_event_upload": 0x0800, "media_data_upload": 0x0801,
    "stored_media_data_retrieval_response": 0x0802,
    "camera_shoots_immediately_response": 0x0805,
    "data_uplink_transparent_transmission": 0x0900, "data_compression_report": 0x0901,
    "terminal_rsa_public_key": 0x0A00,
}
DELETED_IN_2019 = {"event_report", "issue_question_response", "information_demand_cancellation"}
#: examples that the link needs at their place in the run, not the reference's order
LAST = ("logout", "disconnect")
FILES = {
    "/usr/xxx.xxx": b"\x01\x02\x7e\x7d record " * 8,
    "/usr/system_config.json": b'{"config": "value"}' * 100,      # a 1.9 KB "photo": split
    "/usr/xxx.tar.gz": gzip.compress(b"compressed data " * 20, mtime=0),
}


# -- the reference text ----------------------------------------------------------------

def reference_text() -> str:
    return REFERENCE.read_text(encoding="utf-8")


def section_3_examples(text: str) -> dict[str, str]:
    """``{"JTT808": constructor example, "register": its example, ...}`` in §3 order."""
    body = text[text.index("3. JT/T808 Terminal Function Interface"):
                text.index("4. The Server Sends Message Data")]
    parts = re.split(r"^JTT808\.(\w+)\n", body, flags=re.M)
    examples = {"JTT808": parts[0][parts[0].index("from jtt808 import"):
                                   parts[0].index("\nParameters:")]}
    for name, part in zip(parts[1::2], parts[2::2]):
        examples[name] = part[part.index("Examples:\n") + len("Examples:\n"):].strip() + "\n"
    return examples


def fix_example(name: str, code: str, port: int, version: str, key: RsaKeyPair) -> str:
    for wrong, (right, _why) in TYPOS.items():
        code = re.sub(wrong, right, code)
    code = code.replace("from jtt808 import JTT808", "from jt808.terminal import JTT808")
    code = code.replace("import modem\n", "")
    code = code.replace("port = 7611", f"port = {port}")
    code = code.replace('version = "2019"', f'version = "{version}"')
    if name == "set_encryption":                   # the platform's key, same argument order
        code = re.sub(r'rsa_e = "E5A5(?:[^\n]*\\\n)*[^\n]*', f'rsa_e = "{key.n:X}"', code)
        code = code.replace("rsa_n = 0x010001", f"rsa_n = {key.e:#x}")
    return code


class _Modem:
    """QuecPython ``modem``: what the examples ask of it."""

    @staticmethod
    def getDevImei() -> str:
        return IMEI

    @staticmethod
    def getDevFwVersion() -> str:
        return "EC200UCNAAR02A01M08"


class _Sim:
    @staticmethod
    def getIccid() -> str:
        return "89860012345678901238"


class _Logger:
    def debug(self, *args: Any) -> None:
        pass


def _open(path: str, mode: str = "r", *args: Any, **kwargs: Any):
    """The examples' files (``/usr/...``) as bytes made here."""
    return io.BytesIO(FILES[path])


class ExampleRun:
    """Executes examples statement by statement in one namespace and keeps, for each value
    the reference shows (``# <literal>`` after a statement), what our statement gave."""

    def __init__(self) -> None:
        self.printed: list[Any] = []
        self.callback_prints: list[Any] = []
        self.main = threading.current_thread()
        self.namespace: dict[str, Any] = {
            "print": self._print, "open": _open, "modem": _Modem, "sim": _Sim,
            "utime": time, "logger": _Logger(), "LicensePlateColor": LicensePlateColor,
            "ResultCode": ResultCode, "TerminalParams": TerminalParams,
            "LocStatusConfig": LocStatusConfig, "LocAlarmWarningConfig": LocAlarmWarningConfig,
            "LocAdditionalInfoConfig": LocAdditionalInfoConfig,
        }

    def _print(self, *values: Any) -> None:
        if threading.current_thread() is self.main:
            self.printed.append(values[0] if len(values) == 1 else values)
        else:
            self.callback_prints.append(values)

    def run(self, code: str) -> list[tuple[Any, Any]]:
        """(documented value, our value) for each ``# literal`` line of ``code``: the
        value of the statement before it (what it printed, its expression, or what it
        assigned)."""
        statements = ast.parse(code).body
        shown = _shown_values(code)
        pairs = []
        for index, statement in enumerate(statements):
            printed = len(self.printed)
            value = self._execute(statement)
            if len(self.printed) > printed:
                value = self.printed[-1]
            after = (statements[index + 1].lineno if index + 1 < len(statements)
                     else float("inf"))
            pairs += [(documented, value) for line, documented in shown
                      if statement.end_lineno < line < after]
        assert len(pairs) == len(shown), ("a shown value matched no statement", code)
        return pairs

    def _execute(self, statement: ast.stmt) -> Any:
        if isinstance(statement, ast.Expr):
            return eval(compile(ast.Expression(statement.value), "<example>", "eval"),
                        self.namespace)
        exec(compile(ast.Module([statement], []), "<example>", "exec"), self.namespace)
        if isinstance(statement, ast.Assign) and isinstance(statement.targets[0], ast.Name):
            return self.namespace[statement.targets[0].id]
        return None


def _shown_values(code: str) -> list[tuple[int, Any]]:
    shown = []
    for number, line in enumerate(code.splitlines(), 1):
        if line.startswith("# "):
            with contextlib.suppress(ValueError, SyntaxError):
                shown.append((number, ast.literal_eval(line[2:].replace("null", "None"))))
    return shown


def assert_same_shape(documented: Any, ours: Any, where: str) -> None:
    """Same type; a dict has the same keys with values of the same types; a report's
    ``result_code`` / a registration's result is the documented success (0)."""
    assert type(ours) is type(documented), (where, documented, ours)
    if isinstance(documented, dict):
        assert set(ours) == set(documented), (where, documented, ours)
        for key, value in documented.items():
            assert type(ours[key]) is type(value), (where, key, value, ours[key])
        for key in ("result_code", "registration_result"):
            if key in documented:
                assert ours[key] == documented[key] == 0, (where, ours)
    elif isinstance(documented, bool):
        assert ours is documented, (where, ours)


# -- running §3 ---------------------------------------------------------------------------

@contextlib.asynccontextmanager
async def _platform(key: RsaKeyPair):
    async with Platform(session_options={"rsa_key": key},
                        auth_codes={CLIENT_ID: AUTH_CODE}) as platform:
        await platform.serve("tcp://127.0.0.1:0")
        yield platform


@pytest.fixture
def platform():
    key = RsaKeyPair()
    with start_blocking_portal("asyncio") as portal:
        with portal.wrap_async_context_manager(_platform(key)) as plat:
            plat.portal, plat.key = portal, key
            yield plat


def _expected_error(name: str, version: Version) -> str | None:
    """The ``LocalProtocolError`` message an example must raise in ``version``, if any."""
    msg_id = METHOD_IDS.get(name)
    if msg_id is None:
        return None
    if version is Version.V2019 and name in DELETED_IN_2019:
        return "deleted in 2019"
    if c.message_class(msg_id, version) is None:
        return f"0x{msg_id:04X} does not exist in version {int(version)}"
    if name == "query_area_route_data_response":     # the example passes (5, 1)
        return "query_type must be 1-4"
    return None


def _ordered(examples: dict[str, str]) -> list[str]:
    names = [n for n in examples if n not in LAST]
    return names + [n for n in LAST if n in examples]


@pytest.mark.parametrize("version", VERSIONS)
def test_every_section_3_example_runs_as_written(platform, version):
    examples = section_3_examples(reference_text())
    assert len(examples) == 32                      # the constructor and 31 methods
    port = platform.address("tcp")[1]
    run = ExampleRun()
    checked, raised = 0, []
    try:
        for name in _ordered(examples):
            code = fix_example(name, examples[name], port, version, platform.key)
            expected_error = _expected_error(name, Version(int(version)))
            if expected_error is not None:
                with pytest.raises(LocalProtocolError, match=re.escape(expected_error)):
                    run.run(code)
                raised.append(name)
                continue
            for documented, ours in run.run(code):
                assert_same_shape(documented, ours, f"{version} {name}")
                checked += 1
    finally:
        jt = run.namespace.get("jtt808_obj")
        if jt is not None:
            jt.disconnect()
    expected_raises = {"2011": {"query_server_time", "query_area_route_data_response",
                                "camera_shoots_immediately_response"},
                       "2013": {"query_area_route_data_response"},
                       "2019": {"query_area_route_data_response", *DELETED_IN_2019}}
    assert set(raised) == expected_raises[version]
    assert checked >= 26                            # every shown value, per version
    # what went out reached the platform: the 0x0901 data as given, the "photo" whole
    record = platform.terminals[CLIENT_ID]
    assert record.messages(0x0901)[-1].data == FILES["/usr/xxx.tar.gz"]
    assert record.messages(0x0801)[-1].media_data == FILES["/usr/system_config.json"]
    assert record.registration.terminal_id == (IMEI if version == "2019" else IMEI[:7])


def test_the_typos_fixed_are_in_the_reference():
    text = reference_text()
    for wrong in TYPOS:
        assert re.search(wrong, text), wrong


# -- §4: what the callback gets ------------------------------------------------------------

N, S, L, D, B, F = int, str, list, dict, bytes, float      # N: an int (number)
#: msg id -> (§4 section title, {key: type}); the reference's "Message body data" tables
SECTION_4: dict[int, tuple[str, dict[str, type]]] = {
    0x8103: ("Set Terminal Parameters", {"params": L}),
    0x8104: ("Query Terminal Parameters", {}),
    0x8105: ("Terminal Control", {"cmd_word": N, "cmd_params": D}),
    0x8106: ("Query specified terminal parameters", {"param_ids": L}),
    0x8107: ("Query Terminal Properties", {}),
    0x8108: ("Deliver Terminal Upgrade Package", {
        "upgrade_type": S, "manufacturer_id": S, "terminal_firmware_verion": S,
        "upgrade_package": B}),
    0x8201: ("Location Information Query", {}),
    0x8202: ("Temporary Location Tracking Control", {
        "time_interval": N, "location_tracking_validity_period": N}),
    0x8203: ("Manually Confirm Alarm Message", {
        "alarm_msg_serial_no": N, "emergency_alarm": N, "hazard_alarm": N,
        "in_out_area_alarm": N, "in_out_road_alarm": N,
        "insufficient_or_too_long_travel_time_on_the_road_alarm": N,
        "vehicle_illegal_ignition_alarm": N, "vehicle_illegal_displacement_alarm": N}),
    0x8204: ("Link Detection", {}),
    0x8300: ("Text Message Delivery", {
        "flag_type": N, "terminal_display": N, "terminal_tts_broadcast_and_read": N,
        "flag_msg_type": N, "msg_type": N, "message": S}),     # §4 says int: text is str
    0x8301: ("Event Settings", {"set_type": N, "events": L}),
    0x8302: ("Send Questions", {"flag": D, "question_info": S, "answers": L}),
    0x8303: ("Information on Demand Menu Settings", {"set_type": N, "infos": L}),
    0x8304: ("Information Services", {"info_type": N, "info_data": S}),
    0x8400: ("Call Back", {"flag": N, "phone_number": S}),
    0x8401: ("Set Up Phone Book", {"set_type": N, "phonebook": L}),
    0x8500: ("Vehicle Control", {"data": L}),
    0x8600: ("Set Circular Area", {"set_attr": N, "area_data": L, "source_body": S}),
    0x8601: ("Delete Circular Area", {"all": N, "area_ids": L}),
    0x8602: ("Set Rectangular Area", {"set_attr": N, "area_data": L, "source_body": S}),
    0x8603: ("Delete Rectangular Area", {"all": N, "area_ids": L}),
    0x8604: ("Set Polygon Area", {"area_data": D, "source_body": S}),
    0x8605: ("Delete Polygon Area", {"all": N, "area_ids": L}),
    0x8606: ("Set Route", {"area_data": D, "source_body": S}),
    0x8607: ("Delete Line", {"all": N, "route_ids": L}),
    0x8608: ("Query area or Route Data", {"query_type": N, "ids": L}),
    0x8700: ("Form Record Data Acquisition Command", {"cmd_word": N, "cmd_data": B}),
    0x8701: ("Download Driving Record Parameters", {"cmd_word": N, "cmd_data": B}),
    0x8702: ("Report Driver Identification Information Request", {}),
    0x8801: ("Camera Shooting Command Immediately", {
        "channel_id": N, "shooting_order": N, "working_time": N, "save_flag": N,
        "resolution": N, "quality": N, "brightness": N, "contrast": N, "saturation": N,
        "chroma": N}),
    0x8802: ("Stored Multimedia Data Retrieval", {
        "media_type": N, "channel_id": N, "event_code": N, "start_time": S, "end_time": S}),
    0x8803: ("Store Multimedia Data Upload Commands", {
        "media_type": N, "channel_id": N, "event_code": N, "start_time": S, "end_time": S,
        "delete_flag": N}),
    0x8804: ("Recording Start Command", {
        "recording_cmd": N, "recording_time": N, "save_flag": N, "audio_sample_rate": N}),
    0x8805: ("Single Stored Multimedia Data Retrieval and Upload Command", {
        "media_id": N, "delete_flag": N}),
    0x8900: ("Data Downlink Transparent Transmission", {"data_type": N, "data": S}),
    0x8A00: ("Platform RSA Public Key", {"e": N, "n": S}),
}
_AREA = {"time_limit_enable": N, "speed_limit_enable": N,
         "alert_driver_when_entering_area": N, "alert_platform_when_entering_area": N,
         "alert_driver_when_leaving_area": N, "alert_platform_when_leaving_area": N,
         "latitude_direction": N, "longitude_direction": N, "open_the_door_enable": N,
         "communication_module_enable_when_entering_area": N,
         "gnss_enable_when_entering_area": N}
_SPEEDS = {"start_time": S, "end_time": S, "speed_limit": N, "over_speed_time": N,
           "night_speed_limit": N}
#: §4 sub-tables: (title, {key: type}) for what sits inside area_data, items, flags
SUB_TABLES: dict[str, dict[str, type]] = {
    "Regional Attribute Table": _AREA,
    "Circular Area Attribute Table": {"area_id": N, "attributes": D, "center_latitude": F,
                                      "center_longitude": F, "radius": N, **_SPEEDS,
                                      "area_name": S},
    "Rectangular Area Attribute Table": {
        "area_id": N, "attributes": D, "upper_left_latitude": F, "upper_left_longitude": F,
        "lower_right_latitude": F, "lower_right_longitude": F, **_SPEEDS, "area_name": S},
    "Polygon Area Attribute Table": {"area_id": N, "attributes": D, "point_location": L,
                                     **_SPEEDS, "area_name": S},
    "Route Information Attribute Table": {"route_id": N, "attributes": D, "start_time": S,
                                          "end_time": S, "turning_points": L, "route_name": S},
    "Route Attribute Table": {"time_limit_enable": N, "alert_driver_when_entering_area": N,
                              "alert_platform_when_entering_area": N,
                              "alert_driver_when_leaving_area": N,
                              "alert_platform_when_leaving_area": N},
    "Line Turning Point Item Information Table": {
        "turning_point_id": N, "road_section_id": N, "turning_point_latitude": F,
        "turning_point_longitude": F, "road_section_width": N, "attributes": D,
        "driving_too_long_time_limit": N, "insufficient_travel_time_limit": N,
        "speed_limit": N, "over_speed_time": N, "night_speed_limit": N},
    "Line Segment Attribute Table": {"driving_time_limit_enable": N, "speed_limit_enable": N,
                                     "latitude_direction": N, "longitude_direction": N},
}
#: where the reference's §4 types are wrong (key -> (its type, ours, why))
REFERENCE_TYPE_SLIPS = {
    (0x8300, "message"): ("int", "str", "the text of a text message"),
}

WHEN = dt.datetime(2022, 6, 1, 8, 0, 0)


def _platform_messages(version: Version) -> list[c.Message]:
    """One message per §4 row that ``version`` has, with every optional part present."""
    circle = c.CircleArea(1, 0b11, 31.824845, 117.24091, 100, WHEN, WHEN, 60, 10, 40, "A1")
    rectangle = c.RectangleArea(2, 0b11 | 1 << 6, 31.9, 117.1, 31.8, 117.3, WHEN, WHEN,
                                80, 5, 50, "R1")
    polygon = c.SetPolygonArea(3, 0b11, (c.Point(31.0, 117.0), c.Point(31.1, 117.2),
                                         c.Point(31.2, 117.0)), WHEN, WHEN, 70, 5, 40, "P1")
    route = c.SetRoute(4, 0b1, (c.RoutePoint(1, 1, 31.0, 117.0, 20, 0b11, 600, 60, 90, 5, 60),),
                       WHEN, WHEN, "L1")
    control = (c.VehicleControl2019((c.VehicleControlItem(1, 1),))
               if version is Version.V2019 else c.VehicleControl(1))
    messages = [
        c.SetTerminalParams((c.TerminalParam(0x0001, 60),)), c.QueryTerminalParams(),
        c.TerminalControl.connect_server(conn_ctrl=0, auth_code="A1", addr="10.0.0.1",
                                         tcp_port=7611, udp_port=7612, conn_timeout=5),
        c.QuerySpecificTerminalParams((0x0001, 0x0013)), c.QueryTerminalProperties(),
        c.UpgradePackage(0, "quect", "1.0.1", b"firmware"), c.LocationQuery(),
        c.TemporaryTracking(30, 3600), c.ManualAlarmConfirm(7, 0x10100009),
        c.TextMessage(0x0D, "Hello JT808", 1),
        c.EventSetting(1, (c.EventItem(3, "rain"),)),
        c.QuestionIssue(0x09, "Q?1", (c.AnswerItem(1, "yes"), c.AnswerItem(2, "no"))),
        c.InfoMenuSetting(1, (c.InfoItem(5, "news"),)), c.InfoService(5, "today"),
        c.CallBack(0, "13800138000"), c.PhoneBookSetting(1, (c.Contact(3, "110", "police"),)),
        control, c.SetCircleArea(0, (circle,)), c.DeleteCircleArea((1,)),
        c.SetRectangleArea(1, (rectangle,)), c.DeleteRectangleArea(()), polygon,
        c.DeletePolygonArea((3,)), route, c.DeleteRoute((4,)), c.QueryAreaRoute(1, ()),
        c.RecorderDataCollect(33, b""), c.RecorderParamsDownload(0x82, b"\x01\x02"),
        c.DriverIdentityRequest(), c.CameraShootCommand(1, 1, 0, 1, 1, 5, 128, 64, 64, 128),
        c.StoredMediaSearch(0, 1, 0, WHEN, WHEN), c.StoredMediaUpload(0, 1, 0, WHEN, WHEN, 1),
        c.RecordingCommand(1, 10, 0, 0), c.SingleStoredMediaUpload(12, 0),
        c.DownlinkPassThrough(0xF0, b"123"),
    ]
    return [m for m in messages if c.message_class(m.msg_id, version) is not None]


def _assert_sub_tables(msg_id: int, data: dict) -> None:
    """The nested dicts and list items by the §4 sub-tables."""
    def check(value: dict, title: str) -> None:
        table = SUB_TABLES[title]
        assert set(value) == set(table), (hex(msg_id), title, value)
        for key, kind in table.items():
            assert type(value[key]) is kind, (hex(msg_id), title, key, value[key])
    if msg_id in (0x8600, 0x8602):
        title = ("Circular" if msg_id == 0x8600 else "Rectangular") + " Area Attribute Table"
        for area in data["area_data"]:
            check(area, title)
            check(area["attributes"], "Regional Attribute Table")
    elif msg_id == 0x8604:
        check(data["area_data"], "Polygon Area Attribute Table")
        check(data["area_data"]["attributes"], "Regional Attribute Table")
        assert all(set(p) == {"latitude", "longitude"}
                   for p in data["area_data"]["point_location"])
    elif msg_id == 0x8606:
        check(data["area_data"], "Route Information Attribute Table")
        check(data["area_data"]["attributes"], "Route Attribute Table")
        for point in data["area_data"]["turning_points"]:
            check(point, "Line Turning Point Item Information Table")
            check(point["attributes"], "Line Segment Attribute Table")
    items = {0x8301: ("events", {"id", "data"}), 0x8302: ("answers", {"id", "data"}),
             0x8303: ("infos", {"type", "name"}), 0x8500: ("data", {"id", "param"}),
             0x8401: ("phonebook", {"call_type", "phone", "concat_user"})}
    if msg_id in items:
        key, names = items[msg_id]
        assert data[key] and all(set(item) == names for item in data[key]), data
    if msg_id == 0x8302:
        assert set(data["flag"]) == {"emergency", "terminal_tts_broadcast_and_read",
                                     "advertising_screen_display"}


@pytest.mark.parametrize("version", VERSIONS)
def test_callback_data_is_the_section_4_table(platform, version):
    got: list[dict] = []
    jt = JTT808(ip="127.0.0.1", port=platform.address("tcp")[1], timeout=5, retry_count=1,
                version=version, client_id=CLIENT_ID)
    assert jt.set_callback(got.append) is True
    assert jt.connect() is True
    try:
        assert jt.authentication(AUTH_CODE, IMEI, "v1.0.0")["result_code"] == 0
        messages = _platform_messages(Version(int(version)))
        for message in messages:
            platform.portal.call(platform.send, CLIENT_ID, message)
        wanted = {m.msg_id for m in messages}
        with contextlib.suppress(AssertionError):
            _wait(lambda: wanted <= {a["header"]["message_id"] for a in got})
        assert wanted - {a["header"]["message_id"] for a in got} == set()
    finally:
        jt.disconnect()
    assert len(wanted) == {"2011": 32, "2013": 34, "2019": 31}[version]
    by_id = {a["header"]["message_id"]: a for a in got}
    for msg_id in sorted(wanted):
        title, table = SECTION_4[msg_id]
        data = by_id[msg_id]["data"]
        assert set(data) == set(table), (hex(msg_id), title, data)
        for key, kind in table.items():
            assert type(data[key]) is kind, (hex(msg_id), title, key, data[key])
        _assert_sub_tables(msg_id, data)
    assert by_id[0x8600]["data"]["area_data"][0]["start_time"] == "220601080000"
    assert by_id[0x8105]["data"]["cmd_params"]["tcp_port"] == "7611"
    header = by_id[0x8300]["header"]
    assert set(header) == {"message_id", "properties", "protocol_version", "client_id",
                           "serial_no", "package_total", "package_no"}
    assert all(type(header[k]) is (S if k == "client_id" else N) for k in header)


#: messages the session answers itself (0x0001) and hands on as MessageAnswered:
#: 0x8204 (link check) and 0x8A00 (kept as the platform key)
SESSION_ANSWERED = {0x8204: c.LinkCheck(), 0x8A00: c.PlatformRsaKey(65537, bytes(range(1, 129)))}


@pytest.mark.parametrize("msg_id", sorted(SESSION_ANSWERED))
def test_callback_gets_what_the_session_answers(msg_id):
    """§4 lists 0x8204 (no data) and 0x8A00 (e int, n str) among the messages the
    callback receives."""
    key = RsaKeyPair()
    with start_blocking_portal("asyncio") as portal:
        with portal.wrap_async_context_manager(_platform(key)) as platform:
            got: list[dict] = []
            jt = JTT808(ip="127.0.0.1", port=platform.address("tcp")[1], timeout=5,
                        retry_count=1, version="2019", client_id=CLIENT_ID)
            jt.set_callback(got.append)
            jt.connect()
            try:
                jt.authentication(AUTH_CODE, IMEI, "v1.0.0")
                portal.call(platform.request, CLIENT_ID, SESSION_ANSWERED[msg_id])
                with contextlib.suppress(AssertionError):
                    _wait(lambda: any(a["header"]["message_id"] == msg_id for a in got), 3)
            finally:
                jt.disconnect()
    [args] = [a for a in got if a["header"]["message_id"] == msg_id]
    expected = {0x8204: {}, 0x8A00: {"e": 65537, "n": bytes(range(1, 129)).hex().upper()}}
    assert args["data"] == expected[msg_id]


def test_the_table_is_the_reference_text():
    """SECTION_4 and SUB_TABLES say what the reference's §4 tables say (names and types,
    bar the slips listed in REFERENCE_TYPE_SLIPS)."""
    text = reference_text()
    section = text[text.index("4. The Server Sends Message Data"):]
    for msg_id, (title, table) in SECTION_4.items():
        heading = f"Message ID: 0x{msg_id:04X} -- {title}\n"
        assert heading in section, heading
        block = section[section.index(heading):]
        block = block[:block.index("Answer message:")]
        documented = _rows(block[block.index("Message body data:"):], "KEY VALUE Type")
        ours = {k: kind.__name__ for k, kind in table.items()}
        for (slip_id, key), (theirs, mine, _why) in REFERENCE_TYPE_SLIPS.items():
            if slip_id == msg_id:
                assert documented[key] == theirs and ours[key] == mine
                documented[key] = mine
        assert documented == ours, (hex(msg_id), title)
    for title, table in SUB_TABLES.items():
        documented = _rows(section[section.index(f"\n{title}:\n"):], "Attributes Type")
        assert documented == {k: kind.__name__ for k, kind in table.items()}, title


_ROW = re.compile(r"^(\w+) (int|str|list|dict|bytes|float|bool) ")


def _rows(block: str, header: str) -> dict[str, str]:
    """The ``name type`` rows of the first table under ``header`` in ``block``."""
    lines = block.splitlines()
    if "No data." in lines[:3]:
        return {}
    start = next(i for i, line in enumerate(lines) if line.startswith(header))
    rows: dict[str, str] = {}
    for line in lines[start + 1:]:
        match = _ROW.match(line)
        if match:
            rows[match[1]] = match[2]
        elif line.endswith(":") and not line[0].isdigit() and rows:
            break                                    # the next table's title
    return rows


def _wait(predicate, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while not (result := predicate()):
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.01)
    return result

