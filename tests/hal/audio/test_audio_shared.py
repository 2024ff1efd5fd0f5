"""The tone generator and the ffmpeg ALSA command line that the 0x8804 recorders
(GeneratedAudio, FfmpegAudio) and the 1078 sources (ToneSource, AlsaAudioSource) share."""
from __future__ import annotations

import io
import wave

import anyio

from hal.audio import AlsaAudioSource, FfmpegAudio, GeneratedAudio, ToneSource, alaw_encode
from hal.audio._tone import sine_pcm


def test_a_tone_continues_in_phase_across_calls():
    whole = sine_pcm(440, 8000, 0, 640)
    assert sine_pcm(440, 8000, 0, 320) + sine_pcm(440, 8000, 320, 320) == whole
    assert len(whole) == 1280 and whole[:2] == b"\x00\x00"        # sin(0) = 0, 16-bit LE


def test_a_tone_keeps_to_its_amplitude():
    pcm = memoryview(sine_pcm(1000, 8000, 0, 800, amplitude=1000)).cast("h")
    assert max(pcm) <= 1000 and min(pcm) >= -1000 and max(pcm) > 900


def test_the_recorder_and_the_stream_give_the_same_tone():
    async def record() -> bytes:
        return await GeneratedAudio(frequency=1000).record(0.08, 8000)
    with wave.open(io.BytesIO(anyio.run(record))) as wav:
        pcm = wav.readframes(wav.getnframes())
    frames = [u.data for u in ToneSource(1000, frames=2).iter_units()]
    assert alaw_encode(pcm) == b"".join(frames)


def test_the_ffmpeg_command_lines():
    assert FfmpegAudio("hw:1").command(5, 11025) == [
        "ffmpeg", "-hide_banner", "-loglevel", "error", "-f", "alsa", "-i", "hw:1",
        "-t", "5", "-ac", "1", "-ar", "11025", "-acodec", "pcm_s16le", "-f", "wav", "-"]
    assert FfmpegAudio(ffmpeg="/x/ffmpeg").command(10**6, 8000)[9] == "300"     # bounded
    assert AlsaAudioSource("hw:2", ffmpeg="ff").command() == [
        "ff", "-hide_banner", "-loglevel", "error", "-f", "alsa", "-i", "hw:2",
        "-ac", "1", "-ar", "8000", "-f", "alaw", "-"]
