"""The media server's containers (issue 16: ".h264 and .mp4/.flv"): a channel's Annex B
file remuxed with PyAV into MP4 and FLV at close, each decoding to as many pictures as
the .h264; a stream that cannot be remuxed leaves no file and the summary says so."""
from __future__ import annotations

import json

import av
import pytest

from hal.video import TestPatternSource, read_frame_index
from jt808.jt1078 import DataType, MediaFrame
from jt808.platform._media_server import ChannelRecord, remux_h264

FRAMES = 30


def _decoded(path, **options) -> list[int]:
    """The frame index drawn in every picture PyAV decodes from ``path``."""
    with av.open(str(path), **options) as container:
        return [read_frame_index(bytes(f.planes[0]), f.width, f.planes[0].line_size)
                for f in container.decode(video=0)]


def _frame(channel: int, kind: DataType, payload: bytes, timestamp: int) -> MediaFrame:
    return MediaFrame(channel, kind, payload, timestamp, "13800138000", 98, 0, 1)


@pytest.fixture
def h264(tmp_path):
    path = tmp_path / "pattern.h264"
    path.write_bytes(b"".join(u.data for u in TestPatternSource(160, 128, 15,
                                                               frames=FRAMES).iter_units()))
    return path


@pytest.mark.parametrize("suffix, muxer", [(".flv", "flv"), (".mp4", "mov,mp4,m4a,3gp,3g2,mj2")])
def test_remuxed_file_decodes_every_picture(h264, suffix, muxer):
    out = h264.with_suffix(suffix)
    assert remux_h264(h264, out, 15)
    with av.open(str(out)) as container:
        assert container.format.name == muxer
        assert container.streams.video[0].average_rate == 15
    assert _decoded(out) == _decoded(h264, format="h264") == list(range(FRAMES))


def test_a_stream_that_is_not_h264_leaves_no_file(tmp_path):
    junk = tmp_path / "junk.h264"
    junk.write_bytes(bytes(range(256)) * 8)
    assert not remux_h264(junk, tmp_path / "junk.flv", 15)
    assert not (tmp_path / "junk.flv").exists()


def test_a_channel_lists_its_containers_in_the_summary(tmp_path):
    record = ChannelRecord(tmp_path, "13800138000", 1)
    for unit in TestPatternSource(160, 128, 15, frames=FRAMES).iter_units():
        kind = DataType.I_FRAME if unit.keyframe else DataType.P_FRAME
        record.add(_frame(1, kind, unit.data, unit.timestamp))
    record.close()
    summary = json.loads(record.summary_path.read_text())
    assert (summary["mp4_file"], summary["flv_file"]) == ("13800138000_ch1.mp4",
                                                          "13800138000_ch1.flv")
    assert len(_decoded(record.flv_path)) == summary["frames"] == FRAMES


def test_a_channel_with_audio_only_has_no_containers(tmp_path):
    record = ChannelRecord(tmp_path, "13800138000", 2)
    record.add(_frame(2, DataType.AUDIO, b"\xd5" * 320, 0))
    record.close()
    summary = json.loads(record.summary_path.read_text())
    assert summary["mp4_file"] is None and summary["flv_file"] is None
    assert not record.flv_path.exists()
