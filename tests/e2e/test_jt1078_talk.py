"""End to end, JT/T 1078 two-way talk (0x9101 data type 2, issue 16): the platform's media
server says a tone (hal.audio.ToneSource) on the talk link the terminal opened, over real
loopback TCP and UDP; every G.711A frame arrives at the terminal's talk sink, in order;
the terminal (no microphone here) says G.711A silence, so the platform knows the link;
0x9102 command 4 closes the talk and leaves the live video of the channel alone."""
from __future__ import annotations

import anyio
import pytest

from hal.audio import ToneSource
from hal.video import TestPatternSource
from jt808.jt1078 import LiveVideoControl, LiveVideoRequest

from jt1078_support import PHONE, video_rig

pytestmark = pytest.mark.anyio
SILENCE = 0xD5          # G.711 A-law code of 0 (ITU-T G.711 table 2a: 0 -> 0xD5)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def _until(predicate, timeout=10):
    with anyio.fail_after(timeout):
        while not predicate():
            await anyio.sleep(0.01)


@pytest.mark.parametrize("tcp", [True, False], ids=["tcp", "udp"])
async def test_the_platform_speaks_and_the_terminal_hears_every_frame(tmp_path, tcp):
    heard: list[tuple[int, bytes]] = []
    tone = ToneSource(1000, frames=10)
    async with video_rig(tmp_path, {1: None}, talk_sink=lambda ch, data: heard.append(
            (ch, data))) as (platform, media, _terminal, video):
        assert (await media.request_talk(platform, PHONE, 1, tcp=tcp)).result == 0
        assert await media.talk(PHONE, 1, tone.units(), paced=False) == 10
        await _until(lambda: len(heard) == 10)
        assert video.talks[1].stats["talk_frames"] == 10
        assert video.talks[1].stats["talk_refused"] == 0
        record = media.channel(PHONE, 1)
        assert record.audio_frames > 0 and record.frames == 0          # no video on a talk
        assert (await platform.request(PHONE, LiveVideoControl(1, 4))).result == 0
        await _until(lambda: not video.talks)
    assert heard == [(1, unit.data) for unit in tone.iter_units()]
    assert set(record.audio_path.read_bytes()) == {SILENCE}


async def test_a_talk_leaves_the_channels_live_video_alone(tmp_path):
    sources = {1: TestPatternSource(160, 128, 15, frames=None)}
    async with video_rig(tmp_path, sources, audio=ToneSource(440, frames=None)) as (
            platform, media, _terminal, video):
        assert (await media.request_live(platform, PHONE, 1)).result == 0
        await _until(lambda: 1 in video.streams)
        await media.wait_for(lambda: media.channel(PHONE, 1).frames >= 1)   # the live link
        assert (await media.request_talk(platform, PHONE, 1)).result == 0
        await media.talk(PHONE, 1, ToneSource(frames=3).units(), paced=False)
        await _until(lambda: 1 in video.talks and video.talks[1].talk.frames == 3)
        assert (await platform.request(PHONE, LiveVideoControl(1, 4))).result == 0
        await _until(lambda: not video.talks)
        assert 1 in video.streams and not video.streams[1].closed.is_set()
        assert (await platform.request(PHONE, LiveVideoControl(1, 4))).result == 1   # none


@pytest.mark.parametrize("channel, data_type, result", [
    (1, 4, 3), (1, 5, 3),                 # broadcast, pass-through: not supported
    (9, 2, 1),                            # a talk on a channel the terminal does not have
    (1, 3, 1)])                           # listening without a microphone
async def test_what_the_terminal_cannot_do_is_refused(tmp_path, channel, data_type, result):
    async with video_rig(tmp_path, {1: None}) as (platform, media, _terminal, video):
        request = LiveVideoRequest("127.0.0.1", media.tcp_port, 0, channel, data_type, 0)
        assert (await platform.request(PHONE, request)).result == result
        assert not video.talks and not video.streams
