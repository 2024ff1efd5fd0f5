"""The seed API (``tests/vectors/seed/API_Reference.txt`` §3) end to end: every ``JTT808``
method, called with the reference's example arguments, against the reference
``Platform`` over tcp://127.0.0.1, version 2013, with RSA body encryption on (the
platform holds a real key pair; the terminal encrypts with its public key).

``tests/terminal/test_facade_seed_api.py`` checks most methods' bodies against a small
test platform; here the point is the documented return shapes against the reference
platform through encryption, plus what that file does not call: the reference-order
``set_encryption`` on a live link, ``loction_report`` for 0x8500, ``general_answer``,
``camera_shoots_immediately_response`` and ``query_area_route_data_response``."""
from __future__ import annotations

import contextlib
import datetime as dt
import gzip
import time

import anyio
import pytest
from anyio.from_thread import start_blocking_portal

from jt808.errors import LocalProtocolError
from jt808.platform import Platform
from jt808.session import RsaKeyPair
from jt808.terminal import (JTT808, LicensePlateColor, LocAdditionalInfoConfig,
                            LocAlarmWarningConfig, LocStatusConfig, TerminalParams)

from matrix_support import unmatched_replies

CLIENT_ID = "18888888888"
IMEI = "867584030123454"                         # modem.getDevImei() of the simulator
#: the reference's example key (256 hex digits), used where it sends "a" key (0x0A00)
EXAMPLE_N = ("E5A55035C17123BFAB98733E9A619152CEAA13214261BA971EE3563CCF9790FA221FDD9D582B4E14"
             "ED200173B2D9822E561E99EE54B3A812ACCDDDEAD97DF6DA682583080F7733035BF22C956F6F96ED"
             "8F3E2E8DA1DE80C38B1A18956D719DCA407EC13E0C86E40502553C418180D520E6B9A18E04E3817F"
             "9CD185769233C9CB")
REPORT_KEYS = {"serial_no", "message_id", "result_code"}


@contextlib.asynccontextmanager
async def _platform(key: RsaKeyPair):
    async with Platform(session_options={"rsa_key": key}) as platform:
        await platform.serve("tcp://127.0.0.1:0")
        yield platform


@pytest.fixture
def platform():
    key = RsaKeyPair()
    with start_blocking_portal("asyncio") as portal:
        with portal.wrap_async_context_manager(_platform(key)) as plat:
            plat.portal, plat.key = portal, key
            yield plat


def _wait(predicate, timeout: float = 5.0):
    deadline = time.monotonic() + timeout
    while not (result := predicate()):
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.01)
    return result


def init_loction_data():
    """The reference's ``test_init_loction_data()`` (§3, loction_report example)."""
    status, alarm, extras = LocStatusConfig(), LocAlarmWarningConfig(), LocAdditionalInfoConfig()
    for key in status._loc_cfg_offset.__dict__.keys():
        status.set_config(key, 1)
    extras.set_mileage(100)
    extras.set_oil_quantity(32.5)
    extras.set_speed(0)
    when = "{}{:02d}{:02d}{:02d}{:02d}{:02d}".format(*(time.localtime()[:6]))[2:]
    return (alarm.value()[0], status.value(), 31.824845156501, 117.24091089413, 120, 0, 0,
            when, extras.value())


def _assert_report(result: dict, message_id: int) -> None:
    assert set(result) == REPORT_KEYS, result
    assert result["message_id"] == message_id and result["result_code"] == 0, result
    assert isinstance(result["serial_no"], int) and result["serial_no"] >= 0, result


def test_every_reference_method_2013_tcp_rsa(platform) -> None:
    host, port = platform.address("tcp")
    jtt808_obj = JTT808(ip=host, port=port, domain=None, method="TCP", timeout=2,
                        retry_count=0, version="2013", client_id=CLIENT_ID)
    got: list[dict] = []
    assert jtt808_obj.set_callback(got.append) is True
    public = platform.key.private_key.public_key().public_numbers()
    # the reference example passes (encryption, n as hex, e as int): the swapped order
    assert jtt808_obj.set_encryption(True, f"{public.n:X}", public.e) is True
    assert jtt808_obj.status() == 2
    assert jtt808_obj.connect() is True
    try:
        assert jtt808_obj.status() == 0
        _walk_through(jtt808_obj, platform, got)
    finally:
        assert jtt808_obj.disconnect() is True
    assert jtt808_obj.status() == 2


def _walk_through(jtt808_obj: JTT808, platform, got: list[dict]) -> None:
    record = lambda: platform.terminals.get(CLIENT_ID)       # noqa: E731
    register_res = jtt808_obj.register("34", "0100", "quec", "EC200U-CNAA", "EC200UC",
                                       LicensePlateColor.blue, "皖A88888")
    assert set(register_res) == {"serial_no", "registration_result", "auth_code"}
    assert register_res["registration_result"] == 0 and register_res["auth_code"]
    auth_res = jtt808_obj.authentication(register_res["auth_code"], IMEI, "v1.0.0")
    _assert_report(auth_res, 0x0102)
    # the platform keys a connection by phone once it has authenticated (issue 18)
    unmatched = unmatched_replies(platform, CLIENT_ID)
    assert record().authenticated
    assert jtt808_obj.heart_beat() is True

    loc_data = init_loction_data()
    _assert_report(jtt808_obj.loction_report(None, None, *loc_data), 0x0200)
    _assert_report(jtt808_obj.loction_report(0x8201, 9, *loc_data), 0x0201)
    _assert_report(jtt808_obj.loction_report(0x8500, 11, *loc_data), 0x0500)
    header, report = next((h, m) for h, m in record().received if h.msg_id == 0x0200)
    assert header.encryption == 1                      # sent encrypted, decrypted right
    # every status bit is set, south (bit 2) and west (bit 3) too: negative degrees
    assert (report.latitude, report.longitude) == (-31.824845, -117.240911)
    assert report.status & 0b1101 == 0b1101 and report.extras[0].km == 100

    params = TerminalParams()
    params.set_params(0x0013, "127.0.0.1:7611")
    params.set_params(0x0001, 60)
    params.set_params(0x0002, 30)
    params.set_params(0x0032, 8, 12, 17, 30)
    terminal_params = {key: val["hex"] for key, val in params.get_params().items()}
    _assert_report(jtt808_obj.params_report(3, terminal_params), 0x0104)
    properties = [1, 1, 1, 1, 1, 0, 1, "quec", "EC200U-CNAA", "EC200UCNAA",
                  "89860012345678901238", IMEI, "EC200UCNAAR02A01M08",
                  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0]
    # the example's terminal id has 10 bytes; 2013 allows 7: cut as the seed cuts it
    _assert_report(jtt808_obj.properties_report(*properties), 0x0107)
    _assert_report(jtt808_obj.upgrade_result_report(0, 0), 0x0108)
    _assert_report(jtt808_obj.event_report(10), 0x0301)
    _assert_report(jtt808_obj.issue_question_response(14, 1), 0x0302)
    _assert_report(jtt808_obj.information_demand_cancellation(5, 1), 0x0303)
    _assert_report(jtt808_obj.driving_record_data_upload(17, 33, b"\x01" * 40), 0x0700)
    _assert_report(jtt808_obj.electronic_waybill_report(b"waybill " * 20), 0x0701)
    _assert_report(jtt808_obj.driver_identity_information_report(
        1, "220627101130", 0, "jack", "88888", "Municipal road transport management agency",
        "20220701", "342426194910010001"), 0x0702)
    _assert_report(jtt808_obj.location_bulk_report(0, [loc_data] * 10), 0x0704)
    recive_time = ("{:2d}" * 3 + "0000").format(10, 11, 12)     # the example's format
    _assert_report(jtt808_obj.can_bus_data_upload(recive_time, [(0, 0, 0, 0, "123")] * 3),
                   0x0705)
    _assert_report(jtt808_obj.media_event_upload(12, 0, 0, 4, 1), 0x0800)
    media_data = b"{\"config\": 1}" * 100                   # "/usr/system_config.json"
    _assert_report(jtt808_obj.media_data_upload(14, 0, 0, 4, 1, media_data, loc_data[:-1]),
                   0x0801)
    _assert_report(jtt808_obj.camera_shoots_immediately_response(25, 0, list(range(10))),
                   0x0805)
    _assert_report(jtt808_obj.stored_media_data_retrieval_response(
        26, [(1, 0, 2, 5, loc_data[:-1])] * 10), 0x0802)
    # (the example's str data: see test_uplink_pass_through_with_the_example_str)
    _assert_report(jtt808_obj.data_uplink_transparent_transmission(0, b"123456"), 0x0900)
    tar_gz = gzip.compress(b"tar " * 50)                   # "/usr/xxx.tar.gz", sent as is
    _assert_report(jtt808_obj.data_compression_report(tar_gz), 0x0901)
    assert jtt808_obj.general_answer(2, 0x8103, 0) is True

    ids = {0x0104, 0x0107, 0x0108, 0x0301, 0x0302, 0x0303, 0x0700, 0x0701, 0x0702, 0x0704,
           0x0705, 0x0800, 0x0801, 0x0805, 0x0802, 0x0900, 0x0901, 0x0001, 0x0201, 0x0500}
    received = lambda: record().received + unmatched              # noqa: E731
    seen = lambda: {h.msg_id for h, _ in received()}              # noqa: E731
    with contextlib.suppress(AssertionError):
        _wait(lambda: ids <= seen())
    assert ids - seen() == set()
    encrypted = {h.msg_id for h, _ in received() if h.encryption == 1}
    assert {0x0104, 0x0200, 0x0704, 0x0802, 0x0900} <= encrypted     # seed's encryptable list
    [props] = [m for h, m in received() if h.msg_id == 0x0107]
    assert props.terminal_id == "EC200UC"
    assert record().messages(0x0901)[0].data == tar_gz
    [upload] = record().messages(0x0801)
    assert upload.media_data == media_data
    [shot] = [m for h, m in received() if h.msg_id == 0x0805]
    assert shot.ids == tuple(range(10))
    assert len(record().messages(0x0704)[0].items) == 10
    assert any(args["header"]["message_id"] == 0x8001 for args in got)   # replies reach it

    # 0x0004 is a 2019 message; the library still sends it on a 2013 link (as the seed
    # does) and the reference platform answers: the documented shape, UTC now
    server_time = jtt808_obj.query_server_time()
    assert set(server_time) == {"utc_time"}
    told = dt.datetime.strptime(server_time["utc_time"], "%Y-%m-%d %H:%M:%S")
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    assert abs(told - now) < dt.timedelta(minutes=1)
    # 0x0608 does not exist before 2019: the caller's mistake, not a timeout (issue 12)
    with pytest.raises(LocalProtocolError, match="0x0608 does not exist in version 2013"):
        jtt808_obj.query_area_route_data_response(1, [])

    _assert_report(jtt808_obj.terminal_rsa_public_key(0x010001, EXAMPLE_N), 0x0A00)
    assert jtt808_obj.logout() is True
    assert not record().authenticated


def _connected(platform, version: str = "2013") -> JTT808:
    host, port = platform.address("tcp")
    jtt808_obj = JTT808(ip=host, port=port, method="TCP", timeout=2, retry_count=0,
                        version=version, client_id=CLIENT_ID)
    assert jtt808_obj.connect() is True
    register_res = jtt808_obj.register("34", "0100", "quec", "EC200U-CNAA", "EC200UC",
                                       LicensePlateColor.blue, "A88888")
    _assert_report(jtt808_obj.authentication(register_res["auth_code"], IMEI, "v1.0.0"),
                   0x0102)
    return jtt808_obj


def test_uplink_pass_through_with_the_example_str(platform) -> None:
    """§3 data_uplink_transparent_transmission: ``data`` is documented as str and the
    example passes ``"123456"``."""
    jtt808_obj = _connected(platform)
    try:
        result = jtt808_obj.data_uplink_transparent_transmission(0, "123456")
        _assert_report(result, 0x0900)
        [sent] = _wait(lambda: platform.terminals[CLIENT_ID].messages(0x0900))
        assert sent.data == b"123456"
    finally:
        jtt808_obj.disconnect()


def test_area_query_response_2019(platform) -> None:
    """§3 query_area_route_data_response (0x0608 exists from 2019): ``data`` holds the
    source bodies of 0x8600 messages (the reference's own example passes nonsense)."""
    from jt808.codec import CircleArea, SetCircleArea, encode_body
    from jt808.frame import Version
    body = encode_body(SetCircleArea(0, (CircleArea(5, 0, 31.82, 117.24, 500),)), Version.V2019)
    jtt808_obj = _connected(platform, "2019")
    try:
        unmatched = unmatched_replies(platform, CLIENT_ID)
        result = jtt808_obj.query_area_route_data_response(1, [body])
        assert set(result) == REPORT_KEYS and result["message_id"] == 0x0608
        assert result["result_code"] == 0 and result["serial_no"] >= 0
        [answer] = _wait(lambda: [m for h, m in unmatched if h.msg_id == 0x0608])
        assert answer.query_type == 1 and answer.items[0].areas[0].area_id == 5
    finally:
        jtt808_obj.disconnect()


def test_terminal_key_both_ways(platform) -> None:
    """RSA the other way: with encryption on, the terminal tells the platform its own
    key (0x0A00) and decrypts what the platform encrypts with it (here a 0x8103)."""
    from jt808.codec import SetTerminalParams, TerminalParam
    host, port = platform.address("tcp")
    jtt808_obj = JTT808(ip=host, port=port, method="TCP", timeout=2, retry_count=0,
                        version="2013", client_id=CLIENT_ID)
    terminal = jtt808_obj.terminal
    got: list[dict] = []
    defaults = dict(terminal.handlers)
    jtt808_obj.set_callback(got.append)
    terminal.handlers = defaults                  # keep the default answers (0x8103 too)
    public = platform.key.private_key.public_key().public_numbers()
    assert jtt808_obj.set_encryption(True, public.e, f"{public.n:X}") is True
    assert jtt808_obj.connect() is True
    try:
        register_res = jtt808_obj.register("34", "0100", "quec", "EC200U-CNAA", "EC200UC",
                                           LicensePlateColor.blue, "A88888")
        jtt808_obj.authentication(register_res["auth_code"], IMEI, "v1.0.0")
        session = platform.connections[CLIENT_ID].session
        own = terminal.rsa_key.private_key.public_key().public_numbers()
        _wait(lambda: session.peer_key is not None, timeout=2.0)
        assert session.peer_key.public_numbers() == own
        session.encrypt_ids = frozenset({0x8103})
        session.encrypt = True
        command = SetTerminalParams((TerminalParam(0x0029, 15),))
        reply = platform.portal.call(platform.request, CLIENT_ID, command, 5.0)
        assert reply.result == 0 and terminal.params.values[0x0029] == 15
        # the callback runs on its own thread: it may still be on its way
        _wait(lambda: any(a["header"]["message_id"] == 0x8103 for a in got), timeout=2.0)
        [args] = [a for a in got if a["header"]["message_id"] == 0x8103]
        assert args["header"]["properties"] >> 10 & 7 == 1       # it came encrypted
    finally:
        jtt808_obj.disconnect()


async def _core_key_exchange(key: RsaKeyPair) -> tuple[int, list[int]]:
    from jt808.codec import SetTerminalParams, TerminalParam, TerminalRegister
    from jt808.terminal import Terminal
    async with Platform(session_options={"rsa_key": key}) as platform:
        await platform.serve("tcp://127.0.0.1:0")
        host, port = platform.address("tcp")
        terminal = Terminal(f"tcp://{host}:{port}", phone=CLIENT_ID,
                            register_info=TerminalRegister(34, 100, "quec", "EC200U", "EC200UC",
                                                           1, "A88888"),
                            params={0x0001: 0, 0x0002: 2, 0x0003: 0})
        seen: list[int] = []
        terminal.add_listener(lambda message, header: seen.append(header.encryption))
        async with terminal:
            with anyio.fail_after(10):
                await terminal.connect()
                assert (await terminal.login()).result == 0
                public = key.private_key.public_key().public_numbers()
                assert (await terminal.enable_encryption(public.e, public.n)).result == 0
                session = platform.connections[CLIENT_ID].session
                own = terminal.rsa_key.private_key.public_key().public_numbers()
                assert session.peer_key.public_numbers() == own
                session.encrypt_ids = frozenset({0x8103})
                session.encrypt = True
                seen.clear()
                command = SetTerminalParams((TerminalParam(0x0029, 15),))
                reply = await platform.request(CLIENT_ID, command, 5.0)
                report = await terminal.report_location(_location_report())
                [(header, sent)] = [(h, m) for h, m in platform.terminals[CLIENT_ID].received
                                    if h.msg_id == 0x0200]
                assert header.encryption == 1 and sent.latitude == 31.824845
                assert report.result == 0
            await terminal.close()
        return reply.result, seen, terminal.params.values[0x0029]


def _location_report():
    from jt808.demo import location
    return location(31.824845, 117.24091)


def test_terminal_key_both_ways_core() -> None:
    """The same with the async ``Terminal``: ``enable_encryption(e, n)`` sends our key
    (0x0A00); the platform encrypts a 0x8103 with it and the terminal decrypts and
    applies it; our 0x0200 goes encrypted with the platform key."""
    from jt808.terminal import Terminal
    result, seen, interval = anyio.run(_core_key_exchange, RsaKeyPair(), backend="asyncio")
    assert result == 0 and interval == 15
    assert seen[0] == 1                      # the 0x8103 arrived encrypted
