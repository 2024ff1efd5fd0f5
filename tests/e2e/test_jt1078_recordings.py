"""End to end, JT/T 1078 recordings (issue 16): 0x9205 → 0x1205 from the store, playback
of a stored recording (0x9201/0x9202) decoded with PyAV, FTP upload (0x9206/0x9207/0x1206)
to a real local pyftpdlib server with pause, resume and cancel; 0x9003, 0x9105, PTZ."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta

import anyio
import pytest
from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler
from pyftpdlib.servers import FTPServer

from hal.video import RecordingStore, TestPatternSource
from jt808.jt1078 import (AVAttributesQuery, FileUploadControl, FileUploadRequest,
                          LiveVideoStatus, PlaybackControl, PlaybackRequest, PtzRotate,
                          PtzZoom, ResourceListQuery)

from jt1078_support import PHONE, decode_file, looks_like_pattern, video_rig

pytestmark = pytest.mark.anyio
T0 = datetime(2026, 12, 5, 8, 0, 0)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def store(tmp_path):
    store = RecordingStore(tmp_path / "recordings")
    store.record(1, TestPatternSource(320, 240, 15, frames=30).iter_units(), T0, fps=15)
    store.record(1, TestPatternSource(320, 240, 15, frames=15).iter_units(),
                 T0 + timedelta(minutes=1), fps=15, alarm=1 << 32)
    store.record(2, TestPatternSource(160, 128, 15, frames=15).iter_units(), T0, fps=15)
    yield store
    store.close()


async def test_resource_query_answers_from_the_store(tmp_path, store):
    async with video_rig(tmp_path, {1: None}, store) as (platform, _media, _terminal, _v):
        serial = await platform.send(PHONE, ResourceListQuery(1, T0, T0 + timedelta(hours=1)))
        reply = await platform.wait_message(PHONE, 0x1205)
        assert reply.reply_serial == serial
        assert [(i.channel, i.start, i.alarm) for i in reply.items] == [
            (1, T0, 0), (1, T0 + timedelta(minutes=1), 1 << 32)]
        assert reply.items[0].file_size == store.query(1)[0].size
        await platform.send(PHONE, ResourceListQuery(0, None, None, alarm=1 << 32))
        alarmed = await platform.wait_message(PHONE, 0x1205, count=2)
        assert [i.start for i in alarmed.items] == [T0 + timedelta(minutes=1)]


async def test_playback_of_a_stored_recording_decodes(tmp_path, store):
    async with video_rig(tmp_path, {1: None}, store) as (platform, media, _terminal, video):
        await platform.send(PHONE, PlaybackRequest("127.0.0.1", media.tcp_port, 0, 1, 0, 0, 0,
                                                   0, 1, T0, T0 + timedelta(seconds=30)))
        listed = await platform.wait_message(PHONE, 0x1205)
        assert [i.start for i in listed.items] == [T0]
        await media.wait_for(lambda: video.playbacks, timeout=5)
        await video.playbacks[1].closed.wait()
        record = media.channel(PHONE, 1)
        await media.wait_for(lambda: media.links == 0, timeout=5)
    pictures = decode_file(record.video_path)
    assert [index for index, *_ in pictures] == list(range(30))
    assert looks_like_pattern(pictures[0][1], 320, 240, pictures[0][3], 0)


async def test_playback_control_pauses_seeks_and_stops(tmp_path, store):
    async with video_rig(tmp_path, {1: None}, store) as (platform, media, _terminal, video):
        await platform.send(PHONE, PlaybackRequest("127.0.0.1", media.tcp_port, 0, 1, 0, 0, 0,
                                                   0, 1, None, None))
        record = media.channel(PHONE, 1)
        await media.wait_for(lambda: record.frames >= 3)
        assert (await platform.request(PHONE, PlaybackControl(1, 1))).result == 0
        assert video.playbacks[1].paused
        assert (await platform.request(PHONE, PlaybackControl(1, 0))).result == 0
        assert (await platform.request(PHONE, PlaybackControl(1, 3, 3))).result == 0
        assert video.playbacks[1].speed == 4                     # speed code 3: x4
        seek = T0 + timedelta(minutes=1, milliseconds=500)      # into the second recording
        assert (await platform.request(PHONE, PlaybackControl(1, 5, 0, seek))).result == 0
        before = record.frames
        await media.wait_for(lambda: record.frames >= before + 3)
        assert (await platform.request(PHONE, PlaybackControl(1, 2))).result == 0
        await media.wait_for(lambda: not video.playbacks and media.links == 0, timeout=5)
        assert (await platform.request(PHONE, PlaybackControl(1, 1))).result == 1
    indexes = [index for index, *_ in decode_file(record.video_path)]
    # the first recording from 0 with no frame lost to the pause, then the second from
    # its key frame (picture 0) before the seek position
    restart = indexes.index(0, 1)
    assert indexes[:restart] == list(range(restart))
    assert indexes[restart:restart + 3] == [0, 1, 2]


class _GatedFtp:
    """A pyftpdlib server in a thread whose login waits for ``gate`` (so a test can pause
    an upload before any byte moves)."""

    def __init__(self, root):
        self.gate = threading.Event()
        authorizer = DummyAuthorizer()
        authorizer.add_user("tk", "123456", str(root), perm="elradfmwMT")
        gate = self.gate
        handler = type("GatedHandler", (FTPHandler,), {
            "authorizer": authorizer,
            "on_login": lambda self, username: gate.wait(20)})
        self.server = FTPServer(("127.0.0.1", 0), handler)
        self.port = self.server.socket.getsockname()[1]
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       kwargs={"timeout": 0.05}, daemon=True)
        self.thread.start()

    def close(self):
        self.gate.set()
        self.server.close_all()
        self.thread.join(5)


@pytest.fixture
def ftp(tmp_path):
    (tmp_path / "ftp").mkdir()
    server = _GatedFtp(tmp_path / "ftp")
    yield server
    server.close()


def _upload_request(port, conditions=0):
    return FileUploadRequest("127.0.0.1", port, "tk", "123456", "up/ch1", 1, T0,
                             T0 + timedelta(hours=1), conditions=conditions)


def _uploaded(tmp_path, store):
    """The recordings of channel 1 that are on the FTP server, byte for byte."""
    return [r.path.name for r in store.query(1)
            if (tmp_path / "ftp" / "up" / "ch1" / r.path.name).exists()
            and (tmp_path / "ftp" / "up" / "ch1" / r.path.name).read_bytes()
            == r.path.read_bytes()]


async def _until(predicate, timeout=10):
    with anyio.fail_after(timeout):
        while not predicate():
            await anyio.sleep(0.01)


async def test_ftp_upload_pauses_resumes_and_reports_done(tmp_path, store, ftp):
    async with video_rig(tmp_path, {1: None}, store) as (platform, _media, _terminal, video):
        serial = await platform.send(PHONE, _upload_request(ftp.port))
        await _until(lambda: serial in video.uploads)
        upload = video.uploads[serial]
        assert (await platform.request(PHONE, FileUploadControl(serial, 0))).result == 0
        ftp.gate.set()
        await _until(lambda: upload.state == "paused")
        sent = upload.bytes_sent
        assert (await platform.request(PHONE, FileUploadControl(serial, 1))).result == 0
        done = await platform.wait_message(PHONE, 0x1206)
        assert (done.reply_serial, done.result) == (serial, 0)
        assert upload.bytes_sent > sent or len(store.query(1)) == 1
    for recording in store.query(1):
        uploaded = tmp_path / "ftp" / "up" / "ch1" / recording.path.name
        assert uploaded.read_bytes() == recording.path.read_bytes()


async def test_ftp_upload_cancelled_reports_failure(tmp_path, store, ftp):
    async with video_rig(tmp_path, {1: None}, store) as (platform, _media, _terminal, video):
        serial = await platform.send(PHONE, _upload_request(ftp.port))
        await _until(lambda: serial in video.uploads)
        assert (await platform.request(PHONE, FileUploadControl(serial, 0))).result == 0
        ftp.gate.set()
        await _until(lambda: video.uploads[serial].state == "paused")
        assert (await platform.request(PHONE, FileUploadControl(serial, 2))).result == 0
        done = await platform.wait_message(PHONE, 0x1206)
        assert (done.reply_serial, done.result) == (serial, 1)
        assert video.uploads[serial].state == "cancelled"
        assert (await platform.request(PHONE, FileUploadControl(serial, 1))).result == 1


async def test_an_upload_the_network_allows_starts_at_once(tmp_path, store, ftp):
    """0x9206 conditions (JT/T 1078 table 37): bit 1 LAN; a plain socket link is LAN."""
    ftp.gate.set()
    async with video_rig(tmp_path, {1: None}, store) as (platform, _media, _terminal, video):
        assert video.network == "lan"
        assert (await platform.request(PHONE, _upload_request(ftp.port, 0x02))).result == 0
        done = await platform.wait_message(PHONE, 0x1206)
        assert done.result == 0 and video.uploads[done.reply_serial].state == "done"
    assert len(_uploaded(tmp_path, store)) == 2


async def test_an_upload_for_another_network_waits_for_it(tmp_path, store, ftp):
    """Bit 2 (3G/4G) only, on a LAN link: accepted (0x0001) and held, nothing sent; when
    the terminal is told it is on 3G/4G the upload runs and 0x1206 follows."""
    ftp.gate.set()
    async with video_rig(tmp_path, {1: None}, store) as (platform, _media, _terminal, video):
        serial = await platform.send(PHONE, _upload_request(ftp.port, 0x04))
        await _until(lambda: serial in video.uploads
                     and video.uploads[serial].state == "waiting")
        video.set_network("wifi")                               # still not allowed
        assert (await platform.request(PHONE, LiveVideoStatus(1, 0))).result == 0
        assert video.uploads[serial].state == "waiting" and not _uploaded(tmp_path, store)
        video.set_network("mobile")
        done = await platform.wait_message(PHONE, 0x1206)
        assert (done.reply_serial, done.result) == (serial, 0)
    assert len(_uploaded(tmp_path, store)) == 2


async def test_a_held_upload_cancelled_reports_failure(tmp_path, store, ftp):
    ftp.gate.set()
    async with video_rig(tmp_path, {1: None}, store, network="mobile") as (
            platform, _media, _terminal, video):
        serial = await platform.send(PHONE, _upload_request(ftp.port, 0x01 | 0x02))
        await _until(lambda: serial in video.uploads
                     and video.uploads[serial].state == "waiting")
        assert (await platform.request(PHONE, FileUploadControl(serial, 2))).result == 0
        done = await platform.wait_message(PHONE, 0x1206)
        assert (done.reply_serial, done.result) == (serial, 1)
        assert video.uploads[serial].state == "cancelled"
    assert not _uploaded(tmp_path, store)


async def test_ftp_upload_to_a_closed_port_reports_failure(tmp_path, store):
    async with video_rig(tmp_path, {1: None}, store) as (platform, _media, _terminal, _v):
        listener = await anyio.create_tcp_listener(local_host="127.0.0.1")
        port = listener.extra(anyio.abc.SocketAttribute.local_port)
        await listener.aclose()
        serial = await platform.send(PHONE, _upload_request(port))
        done = await platform.wait_message(PHONE, 0x1206)
        assert (done.reply_serial, done.result) == (serial, 1)


async def test_attributes_loss_report_and_ptz(tmp_path):
    moves = []
    sources = {1: TestPatternSource(160, 128), 2: TestPatternSource(160, 128)}
    async with video_rig(tmp_path, sources, ptz=moves.append) as (platform, _m, _t, video):
        await platform.send(PHONE, AVAttributesQuery())
        attributes = await platform.wait_message(PHONE, 0x1003)
        assert attributes.max_video_channels == 2 and attributes.video_encoding == 98
        assert attributes.max_audio_channels == 0
        assert (await platform.request(PHONE, LiveVideoStatus(2, 7))).result == 0
        assert video.loss_reports == {2: 7}
        assert (await platform.request(PHONE, PtzRotate(1, 3, 200))).result == 0
        assert (await platform.request(PHONE, PtzZoom(1, 1))).result == 0
        assert moves == [PtzRotate(1, 3, 200), PtzZoom(1, 1)]


async def test_ptz_without_a_hook_is_not_supported(tmp_path):
    async with video_rig(tmp_path, {1: None}) as (platform, _m, _t, _video):
        assert (await platform.request(PHONE, PtzRotate(1, 3, 200))).result == 3
