"""The recording store: segments on disk, sqlite index, JT/T 1078 query rules."""
from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

import pytest

from hal.video import RecordingStore, TestPatternSource, VideoError

from video_support import decode_indexes

T0 = datetime(2026, 12, 5, 8, 0, 0)


@pytest.fixture
def store(tmp_path):
    store = RecordingStore(tmp_path / "rec")
    units = list(TestPatternSource(160, 128, 10, frames=10).iter_units())
    store.record(1, units, T0, fps=10)
    store.record(1, units, T0 + timedelta(minutes=5), fps=10, alarm=1 << 33)
    store.record(2, units, T0 + timedelta(minutes=1), fps=10, stream_type=2)
    yield store
    store.close()


def test_a_recording_spans_its_frames_and_decodes_back(store):
    (rec, *_rest) = store.query(1)
    assert rec.end - rec.start == timedelta(seconds=1) and rec.size == rec.path.stat().st_size
    assert decode_indexes(b"".join(u.data for u in store.units(rec))) == list(range(10))


def test_channel_zero_means_every_channel(store):
    assert [r.channel for r in store.query(0)] == [1, 2, 1]


def test_time_range_matches_overlapping_recordings(store):
    found = store.query(0, T0 + timedelta(seconds=30), T0 + timedelta(minutes=2))
    assert [r.channel for r in found] == [2]
    assert len(store.query(1, T0 + timedelta(milliseconds=500), None)) == 2


def test_alarm_mask_selects_recordings_with_a_common_bit(store):
    assert [r.alarm for r in store.query(alarm_mask=1 << 33)] == [1 << 33]
    assert store.query(alarm_mask=1) == []


def test_stream_and_av_type_filters(store):
    assert [r.channel for r in store.query(stream_type=2)] == [2]
    assert store.query(av_type=1) == []                  # audio only: none recorded
    assert len(store.query(av_type=3)) == 3              # video or audio+video


def test_the_index_survives_reopening(tmp_path, store):
    again = RecordingStore(store.root)
    assert [r.id for r in again.query()] == [r.id for r in store.query()]
    again.close()


def test_a_corrupt_index_file_is_a_video_error(tmp_path):
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "recordings.sqlite3").write_bytes(b"not a database" * 100)
    with pytest.raises(VideoError):
        RecordingStore(tmp_path / "bad")
    assert issubclass(sqlite3.Error, Exception)
