"""QuectelModem end to end against hal.modem_sim (pty) and a real loopback TCP server."""
from __future__ import annotations

import socket
import threading

import anyio
import pytest

from hal.errors import SocketClosedError, SocketOpenError
from hal.quectel import QuectelModem, open_channel

from hal import modem_sim
pytestmark = pytest.mark.anyio
HEARTBEATS = bytes.fromhex("7E00020000013800138000002A827E7E00020000013800138000002B837E")  # §3


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.fixture
def sim():
    with modem_sim.ModemSimulator(time_to_fix=0.2, nmea_interval=0.5) as s:
        yield s


class EchoServer:
    """Real TCP server on 127.0.0.1 that echoes, and can close its connections."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.conns: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.conns.append(conn)
            threading.Thread(target=self._echo, args=(conn,), daemon=True).start()

    def _echo(self, conn: socket.socket) -> None:
        while True:
            try:
                data = conn.recv(65536)
            except OSError:
                return
            if not data:
                return
            conn.sendall(data)

    def close(self) -> None:
        for conn in self.conns:
            conn.close()
        self.listener.close()


async def _started(ch, **kw):
    modem = QuectelModem(ch, **kw)
    await modem.init()
    return modem


async def test_tcp_round_trip_and_server_close(sim):
    server = EchoServer()
    try:
        async with open_channel(sim.at_port) as ch:
            modem = await _started(ch)
            assert await modem.activate_pdp(1, apn="cmnet") == "10.7.157.1"
            sock = await modem.open_socket("TCP", "127.0.0.1", server.port, timeout=10)
            payload = HEARTBEATS + bytes(range(256)) * 8          # > 1460: chunked
            await sock.send(payload)
            got = b""
            with anyio.fail_after(10):
                while len(got) < len(payload):
                    got += await sock.receive()
            assert got == payload
            with anyio.fail_after(10):
                while not server.conns:
                    await anyio.sleep(0.01)
            server.conns[0].shutdown(socket.SHUT_RDWR)              # FIN to the modem
            with anyio.fail_after(10):
                assert await sock.receive() == b""
            await sock.aclose()
            again = await modem.open_socket("TCP", "127.0.0.1", server.port, timeout=10)
            assert again.connect_id == sock.connect_id
            await again.aclose()
    finally:
        server.close()


async def test_open_refused_maps_error(sim):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]                               # nothing listens there
    async with open_channel(sim.at_port) as ch:
        modem = await _started(ch)
        await modem.activate_pdp(1)
        with pytest.raises(SocketOpenError) as info:
            await modem.open_socket("TCP", "127.0.0.1", port, timeout=10)
    assert info.value.err == 566 and info.value.meaning == "socket connect failed"


async def test_pdp_drop_and_recover(sim):
    server = EchoServer()
    lost = []
    try:
        async with open_channel(sim.at_port) as ch:
            modem = await _started(ch, on_pdp_lost=lost.append)
            await modem.activate_pdp(1)
            sock = await modem.open_socket("TCP", "127.0.0.1", server.port, timeout=10)
            sim.drop_pdp(1)
            with anyio.fail_after(10):
                while not lost:
                    await anyio.sleep(0.01)
            assert lost == [1] and sock.closed
            with pytest.raises(SocketClosedError):
                await sock.send(b"x")
            await sock.aclose()
            assert await modem.recover_pdp(1) == "10.7.157.1"
            sock = await modem.open_socket("TCP", "127.0.0.1", server.port, timeout=10)
            await sock.send(b"ping")
            with anyio.fail_after(10):
                assert await sock.receive() == b"ping"
    finally:
        server.close()


async def test_sms_both_ways(sim):
    async with open_channel(sim.at_port) as ch:
        modem = await _started(ch)
        await modem.sms_init()
        big = bytes(range(256)) + bytes(44)
        await modem.send_sms("+8613900139000", big)
        last = sim.sms_centre.submitted[-1]
        assert (last.dest, last.data) == ("+8613900139000", big)
        sim.receive_sms("+8613900139000", big)
        with anyio.fail_after(10):
            msg = await modem.receive_sms()
        assert msg.sender == "+8613900139000" and msg.data == big


async def test_info_and_gnss(sim):
    async with open_channel(sim.at_port) as ch:
        modem = await _started(ch)
        assert await modem.imei() == "867584030123454"
        assert await modem.iccid() == "89860012345678901238"
        assert await modem.imsi() == "460001234567890"
        assert await modem.signal() == (24, 99)
        n, stat = await modem.registration()
        assert stat == 1
        assert await modem.firmware() == "EC25EFAR06A08M4G_01.001.01.001"
        await modem.gnss_on()
        await modem.gnss_on()                                       # CME 504: fine
        loc = None
        with anyio.fail_after(10):
            while loc is None:
                loc = await modem.gnss_location()
                await anyio.sleep(0.05)
        assert abs(loc.latitude - 40.9034) < 1e-4 and abs(loc.longitude - 111.78228) < 1e-4
        await modem.gnss_off()
