"""quectel+tcp, quectel+udp and sms through the modem simulator on a real pty:
the faults a modem produces (socket closed by the modem, PDP lost, SEND FAIL,
refused connect), sharing one driver, and the SMS number filter."""
from __future__ import annotations

import contextlib
import socket
from collections.abc import AsyncIterator
from typing import Any

import anyio
import pytest
from transport_links import (PLATFORM_NUMBER, TERMINAL_NUMBER, SmsGateway, quectel_url,
                             simulated_modem)

from jt808.errors import TransportError
from jt808.transport import open_listener, open_transport
from jt808.transport._sms import number_matches

pytestmark = pytest.mark.anyio


@contextlib.asynccontextmanager
async def tcp_through_modem(**sim_options: Any) -> AsyncIterator[tuple[Any, Any, Any]]:
    async with simulated_modem(**sim_options) as sim, \
            await open_listener("tcp://127.0.0.1:0") as listener:
        near = await open_transport(quectel_url(sim, "tcp", *listener.address))
        far = await listener.accept()
        async with near, far:
            yield sim, near, far


@contextlib.asynccontextmanager
async def shared_modem(sim: Any) -> AsyncIterator[Any]:
    """The way the terminal shares one driver between transports and the HAL."""
    from hal.quectel import QuectelModem, open_channel
    async with open_channel(sim.at_port) as channel:
        modem = QuectelModem(channel)
        await modem.init()
        yield modem


async def test_socket_closed_by_modem_ends_the_stream() -> None:
    async with tcp_through_modem() as (sim, near, far):
        await far.send(b"\x7e before close \x7e")
        with anyio.fail_after(5):
            assert await near.receive() == b"\x7e before close \x7e"
        assert sim.close_socket(near._sock.connect_id)
        with anyio.fail_after(5):
            assert await near.receive() == b""
        assert await near.receive() == b""


async def test_platform_closing_tcp_ends_the_stream_after_the_data() -> None:
    async with tcp_through_modem() as (sim, near, far):
        await far.send(bytes(range(256)) * 8)
        await far.aclose()
        got = bytearray()
        with anyio.fail_after(5):
            while chunk := await near.receive():
                got += chunk
        assert bytes(got) == bytes(range(256)) * 8


async def test_pdp_lost_is_transport_error_and_reopen_recovers() -> None:
    async with simulated_modem() as sim, \
            await open_listener("tcp://127.0.0.1:0") as listener, shared_modem(sim) as modem:
        url = f"quectel+tcp://?host={listener.address[0]}&port={listener.address[1]}"
        near = await open_transport(url, modem=modem)
        far = await listener.accept()
        sim.drop_pdp(1)
        with anyio.fail_after(5), pytest.raises(TransportError) as info:
            await near.receive()
        assert "pdp" in str(info.value).lower()
        from hal.errors import SocketClosedError
        assert isinstance(info.value.__cause__, SocketClosedError)
        with pytest.raises(TransportError):
            await near.send(b"x")
        await near.aclose()
        await far.aclose()
        # the same modem: the next open re-activates the context and connects again
        again = await open_transport(url, modem=modem)
        far_again = await listener.accept()
        await again.send(b"\x7e back \x7e")
        with anyio.fail_after(5):
            assert await far_again.receive() == b"\x7e back \x7e"
        await again.aclose()
        await far_again.aclose()


async def test_send_fail_burst_is_retried() -> None:
    async with tcp_through_modem() as (sim, near, far):
        near.modem.send_retry_delay = 0.01
        sim.fail_sends(near.modem.send_retries)          # one fewer than the attempts
        await near.send(b"\x7e survived \x7e")
        with anyio.fail_after(5):
            assert await far.receive() == b"\x7e survived \x7e"


async def test_send_fail_beyond_retries_is_transport_error() -> None:
    from hal.errors import ModemError
    async with tcp_through_modem() as (sim, near, far):
        near.modem.send_retry_delay = 0.01
        sim.fail_sends(near.modem.send_retries + 1)
        with pytest.raises(TransportError) as info:
            await near.send(b"\x7e lost \x7e")
        assert isinstance(info.value.__cause__, ModemError)
        assert "SEND FAIL" in str(info.value)
        await near.send(b"\x7e next one \x7e")        # the socket itself is fine
        with anyio.fail_after(5):
            assert await far.receive() == b"\x7e next one \x7e"


async def test_lost_prompt_is_transport_error_not_a_hang() -> None:
    """One flipped bit turns the ``>`` prompt into ``?``: the send times out in the
    driver and surfaces as a TransportError caused by ModemTimeout."""
    from hal.errors import ModemTimeout
    async with tcp_through_modem() as (sim, near, far):
        near.modem.send_timeout = 0.5
        sim.garble_next_output()
        with anyio.fail_after(10), pytest.raises(TransportError) as info:
            await near.send(b"\x7e garbled \x7e")
        assert isinstance(info.value.__cause__, ModemTimeout)


def _closed_tcp_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_refused_connect_through_modem_keeps_cause() -> None:
    from hal.errors import SocketOpenError
    async with simulated_modem() as sim:
        with pytest.raises(TransportError) as info:
            await open_transport(quectel_url(sim, "tcp", "127.0.0.1", _closed_tcp_port()))
        assert isinstance(info.value.__cause__, SocketOpenError)
        assert info.value.__cause__.err == 566


async def test_open_failure_code_from_modem() -> None:
    from hal.errors import SocketOpenError
    async with simulated_modem() as sim, await open_listener("tcp://127.0.0.1:0") as listener:
        sim.fail_next_open(565)
        with pytest.raises(TransportError) as info:
            await open_transport(quectel_url(sim, "tcp", *listener.address))
        assert isinstance(info.value.__cause__, SocketOpenError)
        assert "DNS" in str(info.value.__cause__)


async def test_missing_serial_port_is_transport_error(tmp_path: Any) -> None:
    with pytest.raises(TransportError) as info:
        await open_transport(f"quectel+tcp://{tmp_path}/ttyUSB9?host=127.0.0.1&port=1")
    assert isinstance(info.value.__cause__, OSError)


async def test_modem_gone_mid_stream_is_transport_error() -> None:
    async with tcp_through_modem() as (sim, near, far):
        sim.stop()
        with anyio.fail_after(10), pytest.raises(TransportError):
            await near.send(b"\x7e" * 10)
            await near.receive()


@pytest.mark.parametrize("url", [
    "quectel+tcp:///dev/ttyUSB2?port=7611",            # no host
    "quectel+tcp:///dev/ttyUSB2?host=h",               # no port
    "quectel+tcp://?host=h&port=1",                    # no device and no modem=
    "quectel+udp:///dev/ttyUSB2?host=h&port=1&speed=9",
    "sms://",                                          # no number
    "sms:///dev/ttyUSB2?number=abc",
    "sms:///dev/ttyUSB2?number=138-0013",
])
async def test_bad_modem_urls_are_value_errors(url: str) -> None:
    with pytest.raises(ValueError):
        await open_transport(url)


async def test_path_and_modem_together_is_value_error() -> None:
    with pytest.raises(ValueError):
        await open_transport("quectel+tcp:///dev/ttyUSB2?host=h&port=1", modem=object())


async def test_one_driver_shared_by_tcp_udp_sms_and_modem_info() -> None:
    """One AT port, one driver: a TCP socket, a UDP socket, SMS and an info query
    interleave on it."""
    from hal.modem_sim import InProcessSmsCentre
    centre = InProcessSmsCentre()
    async with simulated_modem(sms_centre=centre, number=TERMINAL_NUMBER) as sim, \
            await open_listener("tcp://127.0.0.1:0") as tcp_listener, \
            await open_listener("udp://127.0.0.1:0") as udp_listener, \
            shared_modem(sim) as modem, SmsGateway(centre) as gateway:
        tcp_host, tcp_port = tcp_listener.address
        udp_host, udp_port = udp_listener.address
        stream = await open_transport(f"quectel+tcp://?host={tcp_host}&port={tcp_port}",
                                      modem=modem)
        datagrams = await open_transport(f"quectel+udp://?host={udp_host}&port={udp_port}",
                                         modem=modem)
        sms = await open_transport(f"sms://?number={PLATFORM_NUMBER}", modem=modem)
        tcp_far = await tcp_listener.accept()
        await datagrams.send(b"udp \x7e")
        udp_far = await udp_listener.accept()
        with anyio.fail_after(10):
            async with anyio.create_task_group() as tg:
                tg.start_soon(stream.send, b"tcp \x7e" * 300)
                tg.start_soon(sms.send, b"sms \x7e" * 50)
                tg.start_soon(modem.imei)
            assert await udp_far.receive() == b"udp \x7e"
            got = b""
            while len(got) < 1500:
                got += await tcp_far.receive()
            assert got == b"tcp \x7e" * 300
            assert await gateway.receive() == b"sms \x7e" * 50
        for t in (stream, datagrams, sms, tcp_far, udp_far):
            await t.aclose()
        assert await modem.imei() == sim.config.imei   # the shared driver is still open


async def test_sms_from_unknown_numbers_is_dropped() -> None:
    from hal.modem_sim import InProcessSmsCentre
    centre = InProcessSmsCentre()
    async with simulated_modem(sms_centre=centre, number=TERMINAL_NUMBER) as sim, \
            SmsGateway(centre) as gateway:
        near = await open_transport(f"sms://{sim.at_port}?number={PLATFORM_NUMBER}"
                                    f"&number=13912345678")
        async with near:
            await gateway.send(b"\x7e spoofed \x7e", sender="+8613666666666")
            await gateway.send(b"\x7e second platform number \x7e", sender="+8613912345678")
            await gateway.send(b"\x7e from the platform \x7e")
            with anyio.fail_after(5):
                assert await near.receive() == b"\x7e second platform number \x7e"
                assert await near.receive() == b"\x7e from the platform \x7e"
            assert near.rejected == 1


@pytest.mark.parametrize(("sender", "allowed", "match"), [
    ("+8613800138000", "+8613800138000", True),
    ("+8613800138000", "13800138000", True),      # national form of the same number
    ("13800138000", "+8613800138000", True),
    ("+8613800138001", "13800138000", False),
    ("+8613800138000", "38000", False),            # a suffix is not the number
    ("1380013800012345", "13800138000", False),
    ("", "13800138000", False),
    ("10086", "10086", True),                      # short service numbers match exactly
])
def test_number_matches(sender: str, allowed: str, match: bool) -> None:
    assert number_matches(sender, allowed) is match
