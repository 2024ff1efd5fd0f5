"""tcp, udp and memory beyond the shared suite: refused connections, listeners,
UDP demultiplexing by peer address, the memory rendezvous."""
from __future__ import annotations

import socket

import anyio
import pytest

from jt808.errors import TransportError
from jt808.transport import (ByteStreamTransport, DatagramTransport, Listener, memory_pair,
                             open_listener, open_transport)

pytestmark = pytest.mark.anyio


def _closed_port(kind: int) -> int:
    """A loopback port nothing listens on (bound, read back, released)."""
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_tcp_connection_refused_keeps_cause() -> None:
    port = _closed_port(socket.SOCK_STREAM)
    with pytest.raises(TransportError) as info:
        await open_transport(f"tcp://127.0.0.1:{port}")
    assert isinstance(info.value.__cause__, OSError)
    assert str(port) in str(info.value)


async def test_tcp_unresolvable_host_is_transport_error() -> None:
    with pytest.raises(TransportError) as info:
        await open_transport("tcp://no-such-host.invalid:6808", connect_timeout=5)
    assert info.value.__cause__ is not None


async def test_udp_refused_port_surfaces_on_next_call() -> None:
    """ICMP port unreachable reaches a connected UDP socket as ConnectionRefusedError."""
    port = _closed_port(socket.SOCK_DGRAM)
    t = await open_transport(f"udp://127.0.0.1:{port}")
    async with t:
        await t.send(b"\x7e\x00\x02\x7e")
        with pytest.raises(TransportError) as info:
            with anyio.fail_after(5):
                await t.receive()
        assert isinstance(info.value.__cause__, ConnectionRefusedError)


async def test_tcp_peer_reset_mid_stream() -> None:
    """An abortive close (RST) is a TransportError or a clean end, never a hang."""
    async with await open_listener("tcp://127.0.0.1:0") as listener:
        host, port = listener.address
        raw = socket.create_connection((host, port))
        far = await listener.accept()
        raw.sendall(b"\x7e" * 10)
        raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        raw.close()
        async with far:
            got = b""
            with anyio.fail_after(5):
                try:
                    while chunk := await far.receive():
                        got += chunk
                except TransportError as exc:
                    assert isinstance(exc.__cause__, anyio.BrokenResourceError)
                    assert isinstance(exc.__cause__.__cause__, ConnectionResetError)
                    assert "ConnectionResetError" in str(exc)
            assert got in (b"", b"\x7e" * 10)


async def test_tcp_listen_on_used_port_is_transport_error() -> None:
    async with await open_listener("tcp://127.0.0.1:0") as listener:
        with pytest.raises(TransportError) as info:
            await open_listener(f"tcp://127.0.0.1:{listener.address[1]}")
        assert isinstance(info.value.__cause__, OSError)


async def test_listener_iteration_ends_when_closed() -> None:
    listener = await open_listener("tcp://127.0.0.1:0")
    host, port = listener.address
    accepted = []

    async def serve() -> None:
        async for peer in listener:
            accepted.append(peer)

    async with anyio.create_task_group() as tg:
        tg.start_soon(serve)
        clients = [await open_transport(f"tcp://{host}:{port}") for _ in range(3)]
        while len(accepted) < 3:
            await anyio.sleep(0.001)
        await listener.aclose()
    assert len(accepted) == 3
    for t in clients + accepted:
        await t.aclose()


async def test_udp_listener_demultiplexes_peers() -> None:
    """Three clients talk to one bound socket; each gets its own transport and its own
    replies, interleaved in any order."""
    async with await open_listener("udp://127.0.0.1:0") as listener:
        assert isinstance(listener, Listener)
        host, port = listener.address
        clients = [await open_transport(f"udp://{host}:{port}") for _ in range(3)]
        for round_ in range(5):
            for i, client in enumerate(clients):
                await client.send(bytes([i, round_]) + b"\x7e")
        peers = {}
        for _ in clients:
            peer = await listener.accept()
            peers[peer.remote_address] = peer
        assert len(peers) == 3
        for client in clients:
            peer = peers[client._dsock.sock.getsockname()]
            first = await peer.receive()
            index = first[0]
            assert [first] + [await peer.receive() for _ in range(4)] == [
                bytes([index, r]) + b"\x7e" for r in range(5)]
            await peer.send(b"reply " + bytes([index]))
            assert await client.receive() == b"reply " + bytes([index])
        for t in clients + list(peers.values()):
            await t.aclose()


async def test_udp_peers_read_concurrently() -> None:
    """Several tasks wait on different peers at once; whichever reads files for all."""
    async with await open_listener("udp://127.0.0.1:0") as listener:
        host, port = listener.address
        clients = [await open_transport(f"udp://{host}:{port}") for _ in range(4)]
        peers = []
        for i, client in enumerate(clients):
            await client.send(b"hello %d" % i)
            peer = await listener.accept()
            assert await peer.receive() == b"hello %d" % i
            peers.append(peer)
        results: dict[int, list[bytes]] = {}

        async def drain(i: int) -> None:
            results[i] = [await peers[i].receive() for _ in range(20)]

        async with anyio.create_task_group() as tg:
            for i in range(4):
                tg.start_soon(drain, i)
            await anyio.sleep(0)
            for n in range(20):
                for i, client in enumerate(clients):
                    await client.send(b"%d:%d" % (i, n))
        assert results == {i: [b"%d:%d" % (i, n) for n in range(20)] for i in range(4)}
        for t in clients + peers:
            await t.aclose()


async def test_udp_closed_peer_and_closed_listener() -> None:
    listener = await open_listener("udp://127.0.0.1:0")
    host, port = listener.address
    client = await open_transport(f"udp://{host}:{port}")
    await client.send(b"one")
    peer = await listener.accept()
    await peer.aclose()
    with pytest.raises(TransportError):
        await peer.receive()
    with pytest.raises(TransportError):
        await peer.send(b"x")
    await client.send(b"two")          # the same address again: a new peer
    again = await listener.accept()
    assert again is not peer and await again.receive() == b"two"
    await listener.aclose()
    with pytest.raises(TransportError):
        await again.receive()
    with pytest.raises(TransportError):
        await listener.accept()
    await client.aclose()


async def test_closing_a_udp_peer_wakes_its_waiting_receiver() -> None:
    async with await open_listener("udp://127.0.0.1:0") as listener:
        host, port = listener.address
        one, two = [await open_transport(f"udp://{host}:{port}") for _ in range(2)]
        peers = []
        for client in (one, two):
            await client.send(b"hi")
            peers.append(await listener.accept())
            await peers[-1].receive()
        outcome = []

        async def wait_on(peer: object) -> None:
            try:
                await peer.receive()  # type: ignore[attr-defined]
            except TransportError:
                outcome.append("closed")

        with anyio.fail_after(5):
            async with anyio.create_task_group() as tg:
                tg.start_soon(wait_on, peers[0])   # becomes the reader
                tg.start_soon(wait_on, peers[1])   # waits for the reader
                await anyio.sleep(0.01)
                await peers[1].aclose()
                while len(outcome) < 1:
                    await anyio.sleep(0.001)
                await peers[0].aclose()           # no datagram comes: the read is cancelled
        assert outcome == ["closed", "closed"]
        for t in (one, two):
            await t.aclose()


async def test_memory_listener_accepts_each_opener() -> None:
    async with await open_listener("memory://depot") as listener:
        assert listener.address == "depot"
        with pytest.raises(TransportError):
            await open_listener("memory://depot")
        a = await open_transport("memory://depot")
        b = await open_transport("memory://depot")
        server_a, server_b = await listener.accept(), await listener.accept()
        await a.send(b"from a")
        await b.send(b"from b")
        assert await server_a.receive() == b"from a"
        assert await server_b.receive() == b"from b"
        for t in (a, b, server_a, server_b):
            await t.aclose()
    # once the listener is gone the name pairs openers again
    first = await open_transport("memory://depot")
    second = await open_transport("memory://depot")
    await first.send(b"x")
    assert await second.receive() == b"x"
    await first.aclose()
    await second.aclose()


async def test_memory_kinds_must_match() -> None:
    first = await open_transport("memory://mixed?kind=datagram")
    with pytest.raises(ValueError):
        await open_transport("memory://mixed")
    await first.aclose()


def test_interfaces_are_checkable() -> None:
    stream, _ = memory_pair()
    datagram, _ = memory_pair(kind="datagram")
    assert isinstance(stream, ByteStreamTransport) and stream.kind == "stream"
    assert isinstance(datagram, DatagramTransport) and datagram.kind == "datagram"
    with pytest.raises(ValueError):
        memory_pair(kind="carrier")
