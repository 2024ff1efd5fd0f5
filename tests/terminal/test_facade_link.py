"""The seed facade over a real link: str data arguments as GBK text, messages the
protocol version lacks are not sent, our RSA key is sent after authentication."""
from __future__ import annotations


import anyio
import pytest

from jt808.errors import LocalProtocolError


pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


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
