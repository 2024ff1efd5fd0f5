"""Camera backends: generated JPEG validity, directory cycling, ffmpeg via a stand-in binary."""
from __future__ import annotations

import shutil
import stat
import struct
import subprocess
from pathlib import Path

import pytest

from hal.camera import (
    Camera, CameraError, CameraUnavailableError, DirectoryCamera, FfmpegCamera,
    StaticCamera, flat_jpeg, resolve_resolution,
)
from hal.errors import HalError

pytestmark = pytest.mark.anyio


def jpeg_structure(data: bytes) -> dict[str, object]:
    """Walk the marker segments of a baseline JPEG (ITU-T T.81 B.1); assert well-formedness."""
    assert data[:2] == b"\xff\xd8" and data[-2:] == b"\xff\xd9"
    found: dict[str, object] = {"markers": []}
    pos = 2
    while True:
        assert data[pos] == 0xFF, f"marker expected at {pos}"
        marker = data[pos + 1]
        (length,) = struct.unpack_from(">H", data, pos + 2)
        found["markers"].append(marker)
        if marker == 0xC0:
            _, height, width, comps = struct.unpack_from(">BHHB", data, pos + 4)
            found["size"] = (width, height)
            found["components"] = comps
        pos += 2 + length
        if marker == 0xDA:
            break
    scan = data[pos:-2]
    assert all(scan[i + 1] == 0 for i in range(len(scan) - 1) if scan[i] == 0xFF)
    assert not scan.endswith(b"\xff")
    return found


def djpeg_pixels(data: bytes) -> tuple[int, int, bytes] | None:
    """Decode with libjpeg's djpeg when installed (an independent decoder)."""
    if shutil.which("djpeg") is None:
        return None
    out = subprocess.run(["djpeg", "-pnm"], input=data, capture_output=True, check=True)
    assert out.stderr == b"", out.stderr                  # no "corrupt data" warnings
    magic, size, maxval, pixels = out.stdout.split(b"\n", 3)
    width, height = map(int, size.split())
    return width, height, pixels


SIZES = pytest.mark.parametrize("width,height,level", [
    (8, 8, 128), (7, 5, 255), (176, 144, 0), (320, 240, 60), (1024, 768, 200), (1, 1, 129),
])


@SIZES
def test_flat_jpeg_is_a_valid_baseline_jpeg(width: int, height: int, level: int) -> None:
    info = jpeg_structure(flat_jpeg(width, height, level, comment="test"))
    assert info["size"] == (width, height) and info["components"] == 1
    assert info["markers"] == [0xE0, 0xFE, 0xDB, 0xC0, 0xC4, 0xC4, 0xDA]


@SIZES
def test_flat_jpeg_decodes_with_libjpeg(width: int, height: int, level: int) -> None:
    decoded = djpeg_pixels(flat_jpeg(width, height, level))
    if decoded is None:
        pytest.skip("djpeg (libjpeg-turbo-progs) not installed: no independent decoder")
    assert decoded[:2] == (width, height)
    assert set(decoded[2]) == {level}


def test_flat_jpeg_rejects_bad_sizes() -> None:
    for args in [(0, 8), (8, 0), (70000, 8), (8, 8, 256)]:
        with pytest.raises(ValueError):
            flat_jpeg(*args)


def test_resolution_codes_and_tuples() -> None:
    # seed API_Reference 0x8801 resolution table
    assert resolve_resolution(0x01) == (320, 240)
    assert resolve_resolution(0x08) == (704, 576)
    assert resolve_resolution((100, 50)) == (100, 50)
    assert resolve_resolution(None) == (640, 480)
    for bad in (0x09, (0, 10)):
        with pytest.raises(ValueError):
            resolve_resolution(bad)


async def test_static_camera_sizes_and_distinct_shots() -> None:
    camera = StaticCamera()
    assert isinstance(camera, Camera)
    first = await camera.capture(1, 0x01)
    second = await camera.capture(2, (64, 48))
    assert jpeg_structure(first)["size"] == (320, 240)
    assert jpeg_structure(second)["size"] == (64, 48)
    assert b"channel=2" in second and first != second
    assert len(first) < 2000


async def test_directory_camera_cycles_in_name_order(tmp_path: Path) -> None:
    images = {name: flat_jpeg(8, 8, level) for name, level in
              [("b.jpg", 20), ("a.JPEG", 10), ("c.jpeg", 30)]}
    for name, data in images.items():
        (tmp_path / name).write_bytes(data)
    (tmp_path / "notes.txt").write_text("not an image")
    camera = DirectoryCamera(tmp_path)
    assert isinstance(camera, Camera)
    shots = [await camera.capture(1, None) for _ in range(4)]
    assert shots == [images["a.JPEG"], images["b.jpg"], images["c.jpeg"], images["a.JPEG"]]


async def test_directory_camera_errors(tmp_path: Path) -> None:
    with pytest.raises(CameraUnavailableError, match="cannot list"):
        await DirectoryCamera(tmp_path / "missing").capture(1)
    with pytest.raises(CameraUnavailableError, match="no .jpg"):
        await DirectoryCamera(tmp_path).capture(1)
    (tmp_path / "fake.jpg").write_bytes(b"GIF89a")
    with pytest.raises(CameraError, match="not a JPEG") as info:
        await DirectoryCamera(tmp_path).capture(1)
    assert isinstance(info.value, HalError)


def fake_ffmpeg(tmp_path: Path, body: str) -> str:
    """A stand-in ``ffmpeg`` executable (a shell script) for the subprocess path."""
    script = tmp_path / "ffmpeg"
    script.write_text("#!/bin/sh\n" + body)
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return str(script)


async def test_ffmpeg_camera_runs_ffmpeg_and_returns_its_jpeg(tmp_path: Path) -> None:
    device = tmp_path / "video0"
    device.write_bytes(b"")
    frame = tmp_path / "frame.jpg"
    frame.write_bytes(flat_jpeg(320, 240, 90))
    args = tmp_path / "args"
    ffmpeg = fake_ffmpeg(tmp_path, f'echo "$@" > {args}\ncat {frame}\n')
    camera = FfmpegCamera(str(device), ffmpeg=ffmpeg)
    assert isinstance(camera, Camera)
    assert await camera.capture(1, 0x01) == frame.read_bytes()
    argv = args.read_text().split()
    assert argv[argv.index("-f") + 1] == "v4l2"
    assert argv[argv.index("-video_size") + 1] == "320x240"
    assert argv[argv.index("-i") + 1] == str(device)
    assert argv[-1] == "-"


async def test_ffmpeg_camera_channel_map(tmp_path: Path) -> None:
    (tmp_path / "video2").write_bytes(b"")
    args = tmp_path / "args"
    ffmpeg = fake_ffmpeg(tmp_path, f'echo "$@" > {args}\nprintf "\\377\\330\\377\\331"\n')
    camera = FfmpegCamera("/dev/missing-video", ffmpeg=ffmpeg,
                          channels={2: str(tmp_path / "video2")})
    assert await camera.capture(2, (64, 48)) == b"\xff\xd8\xff\xd9"
    assert str(tmp_path / "video2") in args.read_text()
    with pytest.raises(CameraUnavailableError, match="does not exist"):
        await camera.capture(1)


async def test_ffmpeg_camera_missing_binary_or_device(tmp_path: Path) -> None:
    device = tmp_path / "video0"
    device.write_bytes(b"")
    with pytest.raises(CameraUnavailableError, match="not found on PATH"):
        await FfmpegCamera(str(device), ffmpeg="no-such-ffmpeg-binary-xyz").capture(1)
    with pytest.raises(CameraUnavailableError, match="does not exist"):
        await FfmpegCamera(str(tmp_path / "video9")).capture(1)


@pytest.mark.parametrize("body,match", [
    ('echo "Cannot open video device: busy" >&2\nexit 1\n', "exit 1.*busy"),
    ("echo not-a-jpeg\n", "no JPEG output"),
])
async def test_ffmpeg_camera_failures(tmp_path: Path, body: str, match: str) -> None:
    device = tmp_path / "video0"
    device.write_bytes(b"")
    camera = FfmpegCamera(str(device), ffmpeg=fake_ffmpeg(tmp_path, body))
    with pytest.raises(CameraError, match=match):
        await camera.capture(1)


async def test_ffmpeg_camera_timeout(tmp_path: Path) -> None:
    device = tmp_path / "video0"
    device.write_bytes(b"")
    camera = FfmpegCamera(str(device), ffmpeg=fake_ffmpeg(tmp_path, "exec sleep 30\n"),
                          timeout=0.3)
    with pytest.raises(CameraError, match="took over"):
        await camera.capture(1)
