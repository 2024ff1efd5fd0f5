"""Video sources: the test pattern, .h264 files and V4L2 through ffmpeg, checked by
decoding with PyAV (the pictures, not byte counts)."""
from __future__ import annotations

import stat
import sys

import anyio
import pytest

from hal.video import (AnnexBSplitter, FfmpegV4l2Source, H264FileSource, TestPatternSource,
                       VideoError, VideoUnavailableError, h264_encoder_name, nal_types,
                       pattern_luma, split_access_units)

from video_support import decode_indexes, first_luma


@pytest.fixture(scope="module")
def pattern_units():
    return list(TestPatternSource(320, 240, 15, frames=20, gop=10).iter_units())


def test_pattern_units_decode_to_the_pictures_in_order(pattern_units):
    assert decode_indexes(b"".join(u.data for u in pattern_units)) == list(range(20))


def test_pattern_timestamps_and_keyframes_follow_fps_and_gop(pattern_units):
    assert [u.timestamp for u in pattern_units[:4]] == [0, 66, 133, 200]
    assert [i for i, u in enumerate(pattern_units) if u.keyframe] == [0, 10]
    assert nal_types(pattern_units[0].data)[:2] == [7, 8]    # SPS, PPS before the IDR


def test_first_picture_matches_the_generated_pattern(pattern_units):
    luma, width, height, stride = first_luma(pattern_units[0].data)
    expected = pattern_luma(0, 320, 240)
    diffs = [abs(luma[y * stride + x] - expected[y * width + x])
             for y in range(0, height, 7) for x in range(0, width, 5)]
    assert sum(diffs) / len(diffs) < 6


def test_the_wheel_has_an_h264_encoder():
    assert h264_encoder_name() == "libx264"


@pytest.mark.parametrize("size", [(100, 64), (32, 32)])
def test_sizes_that_are_not_multiples_of_16_are_refused(size):
    with pytest.raises(ValueError):
        TestPatternSource(*size)


def test_units_runs_the_encoder_off_the_event_loop():
    async def collect():
        return [u async for u in TestPatternSource(160, 128, 10, frames=5).units()]
    assert decode_indexes(b"".join(u.data for u in anyio.run(collect))) == [0, 1, 2, 3, 4]


def test_splitter_gives_the_same_units_for_any_chunking(pattern_units):
    stream = b"".join(u.data for u in pattern_units)
    for size in (1, 7, 1000):
        splitter = AnnexBSplitter()
        units = [u for i in range(0, len(stream), size) for u in splitter.feed(stream[i:i + size])]
        assert units + splitter.flush() == [u.data for u in pattern_units]


def test_a_file_source_plays_an_h264_file(tmp_path, pattern_units):
    path = tmp_path / "clip.h264"
    path.write_bytes(b"".join(u.data for u in pattern_units))
    units = list(H264FileSource(path, fps=10).iter_units())
    assert [u.timestamp for u in units[:3]] == [0, 100, 200]
    assert [u.keyframe for u in units] == [u.keyframe for u in pattern_units]
    assert decode_indexes(b"".join(u.data for u in units)) == list(range(20))


def test_a_missing_file_is_a_video_error(tmp_path):
    with pytest.raises(VideoError):
        list(H264FileSource(tmp_path / "none.h264").iter_units())


def test_junk_without_start_codes_gives_no_units():
    assert split_access_units(b"not h264 at all") == []


def _stand_in(tmp_path, body: str):
    """An executable named ffmpeg that stands in for the real one."""
    script = tmp_path / "ffmpeg"
    script.write_text(f"#!{sys.executable}\n{body}\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return str(script)


def test_v4l2_source_reads_ffmpeg_stdout_and_passes_the_camera_options(tmp_path, pattern_units):
    clip = tmp_path / "clip.h264"
    clip.write_bytes(b"".join(u.data for u in pattern_units))
    argv_file = tmp_path / "argv"
    ffmpeg = _stand_in(tmp_path, f"import sys; open({str(argv_file)!r}, 'w').write("
                                 f"' '.join(sys.argv[1:]));"
                                 f"sys.stdout.buffer.write(open({str(clip)!r}, 'rb').read())")
    source = FfmpegV4l2Source("/dev/video7", 320, 240, 15, ffmpeg=ffmpeg)

    async def collect():
        return [u async for u in source.units()]
    units = anyio.run(collect)
    assert decode_indexes(b"".join(u.data for u in units)) == list(range(20))
    argv = argv_file.read_text()
    assert "-f v4l2" in argv and "-i /dev/video7" in argv and "-video_size 320x240" in argv
    assert "-tune zerolatency" in argv and argv.endswith("-f h264 -")


def test_camera_h264_is_copied_not_reencoded():
    cmd = FfmpegV4l2Source(camera_h264=True).command()
    assert cmd[cmd.index("-input_format") + 1] == "h264" and "copy" in cmd
    assert "libx264" not in cmd


def test_a_failing_ffmpeg_raises_with_its_stderr(tmp_path):
    ffmpeg = _stand_in(tmp_path, "import sys; sys.stderr.write('No such device'); sys.exit(1)")

    async def collect():
        return [u async for u in FfmpegV4l2Source(ffmpeg=ffmpeg).units()]
    with pytest.raises(VideoError, match="No such device"):
        anyio.run(collect)


def test_a_missing_ffmpeg_is_unavailable(tmp_path):
    async def collect():
        return [u async for u in FfmpegV4l2Source(ffmpeg=str(tmp_path / "nope")).units()]
    with pytest.raises(VideoUnavailableError):
        anyio.run(collect)
