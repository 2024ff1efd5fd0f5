"""The AT channel resynchronises after a garbled prompt, a timeout or a late answer.

Real pty (hal.modem_sim) and a real loopback TCP server. Wire formats: quectel-at.md
§1 (prompt ``\\r\\n> ``, final codes) and §2 (fixed-length ``AT+QISEND=id,len``:
the modem waits for exactly ``len`` bytes; ``SEND OK`` / ``SEND FAIL`` / ``ERROR``).
"""
from __future__ import annotations

import socket
import threading
import time

import anyio
import pytest

from hal.errors import ModemError, ModemTimeout
from hal.quectel import QuectelModem, open_channel

from hal import modem_sim
pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.fixture
def sim():
    with modem_sim.ModemSimulator(nmea_interval=0.5) as s:
        yield s


class SinkServer:
    """Real TCP server on 127.0.0.1 that records every byte it gets."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.received = bytearray()
        self.conns: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        try:
            conn, _ = self.listener.accept()
        except OSError:
            return
        self.conns.append(conn)
        try:
            while data := conn.recv(65536):
                self.received += data
        except OSError:
            return

    def wait_for(self, data: bytes, timeout: float = 5.0) -> bytes:
        deadline = time.monotonic() + timeout
        while data not in self.received:
            assert time.monotonic() < deadline, f"server got {bytes(self.received)!r}"
            time.sleep(0.01)
        return bytes(self.received)

    def close(self) -> None:
        for conn in self.conns:
            conn.close()
        self.listener.close()


@pytest.fixture
def server():
    srv = SinkServer()
    yield srv
    srv.close()


async def _modem_with_socket(ch, port: int):
    modem = QuectelModem(ch)
    await modem.init()
    await modem.activate_pdp(1)
    sock = await modem.open_socket("TCP", "127.0.0.1", port, timeout=10)
    modem.send_timeout = 0.4
    modem.send_retry_delay = 0.01
    return modem, sock


async def test_garbled_prompt_times_out_then_next_send_works(sim, server):
    """The `>` prompt turns into `?`: ModemTimeout, then the link is usable again
    (before the fix the modem swallowed the next AT+QISEND as payload -> ERROR)."""
    lost, after = b"\x7e lost prompt \x7e", b"\x7e next frame \x7e"
    async with open_channel(sim.at_port) as ch:
        modem, sock = await _modem_with_socket(ch, server.port)
        sim.garble_next_output()
        with anyio.fail_after(10), pytest.raises(ModemTimeout) as info:
            await sock.send(lost)
        assert "data prompt" in str(info.value)
        with anyio.fail_after(10):
            await sock.send(after)
            await sock.send(after)
        assert ch.resyncs == 1 and ch.in_sync
    # the payload was written during the resync (the modem was waiting for it)
    assert server.wait_for(lost + after + after).endswith(lost + after + after)


async def test_late_final_is_not_the_next_commands_answer(sim):
    """A command times out, its answer comes later: the next command gets its own."""
    async with open_channel(sim.at_port) as ch:
        modem = QuectelModem(ch)
        await modem.init()
        ch.sync_timeout = 0.1                       # the first resync attempt gives up
        sim.delay_replies(0.6)
        with anyio.fail_after(10), pytest.raises(ModemTimeout) as info:
            await ch.command("AT+CSQ", timeout=0.2)
        assert "resynchronisation pending" in str(info.value) and not ch.in_sync
        sim.delay_replies(0)
        ch.sync_timeout = 5.0
        with anyio.fail_after(10):
            assert await modem.imei() == "867584030123454"     # not "+CSQ: 24,99"
            assert await modem.signal() == (24, 99)
            assert await modem.imei() == "867584030123454"
        # discarded: the late CSQ answer (the second marker's late answer is either
        # discarded too or arrives while no command is in flight: a stray line)
        assert ch.discarded_finals >= 1 and ch.in_sync


async def test_burst_of_send_fail_error_and_timeouts(sim, server):
    """SEND FAIL, ERROR, lost prompts and slow replies mixed: after each the next send works."""
    good = [b"\x7e good %d \x7e" % i for i in range(8)]
    faults = ["send_fail", "garble", "error", "send_fail", "delay", "garble", "garble", "error"]
    async with open_channel(sim.at_port) as ch:
        modem, sock = await _modem_with_socket(ch, server.port)
        modem.send_retries = 0
        for i, fault in enumerate(faults):
            with anyio.fail_after(15):
                if fault == "error":            # §2: ERROR for a socket that is not connected
                    with pytest.raises(ModemError) as info:
                        await ch.command("AT+QISEND=11,3", data=b"abc", timeout=2)
                    assert info.value.final == "ERROR"
                else:
                    {"send_fail": lambda: sim.fail_sends(1), "garble": sim.garble_next_output,
                     "delay": lambda: sim.delay_replies(0.5)}[fault]()
                    with pytest.raises((ModemError, ModemTimeout)):
                        await sock.send(b"\x7e bad %d \x7e" % i)
                    sim.delay_replies(0)
                await sock.send(good[i])
        assert ch.in_sync
    got = server.wait_for(good[-1])
    positions = [got.index(frame) for frame in good]
    assert positions == sorted(positions)
    assert b"bad 0" not in got and b"bad 3" not in got   # SEND FAIL: nothing was sent


async def test_cancelled_send_before_prompt_resyncs_next_command(sim, server):
    """A caller's own cancel scope ends a QISEND while its prompt is lost: same recovery."""
    async with open_channel(sim.at_port) as ch:
        modem, sock = await _modem_with_socket(ch, server.port)
        modem.send_timeout = 10
        sim.garble_next_output()
        with anyio.move_on_after(0.3):
            await sock.send(b"\x7e cancelled \x7e")
        assert not ch.in_sync
        with anyio.fail_after(10):
            await sock.send(b"\x7e after cancel \x7e")
        assert ch.in_sync
    server.wait_for(b"\x7e after cancel \x7e")


async def test_lost_recv_urc_is_recovered_by_the_resync_poll(sim, server):
    """A garbled `+QIURC: "recv"` is lost; the next resync re-polls the socket."""
    async with open_channel(sim.at_port) as ch:
        modem, sock = await _modem_with_socket(ch, server.port)
        with anyio.fail_after(5):
            while not server.conns:
                await anyio.sleep(0.01)
        sim.garble_next_output()
        server.conns[0].sendall(b"\x7e from server \x7e")
        with anyio.move_on_after(0.5):
            await sock.receive()
            pytest.fail("the garbled URC should not have been recognised")
        sim.garble_next_output()                  # and now a prompt goes missing too
        with pytest.raises(ModemTimeout):
            await sock.send(b"\x7e x \x7e")
        with anyio.fail_after(10):
            assert await sock.receive() == b"\x7e from server \x7e"
