"""The terminal's two-way talk receiver (jt808.terminal._video_talk) on a real memory
link: G.711A audio frames (payload type 6, JT/T 1078 table 12) go to the sink in order;
G.711U audio and video are refused; junk and an oversized frame cost only themselves."""
from __future__ import annotations

import anyio
import pytest

from jt808.jt1078 import DataType, Packer, PayloadType
from jt808.terminal._video_talk import MAX_TALK_FRAME, TalkReceiver
from jt808.transport import memory_pair

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def _hear(kind: str, wires: list[bytes], sink=None) -> TalkReceiver:
    talk = TalkReceiver(sink)
    platform, terminal = memory_pair(kind=kind)
    async with anyio.create_task_group() as tg:
        tg.start_soon(talk.run, terminal)
        for wire in wires:
            await platform.send(wire)
        await platform.aclose()
    return talk


@pytest.mark.parametrize("kind", ["stream", "datagram"])
async def test_g711a_frames_reach_the_sink_and_the_rest_is_refused(kind):
    heard = []
    packer = Packer("13800138000")
    u_law = Packer("13800138000", audio_type=PayloadType.G711U, first_sequence=2)
    wires = (packer.pack(1, DataType.AUDIO, b"\xd5" * 320, 0)
             + packer.pack(1, DataType.I_FRAME, b"\x00\x00\x00\x01\x65" + bytes(50), 0)
             + u_law.pack(1, DataType.AUDIO, b"\xff" * 320, 40))
    packer.sequence = u_law.sequence                # one link: one packet sequence
    wires += packer.pack(2, DataType.AUDIO, b"\x55" * 160, 80)
    if kind == "stream":
        wires = [b"junk" + b"".join(wires)]          # a TCP stream in one chunk, junk first
    talk = await _hear(kind, wires, lambda channel, data: heard.append((channel, data)))
    assert heard == [(1, b"\xd5" * 320), (2, b"\x55" * 160)]
    assert (talk.frames, talk.bytes, talk.refused) == (2, 480, 2)


async def test_a_frame_over_the_bound_is_dropped_not_buffered():
    packer = Packer("13800138000")
    wires = packer.pack(1, DataType.AUDIO, bytes(MAX_TALK_FRAME + 1), 0)
    wires += packer.pack(1, DataType.AUDIO, b"\xd5" * 320, 40)
    talk = await _hear("stream", wires)
    assert talk.frames == 1 and talk.depacker is not None
    assert talk.depacker.stats.frames_dropped == 1


async def test_an_awaitable_sink_is_awaited():
    heard = []

    async def sink(channel, data):
        await anyio.sleep(0)
        heard.append(data)
    await _hear("stream", Packer("13800138000").pack(3, DataType.AUDIO, b"\xd5" * 8, 0), sink)
    assert heard == [b"\xd5" * 8]
