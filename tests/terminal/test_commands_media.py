"""Stored media (issue 15): photos indexed; 0x8802 search, 0x8803 upload by filter with
the delete flag, 0x8805 single upload; against the terminal tests' platform."""
from __future__ import annotations

import pytest

from hal.camera import StaticCamera
from hal.gnss import RouteGnss
from jt808.codec import (CameraShootCommand, SingleStoredMediaUpload, StoredMediaSearch,
                         StoredMediaUpload)
from jt808.frame import Version
from jt808.terminal import Terminal

from terminal_platform import anyio_backend  # noqa: F401
from test_commands_params import PHONE, linked

pytestmark = pytest.mark.anyio


async def test_store_search_and_upload_three_photos(tmp_path):
    async with linked(tmp_path, camera=StaticCamera(), gnss=RouteGnss()) as (
            terminal, link, platform):
        shot = await link.request(CameraShootCommand(2, 3, save_flag=1))
        assert shot.result == 0 and len(shot.ids) == 3
        assert platform.of(0x0801) == []                            # stored, not sent
        found = await link.request(StoredMediaSearch(0, 0, 0))
        assert [m.media_id for m in found.medias] == list(shot.ids)
        assert all(m.channel_id == 2 and m.location.latitude != 0 for m in found.medias)
        assert (await link.request(StoredMediaSearch(0, 1, 0))).medias == ()  # channel 1
        assert (await link.request(StoredMediaSearch(1, 0, 0))).medias == ()  # audio
        assert (await link.request(StoredMediaUpload(0, 2, 0, delete_flag=1))).result == 0
        await platform.until(lambda: len(platform.of(0x0801)) == 3)
        assert [u.media_id for u in platform.of(0x0801)] == list(shot.ids)
        assert platform.of(0x0801)[0].media_data[:2] == b"\xff\xd8"
        await platform.until(lambda: terminal.media_index.search() == [])


async def test_single_upload_keeps_or_deletes(tmp_path):
    async with linked(tmp_path, camera=StaticCamera()) as (terminal, link, platform):
        shot = await link.request(CameraShootCommand(1, 2, save_flag=1))
        first, second = shot.ids
        assert (await link.request(SingleStoredMediaUpload(first, 0))).result == 0
        await platform.until(lambda: len(platform.of(0x0801)) == 1)
        assert terminal.media_index.get(first) is not None              # kept
        assert (await link.request(SingleStoredMediaUpload(second, 1))).result == 0
        await platform.until(lambda: terminal.media_index.get(second) is None)
        assert (await link.request(SingleStoredMediaUpload(999, 0))).result == 1
    again = Terminal("tcp://127.0.0.1:9", phone=PHONE, store_path=tmp_path / "blind.sqlite")
    assert [i.media_id for i in again.media_index.search()] == [first]  # persisted


async def test_2011_search_answers_without_media_ids(tmp_path):
    async with linked(tmp_path, version=Version.V2011, camera=StaticCamera()) as (
            terminal, link, _):
        assert (await link.request(CameraShootCommand(1, 1, save_flag=1))).result == 0
        found = await link.request(StoredMediaSearch(0, 0, 0))
        assert len(found.medias) == 1 and found.medias[0].media_id is None


async def test_audio_recording_uploaded_or_stored(tmp_path):
    import io
    import wave
    from hal.audio import GeneratedAudio
    from jt808.codec import RecordingCommand
    async with linked(tmp_path) as (terminal, link, platform):
        assert (await link.request(RecordingCommand(1, 1))).result == 3    # no audio HAL
        terminal.audio = GeneratedAudio()
        assert (await link.request(RecordingCommand(1, 2, 0, 1))).result == 0
        await platform.until(lambda: len(platform.of(0x0801)) == 1)
        upload = platform.of(0x0801)[0]
        assert (upload.media_type, upload.media_encoding) == (1, 3)
        with wave.open(io.BytesIO(upload.media_data)) as wav:
            assert wav.getframerate() == 11025 and wav.getnframes() == 2 * 11025
        assert (await link.request(RecordingCommand(1, 1, 1))).result == 0   # stored
        await platform.until(lambda: len(terminal.media_index.search(1)) == 2)
        assert len(platform.of(0x0801)) == 1
        found = await link.request(StoredMediaSearch(1, 0, 0))
        assert len(found.medias) == 2


async def test_audio_stop_ends_a_continuous_recording(tmp_path):
    from hal.audio import GeneratedAudio
    from jt808.codec import RecordingCommand
    async with linked(tmp_path) as (terminal, link, platform):
        terminal.audio = GeneratedAudio(realtime=True)
        assert (await link.request(RecordingCommand(1, 0))).result == 0      # until stopped
        await platform.until(lambda: terminal.__dict__.get("_recording") is not None)
        assert (await link.request(RecordingCommand(1, 5))).result == 1      # busy
        assert (await link.request(RecordingCommand(0))).result == 0
        await platform.until(lambda: terminal.__dict__.get("_recording") is None)
        assert terminal.media_index.search(1) == []
