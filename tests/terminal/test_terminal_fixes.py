"""Fixes found by the e2e matrix: messages a protocol version lacks, str data in the
facade, the bearer from the transport, modem device URLs opened and closed in one task."""
from __future__ import annotations

import datetime as dt

import anyio
import pytest

from jt808.codec import (CameraShootCommand, LocationReport, MediaDataUpload,
                         MediaEventUpload, QueryAreaRoute)
from jt808.errors import LocalProtocolError
from jt808.frame import Header, Version
from jt808.terminal._handlers import query_areas, take_photo

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class _Reporter:
    async def current(self):
        return LocationReport(0, 2, 31.0, 121.0, 10, 36.5, 90, dt.datetime(2024, 1, 2, 3, 4, 5))


class _Camera:
    async def capture(self, channel, resolution=None) -> bytes:
        return b"\xff\xd8photo\xff\xd9"


class FakeTerminal:
    """What the default handlers use of ``Terminal``; records what they send."""

    def __init__(self, version: Version, camera=None) -> None:
        self.version, self.camera = version, camera
        self.reporter = _Reporter()
        self.replies: list[tuple[int, int]] = []
        self.sent: list = []
        self._media_id = 0

    def reply(self, header: Header, result: int = 0) -> int:
        self.replies.append((header.msg_id, result))
        return 1

    async def send(self, message) -> int:
        self.sent.append(message)
        return 1

    async def request(self, message):
        self.sent.append(message)

    def next_media_id(self) -> int:
        self._media_id += 1
        return self._media_id


def _header(msg_id: int, version: Version) -> Header:
    return Header(msg_id=msg_id, phone="13800138000", serial=7, version=version)


async def test_2011_photo_answers_general_ok_then_uploads() -> None:
    """2011 has no 0x0805: 0x8801 is answered by 0x0001 result 0, then 0x0800 + 0x0801."""
    terminal = FakeTerminal(Version.V2011, _Camera())
    await take_photo(terminal, CameraShootCommand(1, 1, 0, 0, 1), _header(0x8801, Version.V2011))
    assert terminal.replies == [(0x8801, 0)]
    assert [type(m) for m in terminal.sent] == [MediaEventUpload, MediaDataUpload]
    assert terminal.sent[1].location is None and terminal.sent[1].media_data.startswith(b"\xff\xd8")


async def test_2011_photo_without_camera_answers_general_failure() -> None:
    terminal = FakeTerminal(Version.V2011)
    await take_photo(terminal, CameraShootCommand(1, 1, 0, 0, 1), _header(0x8801, Version.V2011))
    assert terminal.replies == [(0x8801, 1)] and terminal.sent == []


async def test_2013_photo_still_answers_0805() -> None:
    terminal = FakeTerminal(Version.V2013, _Camera())
    await take_photo(terminal, CameraShootCommand(1, 1, 0, 0, 1), _header(0x8801, Version.V2013))
    assert terminal.replies == [] and terminal.sent[0].msg_id == 0x0805
    assert terminal.sent[0].ids == (1,)


@pytest.mark.parametrize("version", [Version.V2011, Version.V2013])
async def test_area_query_before_2019_is_not_supported(version: Version) -> None:
    """0x0608 exists from 2019 on: earlier versions get 0x0001 result 3, nothing else."""
    terminal = FakeTerminal(version)
    await query_areas(terminal, QueryAreaRoute(1, ()), _header(0x8608, version))
    assert terminal.replies == [(0x8608, 3)] and terminal.sent == []


# -- facade: str data, messages the version lacks, our key after authentication -----

@pytest.fixture
def facade_platform():
    import contextlib

    from anyio.from_thread import start_blocking_portal

    from terminal_platform import TestPlatform

    @contextlib.asynccontextmanager
    async def context():
        async with anyio.create_task_group() as tg:
            platform = TestPlatform(tg)
            url = await platform.start()
            yield platform, url
            await platform.aclose()
            tg.cancel_scope.cancel()

    with start_blocking_portal("asyncio") as portal:
        with portal.wrap_async_context_manager(context()) as (plat, url):
            plat.url = url
            yield plat


def _wait_for(predicate, timeout: float = 5.0):
    import time
    deadline = time.monotonic() + timeout
    while not (result := predicate()):
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.01)
    return result


def _facade(platform, version: str = "2013", **options):
    from jt808.terminal import JTT808
    host, port = platform.url.removeprefix("tcp://").split(":")
    client = JTT808(ip=host, port=int(port), method="TCP", timeout=1, retry_count=0,
                    version=version, client_id="18888888888", **options)
    assert client.connect() is True
    assert client.authentication("AUTH-1")["result_code"] == 0
    return client


def test_facade_data_arguments_take_str_as_gbk_text_and_bytes(facade_platform) -> None:
    """§3: 0x0900/0x0901 ``data`` is documented as str (example ``"123456"``)."""
    import gzip
    client = _facade(facade_platform)
    try:
        for data, wire in (("123456", b"123456"), (b"\x00\xff", b"\x00\xff"),
                           ("车", "车".encode("gbk"))):
            result = client.data_uplink_transparent_transmission(0x41, data)
            assert result["message_id"] == 0x0900 and result["result_code"] == 0
            sent = _wait_for(lambda: facade_platform.of(0x0900))[-1]
            assert sent.data == wire
        tar_gz = gzip.compress(b"abc")           # §3: "Compressed data", sent as given
        assert client.data_compression_report(tar_gz)["result_code"] == 0
        [packed] = _wait_for(lambda: facade_platform.of(0x0901))
        assert packed.data == tar_gz
        assert client.electronic_waybill_report("waybill")["result_code"] == 0
        assert _wait_for(lambda: facade_platform.of(0x0701))[0].data == b"waybill"
        assert client.driving_record_data_upload(1, 0x21, "ab")["result_code"] == 0
        assert _wait_for(lambda: facade_platform.of(0x0700))[0].cmd_data == b"ab"
        with pytest.raises(LocalProtocolError, match="data must be bytes or str"):
            client.data_uplink_transparent_transmission(0, 5)     # not 5 zero bytes
    finally:
        client.disconnect()


def test_facade_messages_the_version_lacks_are_not_sent(facade_platform) -> None:
    client = _facade(facade_platform, "2011")
    try:
        count = len(facade_platform.received)
        # a caller's mistake, not a timeout (issue 12): LocalProtocolError, nothing sent
        with pytest.raises(LocalProtocolError, match="0x0004 does not exist in version 2011"):
            client.query_server_time()
        with pytest.raises(LocalProtocolError, match="0x0805 does not exist in version 2011"):
            client.camera_shoots_immediately_response(3, 0, [1])
        assert client.heart_beat() is True                                  # link still fine
        assert [h.msg_id for h, _ in facade_platform.received[count:]] == [0x0002]
    finally:
        client.disconnect()
    from jt808.terminal import JTT808
    later = JTT808(ip="127.0.0.1", port=9, version="2019", client_id="1")   # not connected
    with pytest.raises(LocalProtocolError, match="deleted in 2019"):
        later.event_report(1)                                               # gone in 2019


def test_facade_set_encryption_sends_our_key_after_authentication(facade_platform) -> None:
    """``set_encryption(True, e, n)`` before connecting: the facade's own 0x0102 is
    followed by 0x0A00 with the terminal's key."""
    from jt808.session import RsaKeyPair
    from jt808.terminal import JTT808
    platform_key = RsaKeyPair().private_key.public_key().public_numbers()
    host, port = facade_platform.url.removeprefix("tcp://").split(":")
    client = JTT808(ip=host, port=int(port), timeout=1, retry_count=0, version="2013",
                    client_id="18888888888")
    assert client.set_encryption(True, platform_key.e, platform_key.n) is True
    assert client.connect() is True
    try:
        assert client.authentication("AUTH-1")["result_code"] == 0
        session = facade_platform.link.session            # it takes 0x0A00 itself
        key = _wait_for(lambda: session.peer_key).public_numbers()
        own = client.terminal.rsa_key.private_key.public_key().public_numbers()
        assert (key.n, key.e) == (own.n, own.e)
    finally:
        client.disconnect()


# -- modem device URLs: the link opens and closes in one task; bearer from transport ---

def _register():
    from jt808.codec import TerminalRegister
    return TerminalRegister(34, 100, "70111", "FIXES", "T000001", 1, "A12345")


async def test_quectel_device_url_login_report_reconnect_close(tmp_path) -> None:
    """``Terminal("quectel+tcp:///dev/pts/N?host=…&port=…")`` against the reference
    ``Platform`` through the simulated modem on a real pty: login, a report, a reconnect
    (the port is opened anew), a report, close; no cancel-scope error."""
    sim_module = pytest.importorskip("hal.modem_sim", reason="modem simulator not available")
    from jt808.platform import Platform, location
    from jt808.terminal import Terminal
    phone = "13900001234"
    with sim_module.ModemSimulator() as sim:
        with anyio.fail_after(20):
            async with Platform() as platform:
                await platform.serve("tcp://127.0.0.1:0")
                host, port = platform.address("tcp")
                url = f"quectel+tcp://{sim.at_port}?host={host}&port={port}"
                terminal = Terminal(url, phone=phone, register_info=_register(),
                                    params={0x0001: 0, 0x0002: 3, 0x0003: 1},
                                    store_path=tmp_path / "blind.sqlite")
                async with terminal:
                    await terminal.connect()
                    assert terminal.session.bearer == "tcp"
                    assert (await terminal.login()).result == 0
                    assert (await terminal.report_location(location(39.9, 116.3))).result == 0
                    await terminal.disconnect()
                    assert not terminal.connected
                    await terminal.connect()
                    assert (await terminal.login()).result == 0
                    assert (await terminal.report_location(location(39.8, 116.3))).result == 0
                    await terminal.close()
                record = platform.terminals[phone]
                assert [round(p.latitude, 1) for p in record.positions] == [39.9, 39.8]


async def test_device_url_that_cannot_open_raises_transport_error_in_connect() -> None:
    from jt808.errors import TransportError
    from jt808.terminal import Terminal
    terminal = Terminal("quectel+tcp:///dev/does-not-exist?host=127.0.0.1&port=1",
                        phone="13900001234")
    async with terminal:
        with pytest.raises(TransportError):
            await terminal.connect()
        assert not terminal.connected and terminal.error is not None


class _PluginDatagramBackend:
    """``fixes-dgram://name``: a plug-in scheme the terminal knows nothing about, whose
    transports are datagram memory ends (``kind == "datagram"``)."""

    async def open_transport(self, url, **options):
        from jt808.transport import open_transport
        return await open_transport(f"memory://{url.netloc}?kind=datagram")


PLUGIN = _PluginDatagramBackend()


@pytest.mark.parametrize("bearer, expected", [(None, "udp"), ("sms", "sms")])
async def test_bearer_comes_from_the_transport_or_the_option(bearer, expected) -> None:
    from jt808.session import TerminalSession  # noqa: F401  (the session's retry policy)
    from jt808.terminal import Terminal
    from jt808.transport import open_listener, register_transport
    register_transport("fixes-dgram", f"{__name__}:PLUGIN")
    listener = await open_listener("memory://fixes-bearer?kind=datagram")
    try:
        terminal = Terminal("fixes-dgram://fixes-bearer", phone="13900001234", bearer=bearer,
                            params={0x0002: 9, 0x0003: 0, 0x0004: 4, 0x0005: 0,
                                    0x0006: 30, 0x0007: 0})
        assert terminal.session.bearer == (bearer or "tcp")     # nothing known before
        async with terminal:
            await terminal.connect()
            assert terminal.session.bearer == expected
            timeouts = {"udp": 4, "sms": 30}
            assert terminal.session.retry.first_timeout == timeouts[expected]
            await terminal.close()
    finally:
        await listener.aclose()


@pytest.mark.parametrize("url, expected", [
    ("tcp://127.0.0.1:1", "tcp"), ("udp://127.0.0.1:1", "udp"),
    ("quectel+udp:///dev/x?host=h&port=1", "udp"), ("shared-modem+udp://?host=h", "udp"),
    ("sms:///dev/x?number=1", "sms"), ("matrix-shared-sms://?number=1", "sms"),
    ("quectel+tcp:///dev/x", "tcp")])
def test_bearer_guessed_from_the_scheme_before_connecting(url, expected) -> None:
    from jt808.terminal import Terminal
    assert Terminal(url, phone="1").session.bearer == expected


def test_bad_bearer_option() -> None:
    from jt808.terminal import Terminal
    with pytest.raises(ValueError, match="bearer"):
        Terminal("tcp://127.0.0.1:1", phone="1", bearer="carrier-pigeon")


async def test_sms_transport_object_is_sms_bearer() -> None:
    from jt808.terminal._terminal import bearer_of_transport
    from jt808.transport._sms import SmsTransport
    fake = SmsTransport.__new__(SmsTransport)
    assert bearer_of_transport(fake) == "sms"


def test_run_stopped_by_the_callers_cancel_scope_unwinds_cleanly(tmp_path) -> None:
    """``with anyio.move_on_after(...): await terminal.run()`` is the anyio way to stop a
    terminal: it must close the link and leave the caller's cancel scopes intact."""
    from hal.gnss import RouteGnss
    from jt808.codec import TerminalRegister
    from jt808.platform import Platform
    from jt808.terminal import Terminal

    async def main() -> tuple[bool, int]:
        async with Platform() as platform:
            await platform.serve("tcp://127.0.0.1:0")
            terminal = Terminal(platform.url("tcp"), phone="013800138000",
                                register_info=TerminalRegister(44, 300, "QUEC", "EC200U", "T1",
                                                               1, "B12345"),
                                gnss=RouteGnss(), store_path=tmp_path / "blind.sqlite",
                                params={0x0029: 1})
            with anyio.fail_after(20):
                with anyio.move_on_after(2):
                    await terminal.run()
            record = platform.terminals.get("013800138000")
            return terminal.connected, len(record.positions) if record else 0

    connected, positions = anyio.run(main)
    assert connected is False and positions >= 1
