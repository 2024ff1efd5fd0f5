"""hal.audio: generated WAV audio; the ffmpeg command line; a missing ffmpeg is a typed
error (no ffmpeg binary in CI: the capture itself is not run here)."""
from __future__ import annotations

import io
import wave

import pytest

from hal.audio import AudioError, FfmpegAudio, GeneratedAudio

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def test_generated_audio_is_a_wav_of_the_asked_length():
    data = await GeneratedAudio().record(1.5, 8000)
    with wave.open(io.BytesIO(data)) as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, 8000)
        assert wav.getnframes() == 12000


async def test_generated_audio_is_bounded():
    data = await GeneratedAudio().record(10**9, 8000)
    with wave.open(io.BytesIO(data)) as wav:
        assert wav.getnframes() == 300 * 8000


def test_ffmpeg_command_line():
    cmd = FfmpegAudio("hw:1").command(5, 11025)
    assert cmd[cmd.index("-i") + 1] == "hw:1" and cmd[cmd.index("-ar") + 1] == "11025"


async def test_missing_ffmpeg_is_a_typed_error():
    with pytest.raises(AudioError, match="not installed"):
        await FfmpegAudio(ffmpeg="no-such-ffmpeg-binary").record(1)
