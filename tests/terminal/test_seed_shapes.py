"""The seed-shape conversions of ``jt808.terminal._seed_shapes``, without a loop.

Vectors: ``tests/vectors/seed_impl.jsonl`` records ``decode_*`` (the seed's own callback
for a platform frame; copied from ``../shared/vectors``, see ``tests/vectors/README.md``)
and hand-made bodies citing the standard's tables (JT/T 808-2013 / 2019).
"""
from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path

import pytest

from jt808.codec import (AnswerItem, CallBack, CircleArea, Contact, DeleteRoute, EventItem,
                         EventSetting, InfoItem, InfoMenuSetting, InfoService,
                         ManualAlarmConfirm, PhoneBookSetting, Point, QuestionIssue,
                         RoutePoint, SetCircleArea, SetPolygonArea, SetRoute, TerminalRegister,
                         TextMessage, decode_body, encode_body)
from jt808.errors import LocalProtocolError
from jt808.frame import Header, Version, unpack
from jt808.terminal._seed_shapes import (area_items_from_seed, callback_args, callback_data,
                                         can_bytes, data_bytes, fit_widths, header_dict,
                                         seed_time)

SEED_IMPL = Path(__file__).resolve().parents[1] / "vectors" / "seed_impl.jsonl"
V2011, V2013, V2019 = Version.V2011, Version.V2013, Version.V2019

#: record -> (why we differ, our data or header patch). The seed is wrong (its defect
#: tag from seed-api.md) or the reference's §3/§4 type wins over the seed's output.
DIFFERENCES = {
    "decode_8103_one_string_0x0013_2019": ("B11: the seed cuts the string at ':'",
                                           {"data": {"params": [[19, "127.0.0.1:7611"]]}}),
    "decode_8103_one_string_0x0013_2013": ("B11", {"data": {"params": [[19, "127.0.0.1:7611"]]}}),
    "decode_8900_passthrough_2019": ("B13: the seed hexes the hex", {"data": {
        "data_type": 240, "data": "313233"}}),
    "decode_8900_passthrough_2013": ("B13", {"data": {"data_type": 240, "data": "313233"}}),
    "decode_8A00_rsa_2019": ("§4 0x8A00 types n as str (hex), the seed gives an int", None),
    "decode_8A00_rsa_2013": ("§4 0x8A00 types n as str", None),
}
#: §3 set_callback types header protocol_version as int; the seed gives "" before 2019
HEADER_INT_VERSION = {"protocol_version": 0}


def _seed_callback_records() -> list[dict]:
    records = []
    for line in SEED_IMPL.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        result = record.get("result")
        if (record["case"].startswith("decode_") and record.get("mode") == "cpy"
                and isinstance(result, dict) and result.get("callback")):
            records.append(record)
    return records


def _jsonish(value):
    return json.loads(json.dumps(value, default=lambda o: o.hex()))


@pytest.mark.parametrize("record", _seed_callback_records(), ids=lambda r: r["case"])
def test_callback_matches_the_seed_record(record):
    """Each seed_impl.jsonl ``decode_*`` frame, decoded by our codec, gives the seed's own
    callback dict (keys, values, types) except where the seed is wrong."""
    version = Version(int(record["version"]))
    frame = unpack(bytes.fromhex(record["frame"]))
    header = frame.header._replace(version=version)
    message = decode_body(header.msg_id, frame.body, version)
    got = _jsonish(callback_args(message, header))
    expected = record["result"]["callback"]
    if version is not V2019:
        expected = {**expected, "header": {**expected["header"], **HEADER_INT_VERSION}}
    why, patch = DIFFERENCES.get(record["case"], (None, None))
    if why is not None and patch is None:                      # 0x8A00: n as hex str
        assert got["data"]["n"] == f"{expected['data']['n']:0256X}"
        assert got["data"]["e"] == expected["data"]["e"]
        return
    assert got == {**expected, **(patch or {})}


def test_2019_frame_of_a_deleted_message_is_read_with_its_2013_layout():
    """seed_impl decode_8302_question_2019: 0x8302 is gone from 2019, a platform that still
    sends it is understood (receive tolerantly), not handed over as raw bytes."""
    frame = unpack(bytes.fromhex("7E83024010010000000001888888888801020903513F31010003"
                                 "7965730200026E6F637E"))
    message = decode_body(0x8302, frame.body, V2019)
    assert callback_data(message, V2019) == {
        "flag": {"emergency": 1, "terminal_tts_broadcast_and_read": 1,
                 "advertising_screen_display": 0},
        "question_info": "Q?1", "answers": [{"id": 1, "data": "yes"}, {"id": 2, "data": "no"}]}


def test_header_properties_are_the_encoded_word():
    header = Header(0x8300, "18888888888", 7, V2019, encryption=1, packet=(3, 2))
    assert header_dict(header, 13) == {
        "message_id": 0x8300, "properties": 13 | 1 << 10 | 1 << 13 | 1 << 14,
        "protocol_version": 1, "client_id": "00000000018888888888", "serial_no": 7,
        "package_total": 3, "package_no": 2}


# -- §4 shapes the seed records do not cover ------------------------------------------

def test_text_flags_2019_and_2013():
    """2019 table 38 flag bits 0-1 type, 2 display, 3 TTS, 5 CAN fault; text type BYTE."""
    message = TextMessage(0b100110, "hi", 2)
    assert callback_data(message, V2019) == {
        "flag_type": 2, "terminal_display": 1, "terminal_tts_broadcast_and_read": 0,
        "flag_msg_type": 1, "msg_type": 2, "message": "hi"}
    assert callback_data(message, V2013)["msg_type"] == 0          # no text type in 2013


def test_list_items_use_the_reference_keys():
    assert callback_data(EventSetting(1, (EventItem(3, "rain"),)), V2013) == {
        "set_type": 1, "events": [{"id": 3, "data": "rain"}]}
    assert callback_data(InfoMenuSetting(2, (InfoItem(5, "news"),)), V2013) == {
        "set_type": 2, "infos": [{"type": 5, "name": "news"}]}
    assert callback_data(InfoService(5, "today"), V2013) == {"info_type": 5,
                                                             "info_data": "today"}
    assert callback_data(CallBack(1, "13800138000"), V2019) == {
        "flag": 1, "phone_number": "13800138000"}
    assert callback_data(PhoneBookSetting(2, (Contact(3, "110", "police"),)), V2019) == {
        "set_type": 2, "phonebook": [{"call_type": 3, "phone": "110", "concat_user": "police"}]}
    assert callback_data(QuestionIssue(0x10, "Q", (AnswerItem(1, "a"),)), V2013)["flag"] == {
        "emergency": 0, "terminal_tts_broadcast_and_read": 0, "advertising_screen_display": 1}


def test_manual_alarm_confirm_bits():
    """2013 table 31 / 2019 table 36: bits 0, 3, 20, 21, 22, 27, 28."""
    data = callback_data(ManualAlarmConfirm(9, 1 << 21 | 1 << 22 | 1 << 27), V2019)
    assert data == {"alarm_msg_serial_no": 9, "emergency_alarm": 0, "hazard_alarm": 0,
                    "in_out_area_alarm": 0, "in_out_road_alarm": 1,
                    "insufficient_or_too_long_travel_time_on_the_road_alarm": 1,
                    "vehicle_illegal_ignition_alarm": 1, "vehicle_illegal_displacement_alarm": 0}


def test_circle_times_and_source_body_feed_the_0608_answer():
    when = dt.datetime(2022, 6, 1, 8, 30, 0)
    area = CircleArea(7, 0b11, 31.5, 117.25, 500, when, when, 80, 10, 60, "depot")
    message = SetCircleArea(1, (area,))
    data = callback_data(message, V2019)
    item = data["area_data"][0]
    assert (item["start_time"], item["speed_limit"], item["night_speed_limit"]) == (
        "220601083000", 80, 60)
    assert data["source_body"] == encode_body(message, V2019).hex()
    [again] = area_items_from_seed(1, [data["source_body"]], V2019)
    assert again == message


def test_polygon_and_route_are_dicts_not_lists():
    polygon = SetPolygonArea(4, 0, (Point(31.0, 117.0), Point(31.1, 117.1)))
    data = callback_data(polygon, V2019)
    assert set(data) == {"area_data", "source_body"}
    assert data["area_data"]["point_location"][1] == {"latitude": 31.1, "longitude": 117.1}
    assert data["area_data"]["start_time"] == "" and data["area_data"]["speed_limit"] == 0
    route = SetRoute(9, 0b1, (RoutePoint(1, 2, 31.0, 117.0, 30, 0b1110, None, None, 90, 5),),
                     dt.datetime(2022, 1, 2, 3, 4, 5), dt.datetime(2022, 1, 3, 3, 4, 5))
    data = callback_data(route, V2019)["area_data"]
    point = data["turning_points"][0]
    assert data["start_time"] == "220102030405" and data["attributes"]["time_limit_enable"] == 1
    assert point["attributes"] == {"driving_time_limit_enable": 0, "speed_limit_enable": 1,
                                   "latitude_direction": 1, "longitude_direction": 1}
    assert (point["driving_too_long_time_limit"], point["speed_limit"]) == (-1, 90)
    assert callback_data(DeleteRoute(()), V2019) == {"all": 1, "route_ids": []}
    assert callback_data(DeleteRoute((3, 4)), V2019) == {"all": 0, "route_ids": [3, 4]}


# -- arguments in --------------------------------------------------------------------

REFERENCE_REGISTER = TerminalRegister(34, 100, "quectel", "EC200U-CNAA", "869523052033462",
                                      1, "皖A88888")


@pytest.mark.parametrize(("version", "fields"), [
    (V2011, ("quect", "EC200U-C", "8695230")),
    (V2013, ("quect", "EC200U-CNAA", "8695230")),
    (V2019, ("quectel", "EC200U-CNAA", "869523052033462")),
])
def test_register_is_cut_to_the_version_widths(version, fields):
    """§3 register example; widths 2011 5/8/7, 2013 5/20/7, 2019 11/30/30 (the seed keeps
    the first bytes, seed_impl wire_register_2011)."""
    info, cuts = fit_widths(REFERENCE_REGISTER, version)
    assert (info.manufacturer_id, info.terminal_model, info.terminal_id) == fields
    assert len(cuts) == sum(a != b for a, b in zip(fields, ("quectel", "EC200U-CNAA",
                                                            "869523052033462")))
    assert all("cut to" in line for line in cuts)
    encode_body(info, version)


def test_register_cut_names_the_field_and_other_errors_propagate():
    _, cuts = fit_widths(REFERENCE_REGISTER, V2013)
    assert cuts[0].startswith("manufacturer_id 'quectel' cut to 'quect'")
    bad = TerminalRegister(70000, 100, "q", "m", "t", 1, "A")
    with pytest.raises(LocalProtocolError, match="province_id"):
        fit_widths(bad, V2013)


@pytest.mark.parametrize(("query_type", "data", "field"), [
    (5, 1, "query_type"),                          # the reference's own example
    (1, 1, "data"), (1, "00ff", "data"), (1, ["zz"], "data"), (1, [3.5], "data"),
    (1, ["00"], "data"),                           # hex, but not a 0x8600 body
])
def test_area_items_reject_what_is_not_a_source_body(query_type, data, field):
    with pytest.raises(LocalProtocolError) as info:
        area_items_from_seed(query_type, data, V2019)
    assert info.value.field == field


def test_area_items_accept_hex_bytes_and_messages():
    message = SetCircleArea(0, (CircleArea(1, 0, 31.0, 117.0, 100),))
    body = encode_body(message, V2019)
    assert area_items_from_seed(1, [body.hex(), body.hex().upper(), body, message],
                                V2019) == (message,) * 4


def test_small_argument_conversions():
    assert seed_time("220627101130") == dt.datetime(2022, 6, 27, 10, 11, 30)
    with pytest.raises(LocalProtocolError, match="YYMMDDhhmmss"):
        seed_time("2022-06-27")
    assert data_bytes("123456", "data") == b"123456"
    assert data_bytes(bytearray(b"\x1f\x8b"), "data") == b"\x1f\x8b"
    with pytest.raises(LocalProtocolError, match="data"):
        data_bytes(12, "data")
    assert can_bytes("123") == b"123\x00\x00\x00\x00\x00"
    with pytest.raises(LocalProtocolError, match="can_data"):
        can_bytes(b"123456789")


def test_callback_args_for_a_message_2019_deleted_with_unreadable_bytes_stay_raw(caplog):
    caplog.set_level(logging.DEBUG)
    header = Header(0x8304, "1", 1, V2019)
    message = decode_body(0x8304, b"\x05", V2019)          # too short even for 2013
    assert callback_args(message, header)["data"] == {"data": b"\x05"}
