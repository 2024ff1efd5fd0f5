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


FRAMES = 1500   # about 95 MB at 1 ms intervals, into 64 kB socket buffers
produced = []


async def _heavy_video(frames: int):
    """I-frames of 120 kB every 15 frames, P-frames of 60 kB, 1 ms apart."""
    payload_i, payload_p = os.urandom(I_SIZE), os.urandom(P_SIZE)
    for index in range(frames):
        key = index % 15 == 0
        yield AccessUnit(payload_i if key else payload_p, index, key)
        produced.append(index)


async def test_a_stalled_link_drops_p_frames_and_stays_bounded():
    accepted = []
    listener = await anyio.create_tcp_listener(local_host="127.0.0.1")
    port = listener.extra(anyio.abc.SocketAttribute.local_port)
    async with anyio.create_task_group() as tg:
        tg.start_soon(listener.serve, lambda stream: _hold(stream, accepted))
        transport = await anyio.connect_tcp("127.0.0.1", port)   # send() + aclose()
        _small_buffers(transport)
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
    assert stats["frames_dropped"] >= FRAMES // 2
    dropped_p = stats["frames_dropped"] - stats["i_frames_dropped"]
    assert dropped_p > 5 * stats["i_frames_dropped"]
    assert peak <= MAX_QUEUE + I_SIZE
    assert stats["bitrate_bps"] > 0
    in_flight = 1 if stats["frames_sent"] + stats["frames_dropped"] + waiting < FRAMES else 0
    assert stats["frames_sent"] + stats["frames_dropped"] + waiting + in_flight == FRAMES


async def _hold(stream, accepted):
    _small_buffers(stream)
    accepted.append(stream)
    await anyio.sleep_forever()


def _small_buffers(stream) -> None:
    """64 kB socket buffers, so a stalled peer stalls the sender quickly (loopback
    autotuning would otherwise absorb a hundred MB first)."""
    sock = stream.extra(anyio.abc.SocketAttribute.raw_socket)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 65536)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
