"""TCP/UDP through the simulated modem to real loopback servers (quectel-at.md §2-§4)."""
from __future__ import annotations

import re
import socket
import time

import pytest

from hal.modem_sim import ModemSimulator

# quectel-at.md §3: two JT/T 808-2013 heartbeats (30 bytes) and the platform's 0x8001 (20 bytes).
HEARTBEATS = bytes.fromhex("7E00020000013800138000002A827E7E00020000013800138000002B837E")
REPLY_8001 = bytes.fromhex("7E800100050138001380000001002A000200077E")


def _activate(at) -> None:
    assert at.cmd(b'AT+QICSGP=1,1,"cmnet","","",1') == b"\r\nOK\r\n"
    assert at.cmd(b"AT+QIACT=1") == b"\r\nOK\r\n"


def _open(at, conn_id: int, kind: str, port: int, mode: int = 0, host: str = "127.0.0.1") -> bytes:
    at.write(f'AT+QIOPEN=1,{conn_id},"{kind}","{host}",{port},0,{mode}\r'.encode())
    at.expect(b"\r\nOK\r\n")
    return at.read_until(b"\r\n", 5) + at.read_until(b"\r\n", 5)


def _send(at, conn_id: int, data: bytes) -> bytes:
    at.write(f"AT+QISEND={conn_id},{len(data)}\r".encode())
    at.expect(b"\r\n> ")
    at.write(data)
    return at.read_final()


def test_section3_transcript_against_a_real_server(server, at_client) -> None:
    with ModemSimulator(port_name="usbmodem",
                        address_map={("203.0.113.10", 7611): ("127.0.0.1", server.port)}) as sim:
        at = at_client(sim.at_port)
        at.cmd(b"ATE0"), at.cmd(b"AT+CMEE=1"), at.cmd(b"AT+QISDE=0")
        assert at.cmd(b'AT+QICSGP=1,1,"cmnet","","",1') == b"\r\nOK\r\n"
        assert at.cmd(b"AT+QIACT=1") == b"\r\nOK\r\n"
        assert at.cmd(b"AT+QIACT?") == b'\r\n+QIACT: 1,1,1,"10.7.157.1"\r\n\r\nOK\r\n'
        at.write(b'AT+QIOPEN=1,0,"TCP","203.0.113.10",7611,0,0\r')
        at.expect(b"\r\nOK\r\n")
        at.expect(b"\r\n+QIOPEN: 0,0\r\n")
        state = at.cmd(b"AT+QISTATE=1,0")
        assert re.fullmatch(rb'\r\n\+QISTATE: 0,"TCP","203\.0\.113\.10",7611,(\d+),2,1,0,0,"usbmodem"'
                            rb"\r\n\r\nOK\r\n", state)
        assert int(re.search(rb",7611,(\d+),", state).group(1)) == server.conn().getpeername()[1]
        assert _send(at, 0, HEARTBEATS) == b"\r\nSEND OK\r\n"
        assert server.wait_received(30) == HEARTBEATS
        assert at.cmd(b"AT+QISEND=0,0") == b"\r\n+QISEND: 30,30,0\r\n\r\nOK\r\n"
        server.conn().sendall(REPLY_8001)
        at.expect(b'\r\n+QIURC: "recv",0\r\n')
        assert at.cmd(b"AT+QIRD=0,1500") == b"\r\n+QIRD: 20\r\n" + REPLY_8001 + b"\r\n\r\nOK\r\n"
        assert at.cmd(b"AT+QIRD=0,1500") == b"\r\n+QIRD: 0\r\n\r\nOK\r\n"
        server.hangup()
        at.expect(b'\r\n+QIURC: "closed",0\r\n')
        assert at.cmd(b"AT+QICLOSE=0") == b"\r\nOK\r\n"
        server.accepted.clear()
        at.write(b'AT+QIOPEN=1,0,"TCP","203.0.113.10",7611,0,0\r')
        at.expect(b"\r\nOK\r\n\r\n+QIOPEN: 0,0\r\n")
        assert server.accepted.wait(5)


def test_direct_push_mode_delivers_data_in_the_urc(at, server) -> None:
    _activate(at)
    assert _open(at, 3, "TCP", server.port, mode=1) == b"\r\n+QIOPEN: 3,0\r\n"
    server.conn().sendall(REPLY_8001)
    at.expect(b'\r\n+QIURC: "recv",3,20\r\n' + REPLY_8001 + b"\r\n")
    assert at.cmd(b"AT+QIRD=3,1500") == b"\r\nERROR\r\n"      # no buffer in push mode


def test_every_byte_value_round_trips_through_qisend_and_qird(at, echo_server) -> None:
    payload = bytes(range(256)) + b"\x7e\x7d\x1a\x0d\x0a\x00\xff\x1b\r\n"
    _activate(at)
    _open(at, 0, "TCP", echo_server.port)
    assert _send(at, 0, payload) == b"\r\nSEND OK\r\n"
    assert echo_server.wait_received(len(payload)) == payload
    at.expect(b'\r\n+QIURC: "recv",0\r\n')
    got = b""
    while True:
        at.write(b"AT+QIRD=0,100\r")
        head = at.read_until(b"\r\n", 5) + at.read_until(b"\r\n", 5)
        n = int(re.fullmatch(rb"\r\n\+QIRD: (\d+)\r\n", head).group(1))
        if n == 0:
            at.expect(b"\r\nOK\r\n")
            break
        got += at.read_exact(n)
        at.expect(b"\r\n\r\nOK\r\n")
    assert got == payload


def test_binary_push_mode_and_stray_ctrl_z_after_data(at, echo_server) -> None:
    _activate(at)
    _open(at, 1, "TCP", echo_server.port, mode=1)
    payload = bytes(range(255, -1, -1))
    at.write(f"AT+QISEND=1,{len(payload)}\r".encode())
    at.expect(b"\r\n> ")
    at.write(payload + b"\x1a")                 # Zephyr's stray Ctrl-Z: ignored
    at.expect(b"\r\nSEND OK\r\n")
    at.expect(f'\r\n+QIURC: "recv",1,{len(payload)}\r\n'.encode())
    assert at.read_exact(len(payload)) == payload
    at.expect(b"\r\n")
    assert at.cmd(b"AT") == b"\r\nOK\r\n"


def test_qird_chunks_at_most_1500_bytes(at, server) -> None:
    _activate(at)
    _open(at, 0, "TCP", server.port)
    blob = bytes(i % 251 for i in range(4000))
    server.conn().sendall(blob)
    at.expect(b'\r\n+QIURC: "recv",0\r\n')
    time.sleep(0.2)                               # let all 4000 bytes land in the modem
    got = b""
    for expected in (1500, 1500, 1000):
        reply = at.cmd(b"AT+QIRD=0,1500")
        assert reply.startswith(f"\r\n+QIRD: {expected}\r\n".encode())
        got += reply[len(f"\r\n+QIRD: {expected}\r\n"):-len(b"\r\n\r\nOK\r\n")]
    assert at.cmd(b"AT+QIRD=0,1500") == b"\r\n+QIRD: 0\r\n\r\nOK\r\n"
    assert got == blob
    assert at.cmd(b"AT+QIRD=0,0") == b"\r\n+QIRD: 4000,4000,0\r\n\r\nOK\r\n"
    assert at.cmd(b"AT+QIRD=0,1501") == b"\r\nERROR\r\n"


def test_recv_urc_is_single_shot_until_a_read_comes_back_empty(at, server) -> None:
    _activate(at)
    _open(at, 0, "TCP", server.port)
    server.conn().sendall(b"one")
    at.expect(b'\r\n+QIURC: "recv",0\r\n')
    server.conn().sendall(b"two")
    assert at.quiet(0.3) == b""                   # not repeated
    assert at.cmd(b"AT+QIRD=0,1500") == b"\r\n+QIRD: 6\r\nonetwo\r\n\r\nOK\r\n"
    server.conn().sendall(b"three")
    assert at.quiet(0.3) == b""                   # still not drained to +QIRD: 0
    assert at.cmd(b"AT+QIRD=0,1500") == b"\r\n+QIRD: 5\r\nthree\r\n\r\nOK\r\n"
    assert at.cmd(b"AT+QIRD=0,1500") == b"\r\n+QIRD: 0\r\n\r\nOK\r\n"
    server.conn().sendall(b"four")
    at.expect(b'\r\n+QIURC: "recv",0\r\n')


def test_closed_urc_then_563_until_qiclose(sim, at, server) -> None:
    _activate(at)
    _open(at, 5, "TCP", server.port)
    assert sim.close_socket(5) is True
    at.expect(b'\r\n+QIURC: "closed",5\r\n')
    assert re.search(rb',4,1,0,0,"usbat"', at.cmd(b"AT+QISTATE=1,5"))
    assert at.cmd(b"AT+QISEND=5,1") == b"\r\nERROR\r\n"
    assert _open(at, 5, "TCP", server.port) == b"\r\n+QIOPEN: 5,563\r\n"
    assert at.cmd(b"AT+QIGETERROR") == b"\r\n+QIGETERROR: 563,socket identity has been used\r\n\r\nOK\r\n"
    assert at.cmd(b"AT+QICLOSE=5") == b"\r\nOK\r\n"
    assert at.cmd(b"AT+QISTATE=1,5") == b"\r\nOK\r\n"
    assert _open(at, 5, "TCP", server.port) == b"\r\n+QIOPEN: 5,0\r\n"


def test_qisend_on_a_closed_socket_is_error(at) -> None:
    _activate(at)
    assert at.cmd(b"AT+QISEND=2,10") == b"\r\nERROR\r\n"
    assert at.cmd(b"AT+QISEND=12,10") == b"\r\nERROR\r\n"


def test_connect_refused_is_566_and_frees_the_id(at) -> None:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    dead_port = probe.getsockname()[1]
    probe.close()                                  # nobody listens there now
    _activate(at)
    assert _open(at, 0, "TCP", dead_port) == b"\r\n+QIOPEN: 0,566\r\n"
    assert at.cmd(b"AT+QISTATE?") == b"\r\nOK\r\n"


def test_unresolvable_host_is_565(at) -> None:
    _activate(at)
    assert _open(at, 0, "TCP", 7611, host="no-such-host.invalid") == b"\r\n+QIOPEN: 0,565\r\n"


def test_injected_open_failure(sim, at, server) -> None:
    _activate(at)
    sim.fail_next_open(566)
    assert _open(at, 0, "TCP", server.port) == b"\r\n+QIOPEN: 0,566\r\n"
    assert _open(at, 0, "TCP", server.port) == b"\r\n+QIOPEN: 0,0\r\n"


def test_pdpdeact_kills_sockets_until_qideact(sim, at, server) -> None:
    _activate(at)
    _open(at, 0, "TCP", server.port)
    sim.drop_pdp(1)
    at.expect(b'\r\n+QIURC: "pdpdeact",1\r\n')
    assert at.cmd(b"AT+QIACT?") == b"\r\nOK\r\n"
    assert at.cmd(b"AT+QISEND=0,5") == b"\r\nERROR\r\n"
    assert server.conn().recv(10) == b""              # the real socket was closed
    assert at.cmd(b"AT+QIDEACT=1") == b"\r\nOK\r\n"
    assert at.cmd(b"AT+QISTATE?") == b"\r\nOK\r\n"
    assert at.cmd(b"AT+QIACT=1") == b"\r\nOK\r\n"
    assert _open(at, 0, "TCP", server.port) == b"\r\n+QIOPEN: 0,0\r\n"


def test_qiact_twice_is_error_and_open_without_context_fails(at, server) -> None:
    assert _open(at, 0, "TCP", server.port) == b"\r\n+QIOPEN: 0,561\r\n"
    _activate(at)
    assert at.cmd(b"AT+QIACT=1") == b"\r\nERROR\r\n"


def test_send_fail_injection(sim, at, server) -> None:
    _activate(at)
    _open(at, 0, "TCP", server.port)
    sim.fail_sends(2)
    assert _send(at, 0, b"lost1") == b"\r\nSEND FAIL\r\n"
    assert _send(at, 0, b"lost2") == b"\r\nSEND FAIL\r\n"
    assert _send(at, 0, b"kept") == b"\r\nSEND OK\r\n"
    assert server.wait_received(4) == b"kept"
    assert at.cmd(b"AT+QISEND=0,0") == b"\r\n+QISEND: 4,4,0\r\n\r\nOK\r\n"


def test_qisde_echoes_the_payload(at, echo_server) -> None:
    _activate(at)
    _open(at, 0, "TCP", echo_server.port)
    assert at.cmd(b"AT+QISDE=1") == b"\r\nOK\r\n"
    at.write(b"AT+QISEND=0,4\r")
    at.expect(b"\r\n> ")
    at.write(b"\x7e\x01\x02\x7e")
    at.expect(b"\x7e\x01\x02\x7e\r\nSEND OK\r\n")


def test_qisend_variable_length_ctrl_z_and_esc(at, server) -> None:
    _activate(at)
    _open(at, 0, "TCP", server.port)
    at.write(b"AT+QISEND=0\r")
    at.expect(b"\r\n> ")
    at.write(b"hello\x1a")
    at.expect(b"\r\nSEND OK\r\n")
    at.write(b"AT+QISEND=0\r")
    at.expect(b"\r\n> ")
    at.write(b"dropped\x1b")
    at.expect(b"\r\nOK\r\n")
    assert server.wait_received(5) == b"hello"


def test_qisend_length_out_of_range(at, echo_server) -> None:
    _activate(at)
    _open(at, 0, "TCP", echo_server.port)
    assert at.cmd(b"AT+QISEND=0,1461") == b"\r\nERROR\r\n"
    assert at.cmd(b"AT+QIOPEN=1,12,\"TCP\",\"127.0.0.1\",1,0,0") == b"\r\nERROR\r\n"


@pytest.fixture
def udp_echo():
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(5)
    yield sock
    sock.close()


def test_udp_datagrams(at, udp_echo) -> None:
    _activate(at)
    assert _open(at, 1, "UDP", udp_echo.getsockname()[1]) == b"\r\n+QIOPEN: 1,0\r\n"
    assert _send(at, 1, HEARTBEATS) == b"\r\nSEND OK\r\n"
    data, peer = udp_echo.recvfrom(2048)
    assert data == HEARTBEATS
    udp_echo.sendto(REPLY_8001, peer)
    udp_echo.sendto(b"second", peer)
    at.expect(b'\r\n+QIURC: "recv",1\r\n')
    time.sleep(0.1)
    assert at.cmd(b"AT+QIRD=1,1500") == b"\r\n+QIRD: 20\r\n" + REPLY_8001 + b"\r\n\r\nOK\r\n"
    assert at.cmd(b"AT+QIRD=1,1500") == b"\r\n+QIRD: 6\r\nsecond\r\n\r\nOK\r\n"
    assert at.cmd(b"AT+QIRD=1,1500") == b"\r\n+QIRD: 0\r\n\r\nOK\r\n"
    assert re.fullmatch(rb'\r\n\+QISTATE: 1,"UDP","127\.0\.0\.1",\d+,\d+,2,1,0,0,"usbat"\r\n\r\nOK\r\n',
                        at.cmd(b"AT+QISTATE=0,1"))
    assert at.cmd(b"AT+QICLOSE=1") == b"\r\nOK\r\n"


def test_udp_service(at, udp_echo) -> None:
    _activate(at)
    at.write(b'AT+QIOPEN=1,2,"UDP SERVICE","127.0.0.1",0,0,0\r')
    at.expect(b"\r\nOK\r\n\r\n+QIOPEN: 2,0\r\n")
    port = udp_echo.getsockname()[1]
    at.write(f'AT+QISEND=2,5,"127.0.0.1",{port}\r'.encode())
    at.expect(b"\r\n> ")
    at.write(b"hello")
    at.expect(b"\r\nSEND OK\r\n")
    data, peer = udp_echo.recvfrom(100)
    assert data == b"hello"
    udp_echo.sendto(b"back", peer)
    at.expect(b'\r\n+QIURC: "recv",2\r\n')
    assert at.cmd(b"AT+QIRD=2") == f'\r\n+QIRD: 4,"127.0.0.1",{port}\r\nback\r\n\r\nOK\r\n'.encode()
