"""The platform's media server under bad input and with audio (issue 16): junk on one
link costs only that link; audio frames land in the channel's .g711a file."""
from __future__ import annotations

import anyio
import pytest

from hal.audio import ToneSource, alaw_decode
from hal.video import TestPatternSource
from jt808.jt1078 import DataType, Packer
from jt808.platform._media_server import MediaServer

from jt1078_support import PHONE, decode_file, video_rig

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def test_junk_on_one_link_leaves_the_others_served(tmp_path):
    async with MediaServer(tmp_path) as media:
        await media.serve()
        bad = await anyio.connect_tcp("127.0.0.1", media.tcp_port)
        await bad.send(b"\x30\x31\x63\x64" + bytes(range(256)) * 40)   # a magic, then junk
        good = await anyio.connect_tcp("127.0.0.1", media.tcp_port)
        packer = Packer("13800138000")
        units = list(TestPatternSource(160, 128, 15, frames=10).iter_units())
        for unit in units:
            kind = DataType.I_FRAME if unit.keyframe else DataType.P_FRAME
            for wire in packer.pack(2, kind, unit.data, unit.timestamp):
                await good.send(wire)
        await good.aclose()
        record = media.channel(PHONE, 2)
        await media.wait_for(lambda: record.frames == 10)
        await bad.aclose()
        await media.wait_for(lambda: media.links == 0)
    assert [index for index, *_ in decode_file(record.video_path)] == list(range(10))
    assert record.summary()["junk_bytes"] == 0


async def test_udp_datagrams_with_a_lost_packet_lose_one_frame(tmp_path):
    async with MediaServer(tmp_path) as media:
        await media.serve()
        sock = await anyio.create_connected_udp_socket("127.0.0.1", media.udp_port)
        packer = Packer("13800138000", max_body=200)
        units = list(TestPatternSource(160, 128, 15, frames=20).iter_units())
        wires = [w for u in units for w in packer.pack(
            1, DataType.I_FRAME if u.keyframe else DataType.P_FRAME, u.data, u.timestamp)]
        lost = len(wires) // 2
        for index, wire in enumerate(wires):
            if index != lost:
                await sock.send(wire)
        record = media.channel(PHONE, 1)
        await media.wait_for(lambda: media.packets_received == len(wires) - 1)
        await sock.aclose()
    summary = record.summary()             # the frames held behind the gap: out at close
    assert summary["lost_packets"] == 1 and summary["frames"] == 19
    assert 0 < summary["loss_rate"] < 0.05


async def test_live_audio_and_video_reach_their_files(tmp_path):
    sources = {1: TestPatternSource(160, 128, 15, frames=15)}
    async with video_rig(tmp_path, sources, audio=ToneSource(1000, frames=25)) as rig:
        platform, media, _terminal, video = rig
        assert (await media.request_live(platform, PHONE, 1, data_type=0)).result == 0
        await media.wait_for(lambda: video.streams, timeout=5)
        await video.streams[1].closed.wait()
        record = media.channel(PHONE, 1)
        await media.wait_for(lambda: media.links == 0, timeout=5)
    assert record.frames == 15 and record.audio_frames == 25
    pcm = memoryview(alaw_decode(record.audio_path.read_bytes())).cast("h")
    assert len(pcm) == 25 * 320 and max(pcm) > 7000
