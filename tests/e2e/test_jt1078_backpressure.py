"""A media link that cannot keep up (issue 16, backpressure): the peer reads nothing, so
the real TCP socket fills; frames keep coming at their timestamps; the terminal drops
P-frames before I-frames and its queue stays bounded, and says so in its stats."""
from __future__ import annotations

import os
import socket

import anyio
import pytest

from hal.video import AccessUnit
from jt808.jt1078 import Packer
from jt808.terminal._video import MediaStream

pytestmark = pytest.mark.anyio
MAX_QUEUE = 1 << 20
I_SIZE, P_SIZE = 120_000, 60_000


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


FRAMES = 600    # about 38 MB at 1 ms intervals into a peer that reads nothing
produced = []


async def _heavy_video(frames: int):
    """I-frames of 120 kB every 15 frames, P-frames of 60 kB, 1 ms apart."""
    payload_i, payload_p = os.urandom(I_SIZE), os.urandom(P_SIZE)
    for index in range(frames):
        key = index % 15 == 0
        yield AccessUnit(payload_i if key else payload_p, index, key)
        produced.append(index)


async def test_a_stalled_link_drops_p_frames_and_stays_bounded():
    # the peer is a plain socket that accepts and never reads (an anyio stream would read
    # eagerly into its own buffer and absorb everything)
    server = socket.create_server(("127.0.0.1", 0))
    server.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
    port = server.getsockname()[1]
    try:
        async with anyio.create_task_group() as tg:
            transport = await anyio.connect_tcp("127.0.0.1", port)   # send() + aclose()
            peer, _ = await anyio.to_thread.run_sync(server.accept)
            sock = transport.extra(anyio.abc.SocketAttribute.raw_socket)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 65536)
            stream = MediaStream(1, transport, Packer("13800138000"), "live", MAX_QUEUE,
                                 anyio.current_time)
            peak = 0

            async def watch():
                nonlocal peak
                while not stream.closed.is_set():
                    peak = max(peak, stream.queue.queued_bytes)
                    await anyio.sleep(0.001)

            tg.start_soon(watch)
            produced.clear()
            tg.start_soon(stream.run, _heavy_video(FRAMES), None)
            with anyio.fail_after(60):
                while len(produced) < FRAMES:
                    await anyio.sleep(0.01)
            stats = stream.stats
            waiting = len(stream.queue)
            stream.close()
            tg.cancel_scope.cancel()
        peer.close()
    finally:
        server.close()
    assert stats["frames_dropped"] >= FRAMES // 2      # the socket buffers hold a few frames
    dropped_p = stats["frames_dropped"] - stats["i_frames_dropped"]
    assert dropped_p > 5 * stats["i_frames_dropped"]
    assert peak <= MAX_QUEUE + I_SIZE
    assert stats["bitrate_bps"] > 0
    in_flight = 1 if stats["frames_sent"] + stats["frames_dropped"] + waiting < FRAMES else 0
    assert stats["frames_sent"] + stats["frames_dropped"] + waiting + in_flight == FRAMES
