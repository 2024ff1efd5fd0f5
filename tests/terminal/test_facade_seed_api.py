"""The seed's sync API (JTT808) against the test platform running in its own thread."""
from __future__ import annotations

import contextlib
import gc
import gzip
import logging
import threading
import time
import weakref

import anyio
import pytest
from anyio.from_thread import start_blocking_portal

from jt808.codec import (PlatformGeneralResponse, SetTerminalParams, TerminalParam,
                         TextMessage)
from jt808.errors import LocalProtocolError
from jt808.platform import Platform
from jt808.terminal import (JTT808, LicensePlateColor, LocAdditionalInfoConfig,
                            LocAlarmWarningConfig, LocStatusConfig, TerminalParams)

from terminal_platform import AUTH_CODE, TestPlatform


@contextlib.asynccontextmanager
async def _platform_context(version=None):
    async with anyio.create_task_group() as tg:
        platform = TestPlatform(tg, version)
        url = await platform.start()
        yield platform, url
        await platform.aclose()
        tg.cancel_scope.cancel()


@pytest.fixture
def platform():
    with start_blocking_portal("asyncio") as portal:
        with portal.wrap_async_context_manager(_platform_context()) as (plat, url):
            plat.portal = portal
            plat.url = url
            yield plat


def _client(platform, **options) -> JTT808:
    host, port = platform.url.removeprefix("tcp://").split(":")
    return JTT808(ip=host, port=int(port), method="TCP", timeout=1, retry_count=0,
                  version="2013", client_id="18888888888", **options)


def _location_args():
    status, alarm, extras = LocStatusConfig(), LocAlarmWarningConfig(), LocAdditionalInfoConfig()
    status.set_config("acc_onoff", 1)
    extras.set_mileage(100)
    return (alarm.value()[0], status.value(), 31.824845, 117.240910, 120, 0, 0,
            "220627101130", extras.value())


async def _peer_key(platform):
    return platform.link.session.peer_key.public_numbers().n


def _wait(predicate, timeout=5.0):
    deadline = time.monotonic() + timeout
    while not (result := predicate()):
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.01)
    return result


def test_register_auth_report_heartbeat_logout_shapes(platform):
    jt = _client(platform)
    assert jt.status() == 2
    assert jt.connect() is True and jt.status() == 0
    try:
        reg = jt.register("34", "0100", "quec", "EC200U-CNAA", "T1", LicensePlateColor.blue,
                          "A88888")
        assert reg == {"serial_no": 0, "registration_result": 0, "auth_code": AUTH_CODE}
        auth = jt.authentication(reg["auth_code"], "867584030123454", "v1.0.0")
        assert auth == {"serial_no": 1, "message_id": 0x0102, "result_code": 0}
        loc = jt.loction_report(None, None, *_location_args())
        assert loc == {"serial_no": 2, "message_id": 0x0200, "result_code": 0}
        [sent] = platform.of(0x0200)
        assert sent.status & 1 and sent.latitude == 31.824845 and sent.extras[0].km == 100
        answer = jt.loction_report(0x8201, 9, *_location_args())
        assert answer == {"serial_no": 3, "message_id": 0x0201, "result_code": 0}
        assert jt.heart_beat() is True
        bulk = jt.location_bulk_report(1, [_location_args()] * 3)
        assert bulk["message_id"] == 0x0704 and bulk["result_code"] == 0
        assert len(platform.of(0x0704)[0].items) == 3
        assert jt.logout() is True
    finally:
        assert jt.disconnect() is True
    assert jt.status() == 2


def test_timeout_returns_documented_shape_not_empty(platform):
    jt = _client(platform)
    jt.connect()
    try:
        jt.authentication(AUTH_CODE, "1", "1")
        platform.drop_reports = True
        result = jt.loction_report(None, None, *_location_args())
        assert result == {"serial_no": 1, "message_id": 0x0200, "result_code": -1}
    finally:
        jt.disconnect()


def test_refused_code_and_not_connected(platform):
    jt = _client(platform)
    assert jt.heart_beat() is False                      # never connected: no exception
    jt.connect()
    try:
        auth = jt.authentication("WRONG", "1", "1")
        assert auth["result_code"] == 1
        # not authenticated: our session refuses to send, which is the caller's mistake,
        # not a timeout (issue 12): LocalProtocolError naming the message
        with pytest.raises(LocalProtocolError, match="0x0200"):
            jt.loction_report(None, None, *_location_args())
        assert jt.heart_beat() is True                   # allowed before authentication
    finally:
        jt.disconnect()


def test_connect_refused_gives_false_and_error_status():
    jt = JTT808(ip="127.0.0.1", port=9, client_id="18888888888")
    assert jt.connect() is False
    assert jt.status() == -1
    jt.disconnect()


def test_callback_gets_platform_commands_and_answers_them(platform):
    jt = _client(platform)
    got = []
    ids = TerminalParams()
    ids.set_params(0x0029, 30)

    def callback(args):
        got.append(args)
        if args["header"]["message_id"] == 0x8103:
            jt.general_answer(args["header"]["serial_no"], 0x8103, 0)

    assert jt.set_callback(callback) is True
    jt.connect()
    try:
        jt.authentication(AUTH_CODE, "1", "1")
        link = platform.portal.call(platform.wait_link)
        reply = platform.portal.call(link.request, SetTerminalParams((TerminalParam(0x0029, 5),)))
        assert reply.result == 0
        _wait(lambda: any(a["header"]["message_id"] == 0x8103 for a in got))
        [args] = [a for a in got if a["header"]["message_id"] == 0x8103]
        assert args["data"] == {"params": [(0x0029, 5)]}
        header = args["header"]
        assert header["client_id"] == "018888888888" and header["package_total"] == 0
        assert header["properties"] & 0x3FF == 10       # count, id, length, DWORD
        # replies to our requests reach the callback too (0x8001 to the 0x0102)
        assert any(a["header"]["message_id"] == 0x8001 for a in got)
    finally:
        jt.disconnect()


def test_media_event_and_split_data_upload(platform):
    jt = _client(platform)
    jt.connect()
    try:
        jt.authentication(AUTH_CODE, "1", "1")
        assert jt.media_event_upload(14, 0, 0, 4, 1)["result_code"] == 0
        data = bytes(range(256)) * 10
        up = jt.media_data_upload(14, 0, 0, 4, 1, data, _location_args()[:8])
        assert up["message_id"] == 0x0801 and up["result_code"] == 0
        [upload] = platform.of(0x0801)
        assert upload.media_data == data and upload.location.longitude == 117.24091
    finally:
        jt.disconnect()


def test_params_and_properties_report(platform):
    jt = _client(platform)
    jt.connect()
    try:
        jt.authentication(AUTH_CODE, "1", "1")
        params = TerminalParams()
        params.set_params(0x0013, "127.0.0.1:7611")
        params.set_params(0x0001, 60)
        hexes = {k: v["hex"] for k, v in params.get_params().items()}
        assert jt.params_report(3, hexes)["message_id"] == 0x0104
        assert jt.properties_report(1, 0, 1, 0, 0, 0, 0, "quec", "EC200U", "EC200UC",
                                    "89860012345678901238", "1.0", "2.0",
                                    1, 1, 0, 0, 1, 0, 0, 0, 0, 1, 0)["result_code"] == 0
        _wait(lambda: platform.of(0x0104) and platform.of(0x0107))
        [report] = platform.of(0x0104)
        assert {p.param_id: p.value for p in report.params} == {0x0013: "127.0.0.1:7611",
                                                                0x0001: 60}
        [props] = platform.of(0x0107)
        assert props.terminal_type == 0b101 and props.gnss_properties == 0b11
        assert props.comm_properties == 0b100001
    finally:
        jt.disconnect()


def test_set_encryption_accepts_both_argument_orders():
    jt = JTT808(ip="127.0.0.1", port=9, client_id="1")
    n_hex = "E5A55035C17123BFAB98733E9A619152CEAA13214261BA971EE3563CCF9790FA"
    assert jt.set_encryption(True, 0x010001, n_hex) is True
    assert jt.set_encryption(True, n_hex, 0x010001) is True     # the reference's example
    assert jt.terminal.session.encrypt is True
    fresh = JTT808(ip="127.0.0.1", port=9, client_id="1")
    assert fresh.set_encryption(True) is False                   # no key: cannot encrypt


def test_other_reports_reach_the_platform(platform):
    jt = _client(platform)
    jt.connect()
    try:
        jt.authentication(AUTH_CODE, "1", "1")
        assert jt.query_server_time() == {"utc_time": "2022-06-24 08:12:34"}
        results = {
            0x0108: jt.upgrade_result_report(0, 0),
            0x0301: jt.event_report(3),
            0x0302: jt.issue_question_response(17, 2),
            0x0303: jt.information_demand_cancellation(5, 1),
            0x0700: jt.driving_record_data_upload(17, 33, b"\x01\x02"),
            0x0701: jt.electronic_waybill_report(b"waybill"),
            0x0702: jt.driver_identity_information_report(
                1, "220627101130", 0, "jack", "88888", "agency", "20220701",
                "342426194910010001"),
            0x0705: jt.can_bus_data_upload("1011120250", [(0, 0, 0, 0x123, "123")] * 3),
            0x0802: jt.stored_media_data_retrieval_response(
                9, [(1, 0, 2, 0, _location_args()[:8])] * 2),
            0x0900: jt.data_uplink_transparent_transmission(0xF0, b"abc"),
            0x0901: jt.data_compression_report(gzip.compress(b"x" * 500)),
            0x0A00: jt.terminal_rsa_public_key(65537, "E5A55035C17123BF" * 16),
        }
        for msg_id, result in results.items():
            assert result["message_id"] == msg_id and result["result_code"] == 0, hex(msg_id)
            assert result["serial_no"] >= 1
        # (0x0A00 is taken by the platform session itself, acknowledged, not surfaced)
        _wait(lambda: all(platform.of(i) for i in results if i != 0x0A00))
        assert platform.portal.call(_peer_key, platform) == int("E5A55035C17123BF" * 16, 16)
        assert platform.of(0x0901)[0].decompressed() == b"x" * 500
        [can] = platform.of(0x0705)
        assert len(can.items) == 3 and can.items[0].can_id == 0x123
        assert can.receive_time.microsecond == 250_000
        assert platform.of(0x0702)[0].driver_name == "jack"
        assert len(platform.of(0x0802)[0].medias) == 2
    finally:
        jt.disconnect()


# -- issue 12: against the reference Platform -------------------------------------------

@contextlib.asynccontextmanager
async def _reference_platform(**options):
    async with Platform(auth_codes={"18888888888": AUTH_CODE}, **options) as plat:
        await plat.serve("tcp://127.0.0.1:0")
        yield plat


@contextlib.contextmanager
def reference_platform(**options):
    with start_blocking_portal("asyncio") as portal:
        with portal.wrap_async_context_manager(_reference_platform(**options)) as plat:
            plat.portal = portal
            yield plat


def _seed_client(plat, version="2013", **options) -> JTT808:
    return JTT808(ip="127.0.0.1", port=plat.address("tcp")[1], timeout=options.pop("timeout", 5),
                  retry_count=options.pop("retry_count", 0), version=version,
                  client_id="18888888888", **options)


def _callback_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "jt808-callback"]


def test_disconnect_ends_the_callback_thread_and_the_object_is_collected():
    """Issue 12: three connect/disconnect cycles left three callback threads and the
    object was never collected."""
    before = len(_callback_threads())
    with reference_platform() as plat:
        jt = _seed_client(plat)
        assert jt.set_callback(lambda args: None) is True
        for _ in range(3):
            assert jt.connect() is True
            assert len(_callback_threads()) == before + 1
            assert jt.disconnect() is True
            assert len(_callback_threads()) == before
        ref = weakref.ref(jt)
        del jt
        gc.collect()
        assert ref() is None


def test_callback_queue_is_bounded_and_drops_are_counted(caplog):
    """Issue 18: a slow callback let 19,835 messages wait (+37 MiB). The queue holds
    ``callback_queue`` messages; the rest are dropped, counted and logged."""
    release = threading.Event()
    seen: list[dict] = []

    def slow(args):
        release.wait(10)
        seen.append(args)

    with reference_platform() as plat:
        jt = _seed_client(plat, callback_queue=3)
        jt.connect()
        try:
            assert jt.authentication(AUTH_CODE, "1", "1")["result_code"] == 0
            jt.set_callback(slow)
            for n in range(10):
                plat.portal.call(plat.send, "18888888888", TextMessage(1, f"m{n}"))
            _wait(lambda: jt.callback_drops >= 6)
            release.set()
            _wait(lambda: len(seen) + jt.callback_drops == 10)
        finally:
            release.set()
            jt.disconnect()
    assert jt.callback_drops in (6, 7)
    assert [a["data"]["message"] for a in seen][0] == "m0"
    assert any("callback queue full" in r.message and r.levelno == logging.WARNING
               for r in caplog.records)


def test_retransmissions_are_logged_and_the_give_up_warned(caplog):
    """Issue 12: a call can wait timeout x retries (990 s with the seed defaults); each
    retransmission is logged at INFO, the give-up at WARNING."""
    caplog.set_level(logging.INFO, logger="jt808.terminal")
    with reference_platform(drop_reports=2) as plat:
        jt = _seed_client(plat, timeout=1, retry_count=1)
        jt.connect()
        try:
            jt.authentication(AUTH_CODE, "1", "1")
            result = jt.loction_report(None, None, *_location_args())
        finally:
            jt.disconnect()
    assert result["result_code"] == -1 and result["serial_no"] >= 1
    retransmitted = [r for r in caplog.records if "retransmission 1 of 1" in r.message]
    assert [r.levelno for r in retransmitted] == [logging.INFO]
    assert any(r.levelno == logging.WARNING and "0x0200: giving up" in r.message
               for r in caplog.records)


def test_media_upload_answered_by_a_general_response_returns_its_result():
    """Issue 11: a platform answering 0x0801 with 0x8001 (result 3, not supported) made
    media_data_upload raise AttributeError; it returns the seed's dict with that result."""
    with reference_platform(session_options={"auto_media_reply": False}) as plat:
        jt = _seed_client(plat)
        jt.connect()
        try:
            jt.authentication(AUTH_CODE, "1", "1")

            def refuse() -> None:
                record = _wait(lambda: plat.terminals.get("18888888888")
                               and plat.terminals["18888888888"].messages(0x0801)
                               and plat.terminals["18888888888"])
                [header] = [h for h, _ in record.received if h.msg_id == 0x0801]
                plat.portal.call(plat.send, "18888888888",
                                 PlatformGeneralResponse(header.serial, 0x0801, 3))

            refuser = threading.Thread(target=refuse)
            refuser.start()
            result = jt.media_data_upload(1, 0, 0, 0, 1, b"\xff\xd8jpeg\xff\xd9",
                                          _location_args()[:8])
            refuser.join()
        finally:
            jt.disconnect()
    assert result == {"serial_no": 1, "message_id": 0x0801, "result_code": 3}


def test_register_cuts_wide_strings_with_a_warning(caplog):
    """The reference's register example in 2013: "quectel" (5 bytes there) and a 15-digit
    IMEI (7 there) are cut as the seed cuts them, with a WARNING naming each field."""
    with reference_platform() as plat:
        jt = _seed_client(plat, version="2013")
        jt.connect()
        try:
            result = jt.register("34", "0100", "quectel", "EC200U-CNAA", "869523052033462",
                                 LicensePlateColor.blue, "皖A88888")
        finally:
            jt.disconnect()
        registration = plat.terminals["18888888888"].registration
    assert result == {"serial_no": 0, "registration_result": 0, "auth_code": AUTH_CODE}
    assert (registration.manufacturer_id, registration.terminal_id) == ("quect", "8695230")
    warnings = [r.message for r in caplog.records if r.levelno == logging.WARNING]
    assert any("manufacturer_id 'quectel' cut to 'quect'" in w for w in warnings)
    assert any("terminal_id '869523052033462' cut to '8695230'" in w for w in warnings)


def test_local_errors_raise_and_name_the_field(caplog):
    """Issue 12: a caller's mistake never looks like a timeout."""
    with reference_platform() as plat:
        jt = _seed_client(plat, version="2019")
        jt.connect()
        try:
            assert jt.authentication(AUTH_CODE, "1", "1")["result_code"] == 0
            for call in (lambda: jt.event_report(1), lambda: jt.issue_question_response(1, 1),
                         lambda: jt.information_demand_cancellation(5, 1)):
                with pytest.raises(LocalProtocolError, match="deleted in 2019"):
                    call()
            with pytest.raises(LocalProtocolError) as info:
                jt.query_area_route_data_response(5, 1)      # the reference's own example
            assert info.value.field == "query_type"
            with pytest.raises(LocalProtocolError) as info:
                jt.loction_report(None, None, 0, 0, 31.8, 117.2, 120, 0, 0, "22-06-27")
            assert info.value.field == "time"
            # a bool method: the reference documents False as "failure"
            assert jt.general_answer(2, 0x8103, 300) is False
            assert any("general_answer not sent" in r.message for r in caplog.records)
        finally:
            jt.disconnect()
        letters = JTT808(ip="127.0.0.1", port=plat.address("tcp")[1], client_id="1888888888a")
        letters.connect()
        try:
            with pytest.raises(LocalProtocolError, match="phone"):
                letters.register("34", "0100", "quec", "M", "T", 1, "A")
        finally:
            letters.disconnect()
