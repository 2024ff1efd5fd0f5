"""Fixtures for the modem simulator tests: a running simulator and a raw AT client."""
from __future__ import annotations

import re
import socket
import threading
import time
from typing import Iterator

import pytest
import serial

from hal.modem_sim import ModemSimulator

FINAL = re.compile(rb"\r\n(OK|ERROR|SEND OK|SEND FAIL|\+CM[ES] ERROR: [^\r]*)\r\n")


class AtClient:
    """Raw bytes over the simulator's pty, the way a driver sees them."""

    def __init__(self, path: str) -> None:
        self.port = serial.Serial(path, timeout=0.05)
        self.buf = bytearray()

    def write(self, data: bytes) -> None:
        self.port.write(data)

    def _fill(self, deadline: float) -> None:
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out; have {bytes(self.buf)!r}")
        self.buf += self.port.read(max(1, self.port.in_waiting))

    def read_exact(self, n: int, timeout: float = 5.0) -> bytes:
        deadline = time.monotonic() + timeout
        while len(self.buf) < n:
            self._fill(deadline)
        out = bytes(self.buf[:n])
        del self.buf[:n]
        return out

    def read_until(self, marker: bytes, timeout: float = 5.0) -> bytes:
        deadline = time.monotonic() + timeout
        while marker not in self.buf:
            self._fill(deadline)
        end = self.buf.index(marker) + len(marker)
        out = bytes(self.buf[:end])
        del self.buf[:end]
        return out

    def read_final(self, timeout: float = 5.0) -> bytes:
        deadline = time.monotonic() + timeout
        while not (match := FINAL.search(self.buf)):
            self._fill(deadline)
        out = bytes(self.buf[:match.end()])
        del self.buf[:match.end()]
        return out

    def cmd(self, line: bytes, timeout: float = 5.0) -> bytes:
        self.write(line + b"\r")
        return self.read_final(timeout)

    def expect(self, data: bytes, timeout: float = 5.0) -> None:
        assert self.read_exact(len(data), timeout) == data

    def quiet(self, wait: float = 0.2) -> bytes:
        """Whatever arrives within ``wait`` seconds (to show that nothing does)."""
        time.sleep(wait)
        self.buf += self.port.read(4096)
        out = bytes(self.buf)
        self.buf.clear()
        return out

    def close(self) -> None:
        self.port.close()


@pytest.fixture
def at_client() -> Iterator:
    """Factory: an AtClient on a given pty path (closed at teardown)."""
    clients: list[AtClient] = []

    def make(path: str) -> AtClient:
        clients.append(AtClient(path))
        return clients[-1]
    yield make
    for client in clients:
        client.close()


@pytest.fixture
def sim() -> Iterator[ModemSimulator]:
    with ModemSimulator(time_to_fix=0.3, nmea_interval=0.2) as s:
        yield s


@pytest.fixture
def at(sim: ModemSimulator) -> Iterator[AtClient]:
    client = AtClient(sim.at_port)
    assert client.cmd(b"ATE0") == b"ATE0\r\r\nOK\r\n"
    assert client.cmd(b"AT+CMEE=1") == b"\r\nOK\r\n"
    assert client.cmd(b"AT+QISDE=0") == b"\r\nOK\r\n"
    yield client
    client.close()


class TcpServer:
    """A real loopback TCP server: records what it gets, sends what it is told."""

    def __init__(self, echo: bool = False) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.echo = echo
        self.conns: list[socket.socket] = []
        self.received = bytearray()
        self.accepted = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.conns.append(conn)
            self.accepted.set()
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            while data := conn.recv(65536):
                self.received += data
                if self.echo:
                    conn.sendall(data)
        except OSError:
            return              # closed under us at teardown

    def wait_received(self, n: int, timeout: float = 5.0) -> bytes:
        deadline = time.monotonic() + timeout
        while len(self.received) < n:
            assert time.monotonic() < deadline, f"server got {bytes(self.received)!r}"
            time.sleep(0.01)
        return bytes(self.received)

    def conn(self) -> socket.socket:
        assert self.accepted.wait(5)
        return self.conns[-1]

    def hangup(self) -> None:
        """The server closes the newest connection (FIN to the modem)."""
        conn = self.conn()
        conn.shutdown(socket.SHUT_RDWR)
        conn.close()

    def close(self) -> None:
        self.listener.close()
        for conn in self.conns:
            conn.close()


@pytest.fixture
def server() -> Iterator[TcpServer]:
    srv = TcpServer()
    yield srv
    srv.close()


@pytest.fixture
def echo_server() -> Iterator[TcpServer]:
    srv = TcpServer(echo=True)
    yield srv
    srv.close()
