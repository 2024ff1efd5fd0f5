"""G.711 A-law and the audio sources."""
from __future__ import annotations

import anyio
import pytest

from hal.audio import (AlsaAudioSource, ToneSource, alaw_decode, alaw_encode,
                       alaw_from_linear, linear_from_alaw)
from hal.video import VideoUnavailableError


@pytest.mark.parametrize("sample, code", [(0, 0xD5), (-1, 0x55), (32767, 0xAA),
                                          (-32768, 0x2A), (16, 0xD4), (256, 0xC5)])
def test_alaw_codes_of_g711(sample, code):
    """ITU-T G.711 table 1a/2a: 0 -> 0xD5, full scale -> 0xAA/0x2A (even bits inverted)."""
    assert alaw_from_linear(sample) == code


def test_decoding_gives_the_segment_mid_values():
    assert [linear_from_alaw(c) for c in (0xD5, 0x55, 0xAA, 0x2A)] == [8, -8, 32256, -32256]


def test_every_code_survives_decode_then_encode():
    assert alaw_encode(alaw_decode(bytes(range(256)))) == bytes(range(256))


def test_tone_frames_are_320_bytes_per_40_ms_and_carry_the_tone():
    units = list(ToneSource(1000, frames=3).iter_units())
    assert [(len(u.data), u.timestamp) for u in units] == [(320, 0), (320, 40), (320, 80)]
    pcm = memoryview(alaw_decode(units[0].data)).cast("h")
    assert max(pcm) > 7000 and min(pcm) < -7000
    # 1 kHz at 8 kHz: the sign changes twice every 8 samples
    changes = sum((pcm[i] >= 0) != (pcm[i + 1] >= 0) for i in range(len(pcm) - 1))
    assert 75 <= changes <= 85


def test_alsa_source_command_and_missing_ffmpeg(tmp_path):
    assert AlsaAudioSource("hw:1").command()[-8:] == ["-i", "hw:1", "-ac", "1", "-ar", "8000",
                                                      "-f", "alaw", "-"][-8:]

    async def collect():
        return [u async for u in AlsaAudioSource(ffmpeg=str(tmp_path / "no")).units()]
    with pytest.raises(VideoUnavailableError):
        anyio.run(collect)
