"""End to end, JT/T 1078 live video (issue 16): 10 s of a 640x480 test pattern at 15 fps
from a terminal to the platform's media server over real loopback TCP and UDP; the file
the platform writes is decoded with PyAV and checked picture by picture."""
from __future__ import annotations

import json

import anyio
import pytest

from hal.video import TestPatternSource
from jt808.frame import Version

from jt1078_support import PHONE, decode_file, looks_like_pattern, video_rig

pytestmark = pytest.mark.anyio
FRAMES = 150          # 10 s at 15 fps


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.parametrize("tcp, version", [(True, Version.V2013), (False, Version.V2019)],
                         ids=["tcp-2013", "udp-2019"])
async def test_ten_seconds_of_test_pattern_arrive_decodable(tmp_path, tcp, version):
    source = TestPatternSource(640, 480, 15, frames=FRAMES)
    async with video_rig(tmp_path, {1: source}, version=version) as (platform, media,
                                                                       terminal, video):
        reply = await media.request_live(platform, PHONE, 1, tcp=tcp)
        assert reply.result == 0
        await media.wait_for(lambda: video.streams, timeout=5)
        stream = video.streams[1]
        await stream.closed.wait()                      # the source ran out
        record = media.channel(PHONE, 1)
        await media.wait_for(lambda: record.frames >= stream.frames_sent or
                             (not tcp and record.frames >= 0.95 * FRAMES), timeout=5)
        stats = stream.stats
    summary = json.loads(record.summary_path.read_text())
    pictures = decode_file(record.video_path)
    indexes = [index for index, *_ in pictures]
    assert len(pictures) >= 0.95 * FRAMES
    assert indexes == sorted(indexes) and indexes[0] == 0
    first = pictures[0]
    assert looks_like_pattern(first[1], 640, 480, first[3], 0)
    assert summary["frames"] == len(pictures) and summary["keyframes"] >= FRAMES // 15
    assert summary["sim"] == PHONE and summary["bitrate_bps"] > 0
    assert stats["frames_sent"] == FRAMES and stats["frames_dropped"] == 0
    import av
    with av.open(str(record.mp4_path)) as mp4:                 # remuxed at close
        assert mp4.streams.video[0].average_rate == 15
        assert sum(1 for _ in mp4.decode(video=0)) == len(pictures)
    with av.open(str(record.flv_path)) as flv:                 # issue 16: .flv too
        assert flv.format.name == "flv"
        assert sum(1 for _ in flv.decode(video=0)) == len(pictures)
    written = json.loads(record.summary_path.read_text())
    assert (written["mp4_file"], written["flv_file"]) == (record.mp4_path.name,
                                                          record.flv_path.name)


async def test_close_and_pause_through_0x9102(tmp_path):
    from jt808.jt1078 import LiveVideoControl
    source = TestPatternSource(160, 128, 15, frames=None)       # runs until closed
    async with video_rig(tmp_path, {1: source}) as (platform, media, terminal, video):
        await media.request_live(platform, PHONE, 1)
        record = media.channel(PHONE, 1)
        await media.wait_for(lambda: record.frames >= 5)
        reply = await platform.request(PHONE, LiveVideoControl(1, 2))          # pause
        assert reply.result == 0 and video.streams[1].paused
        assert (await platform.request(PHONE, LiveVideoControl(1, 3))).result == 0
        before = record.frames
        await media.wait_for(lambda: record.frames >= before + 5)
        assert (await platform.request(PHONE, LiveVideoControl(1, 0, 0))).result == 0
        await media.wait_for(lambda: not video.streams and media.links == 0)
        assert (await platform.request(PHONE, LiveVideoControl(1, 0))).result == 1
    pictures = decode_file(record.video_path)
    assert len(pictures) == record.frames and pictures[0][0] == 0


async def test_a_request_for_an_unknown_channel_fails(tmp_path):
    async with video_rig(tmp_path, {1: TestPatternSource(160, 128, 15, frames=1)}) as rig:
        platform, media, _terminal, video = rig
        assert (await media.request_live(platform, PHONE, 9)).result == 1
        assert not video.streams


async def test_a_closed_media_port_fails_the_request(tmp_path):
    from jt808.jt1078 import LiveVideoRequest
    async with video_rig(tmp_path, {1: TestPatternSource(160, 128, 15, frames=1)}) as rig:
        platform, _media, _terminal, _video = rig
        listener = await anyio.create_tcp_listener(local_host="127.0.0.1")
        port = listener.extra(anyio.abc.SocketAttribute.local_port)
        await listener.aclose()                               # nothing listens there now
        reply = await platform.request(PHONE, LiveVideoRequest("127.0.0.1", port, 0, 1, 1, 0))
        assert reply.result == 1


async def test_switch_to_the_sub_stream_and_close_audio_only(tmp_path):
    from hal.audio import ToneSource
    from jt808.jt1078 import LiveVideoControl
    main = TestPatternSource(320, 240, 15, frames=None)
    sub = TestPatternSource(160, 128, 15, frames=None)
    sources = {(1, 0): main, (1, 1): sub}
    async with video_rig(tmp_path, sources, audio=ToneSource(frames=None)) as rig:
        platform, media, _terminal, video = rig
        assert (await media.request_live(platform, PHONE, 1, data_type=0)).result == 0
        record = media.channel(PHONE, 1)
        await media.wait_for(lambda: record.frames >= 3 and record.audio_frames >= 3)
        assert (await platform.request(PHONE, LiveVideoControl(1, 1, 0, 1))).result == 0
        before = record.frames
        await media.wait_for(lambda: record.frames >= before + 20)
        assert (await platform.request(PHONE, LiveVideoControl(1, 0, 1))).result == 0
        stream = video.streams[1]
        assert not stream.audio_on and stream.video_on and not stream.closed.is_set()
        assert (await platform.request(PHONE, LiveVideoControl(1, 0, 2))).result == 0
        await media.wait_for(lambda: not video.streams and media.links == 0)
    import av
    with av.open(str(record.video_path), format="h264") as container:
        sizes = [(f.width, f.height) for f in container.decode(video=0)]
    assert sizes[0] == (320, 240) and sizes[-1] == (160, 128)
