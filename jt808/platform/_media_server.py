"""The reference platform's JT/T 1078 media server: accepts media links, depacks them,
writes each channel to disk.

::

    async with MediaServer(directory) as media:
        await media.serve()                      # TCP and UDP on 127.0.0.1, ports chosen
        await media.request_live(platform, "13800138000", channel=1)      # sends 0x9101
        await media.wait_for(lambda: media.channel("13800138000", 1).frames >= 150)
    # directory/13800138000_ch1.h264 (video), _ch1.g711a (audio), _ch1.json (summary),
    # _ch1.mp4 and _ch1.flv (the video remuxed at close, when PyAV is installed)

A TCP link is a byte stream (:class:`jt808.jt1078.Depacker.feed`), a UDP peer a series
of datagrams (``feed_datagram`` with a reorder window). Each channel of each terminal
(SIM as sent) gets one file per media kind (and an ``.mp4`` and an ``.flv`` of the video,
remuxed with PyAV when it is installed, at close) and a JSON summary: frames, key frames,
audio frames, packets, lost packets and loss rate, frames dropped, junk bytes, video
bytes, bitrate from the frame timestamps, first and last timestamp. One link's bad
bytes cost only that link. ``request_talk`` asks for a two-way talk (0x9101 data type 2)
and ``talk`` says audio (a ``hal.audio.ToneSource``) on the link a terminal's channel
came on.
"""
from __future__ import annotations

import json
import logging
import math
from fractions import Fraction
from pathlib import Path
from typing import Any, AsyncIterator, BinaryIO, Callable

import anyio

from ..errors import JT808Error, TransportError
from ..jt1078 import DataType, Depacker, LiveVideoRequest, MediaFrame, Packer
from ..transport import open_listener

__all__ = ["MediaServer", "ChannelRecord"]

log = logging.getLogger("jt808.platform.media")

_REORDER_WINDOW = 64


class ChannelRecord:
    """What one terminal channel sent: files on disk and counters."""

    def __init__(self, directory: Path, sim: str, channel: int) -> None:
        self.sim, self.channel = sim, channel
        stem = directory / f"{sim}_ch{channel}"
        self.video_path = stem.with_suffix(".h264")
        self.audio_path = stem.with_suffix(".g711a")
        self.summary_path = stem.with_suffix(".json")
        self.mp4_path = stem.with_suffix(".mp4")
        self.flv_path = stem.with_suffix(".flv")
        self.mp4 = self.flv = False          # written (at close)
        self._video = open(self.video_path, "ab")
        self._audio: BinaryIO | None = None
        self.frames = self.keyframes = self.audio_frames = self.passthrough_frames = 0
        self.video_bytes = 0
        self.first_timestamp: int | None = None
        self.last_timestamp: int | None = None
        self.links: list[Depacker] = []

    def add(self, frame: MediaFrame) -> None:
        if frame.data_type.is_video:
            self._video.write(frame.payload)
            self.frames += 1
            self.keyframes += frame.data_type == DataType.I_FRAME
            self.video_bytes += len(frame.payload)
            if frame.timestamp is not None:
                if self.first_timestamp is None:
                    self.first_timestamp = frame.timestamp
                self.last_timestamp = frame.timestamp
        elif frame.data_type == DataType.AUDIO:
            if self._audio is None:
                self._audio = open(self.audio_path, "ab")
            self._audio.write(frame.payload)
            self.audio_frames += 1
        else:
            self.passthrough_frames += 1

    def summary(self) -> dict[str, Any]:
        stats = [link.stats for link in self.links]
        packets = sum(s.packets for s in stats)
        lost = sum(s.lost_packets for s in stats)
        span = ((self.last_timestamp or 0) - (self.first_timestamp or 0)) / 1000
        return {"sim": self.sim, "channel": self.channel, "frames": self.frames,
                "keyframes": self.keyframes, "audio_frames": self.audio_frames,
                "passthrough_frames": self.passthrough_frames, "packets": packets,
                "lost_packets": lost, "loss_rate": lost / (packets + lost) if packets + lost
                else 0.0, "frames_dropped": sum(s.frames_dropped for s in stats),
                "junk_bytes": sum(s.junk_bytes for s in stats), "video_bytes": self.video_bytes,
                "bitrate_bps": int(self.video_bytes * 8 / span) if span > 0 else 0,
                "first_timestamp": self.first_timestamp, "last_timestamp": self.last_timestamp,
                "video_file": self.video_path.name,
                "mp4_file": self.mp4_path.name if self.mp4 else None,
                "flv_file": self.flv_path.name if self.flv else None}

    def flush(self) -> None:
        if not self._video.closed:
            self._video.flush()
        if self._audio is not None and not self._audio.closed:
            self._audio.flush()
        self.summary_path.write_text(json.dumps(self.summary(), indent=1))

    def close(self) -> None:
        self._video.close()
        if self._audio is not None:
            self._audio.close()
        if self.frames:
            self.mp4 = remux_h264(self.video_path, self.mp4_path, self.fps())
            self.flv = remux_h264(self.video_path, self.flv_path, self.fps())
        self.flush()

    def fps(self) -> int:
        """Frames per second from the timestamps (15 when they say nothing)."""
        span = (self.last_timestamp or 0) - (self.first_timestamp or 0)
        if span <= 0 or self.frames <= 1:
            return 15
        return max(1, round((self.frames - 1) * 1000 / span))   # fast playback: >= 1


def remux_h264(h264_path: Path, out_path: Path, fps: int) -> bool:
    """Remux an Annex B file at ``fps`` into the container ``out_path``'s suffix names
    (``.mp4``, ``.flv``: FFmpeg's muxers, through PyAV, the ``media`` extra); ``False``
    (and no file) when PyAV is missing or the stream cannot be remuxed."""
    try:
        import av
    except ImportError:
        return False
    try:
        with av.open(str(h264_path), format="h264") as src, av.open(str(out_path), "w") as dst:
            video = src.streams.video[0]
            out = dst.add_stream_from_template(video)
            index = 0
            for packet in src.demux(video):
                if packet.size == 0:
                    continue
                packet.stream = out
                packet.time_base = Fraction(1, fps)
                packet.pts = packet.dts = index
                packet.duration = 1
                dst.mux(packet)
                index += 1
    except (av.FFmpegError, ValueError, IndexError) as exc:
        log.info("no %s for %s: %s", out_path.suffix, h264_path.name, exc)
        out_path.unlink(missing_ok=True)
        return False
    return True


class MediaServer:
    """Media links in, one :class:`ChannelRecord` per (SIM, channel) out."""

    def __init__(self, directory: str | Path, *, host: str = "127.0.0.1",
                 max_links: int = 64) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.host = host
        self.max_links = max_links
        self.channels: dict[tuple[str, int], ChannelRecord] = {}
        self.tcp_port = self.udp_port = 0
        self.links = 0
        self.packets_received = 0     # datagrams, all UDP links together
        self._changed = anyio.Event()
        self._open_links: list[_Link] = []
        self._tg: Any = None
        self._listeners: list[Any] = []

    async def __aenter__(self) -> "MediaServer":
        self._tg = await anyio.create_task_group().__aenter__()
        return self

    async def __aexit__(self, *exc: Any) -> bool | None:
        self._tg.cancel_scope.cancel()
        try:
            return await self._tg.__aexit__(*exc)
        finally:
            for listener in self._listeners:
                with anyio.CancelScope(shield=True):
                    await listener.aclose()
            for record in self.channels.values():
                record.close()

    async def serve(self, tcp_port: int = 0, udp_port: int = 0) -> None:
        """Listen for media links on TCP and UDP (port 0: one chosen by the OS)."""
        for scheme, port in (("tcp", tcp_port), ("udp", udp_port)):
            listener = await open_listener(f"{scheme}://{self.host}:{port}")
            self._listeners.append(listener)
            setattr(self, f"{scheme}_port", listener.address[1])
            self._tg.start_soon(self._accept, listener, scheme == "udp")

    async def _accept(self, listener: Any, datagrams: bool) -> None:
        async for transport in listener:
            if self.links >= self.max_links:
                await transport.aclose()
                continue
            self.links += 1
            self._tg.start_soon(self._link, transport, datagrams)

    async def _link(self, transport: Any, datagrams: bool) -> None:
        depacker = Depacker(reorder_window=_REORDER_WINDOW if datagrams else 0)
        seen: set[ChannelRecord] = set()
        link = _Link(transport)
        self._open_links.append(link)
        try:
            while data := await transport.receive():
                frames = depacker.feed_datagram(data) if datagrams else depacker.feed(data)
                self._store(frames, depacker, seen, link)
                self.packets_received += datagrams
                self._notify()
        except TransportError as exc:
            log.info("media link failed: %s", exc)
        finally:
            self._store(depacker.flush(), depacker, seen, link)
            self._open_links.remove(link)
            for record in seen:
                record.flush()
            self.links -= 1
            self._notify()
            with anyio.CancelScope(shield=True):
                try:
                    await transport.aclose()
                except JT808Error:
                    pass

    def _store(self, frames: list[MediaFrame], depacker: Depacker,
               seen: set[ChannelRecord], link: "_Link") -> None:
        for frame in frames:
            record = self.channel(frame.sim, frame.channel)
            if record not in seen:
                seen.add(record)
                record.links.append(depacker)
                link.channels.add((record.sim, record.channel))
                link.sim_width = len(frame.sim) // 2
            link.video = link.video or frame.data_type.is_video
            record.add(frame)

    def channel(self, sim: str, channel: int) -> ChannelRecord:
        """The record of ``channel`` of the terminal ``sim`` (leading zeros optional)."""
        key = (sim.lstrip("0"), channel)
        record = self.channels.get(key)
        if record is None:
            record = self.channels[key] = ChannelRecord(self.directory, sim.lstrip("0"), channel)
        return record

    def _notify(self) -> None:
        if not self._changed.is_set():
            self._changed.set()
        self._changed = anyio.Event()

    async def wait_for(self, predicate: Callable[[], Any], timeout: float | None = 10.0) -> Any:
        """Wait until ``predicate()`` is truthy (checked after each batch of frames)."""
        with anyio.fail_after(math.inf if timeout is None else timeout):
            while not (result := predicate()):
                await self._changed.wait()
        return result

    async def request_live(self, platform: Any, phone: str, channel: int, *,
                           tcp: bool = True, data_type: int = 1, stream_type: int = 0,
                           server_ip: str | None = None, timeout: float = 10.0) -> Any:
        """Send 0x9101 to ``phone`` naming this server; return the terminal's reply."""
        request = LiveVideoRequest(server_ip or self.host, self.tcp_port if tcp else 0,
                                   0 if tcp else self.udp_port, channel, data_type,
                                   stream_type)
        return await platform.request(phone, request, timeout)

    async def request_talk(self, platform: Any, phone: str, channel: int, *, tcp: bool = True,
                           server_ip: str | None = None, timeout: float = 10.0) -> Any:
        """Send 0x9101 data type 2 (two-way talk) to ``phone``; return its reply."""
        return await self.request_live(platform, phone, channel, tcp=tcp, data_type=2,
                                       server_ip=server_ip, timeout=timeout)

    async def talk(self, phone: str, channel: int, units: AsyncIterator, *,
                   paced: bool = True, timeout: float = 10.0) -> int:
        """Say G.711A ``units`` (``hal.audio.ToneSource(...).units()``) to ``phone`` on
        the newest open link of its ``channel`` that carries no video (a talk link, known
        from the terminal's first packet on it), at their timestamps when ``paced``;
        return the frames sent."""
        key = (phone.lstrip("0"), channel)
        link = await self.wait_for(lambda: self._talk_link(key), timeout)
        packer = Packer(key[0], sim_width=link.sim_width)
        start: tuple[float, int] | None = None
        sent = 0
        async for unit in units:
            if paced:
                start = start or (anyio.current_time(), unit.timestamp)
                due = start[0] + (unit.timestamp - start[1]) / 1000
                await anyio.sleep(max(due - anyio.current_time(), 0))
            for wire in packer.pack(channel, DataType.AUDIO, unit.data, unit.timestamp):
                await link.transport.send(wire)
            sent += 1
        return sent

    def _talk_link(self, key: tuple[str, int]) -> "_Link | None":
        return next((link for link in reversed(self._open_links)
                     if key in link.channels and not link.video), None)


class _Link:
    """One open media link: what came on it so far."""

    def __init__(self, transport: Any) -> None:
        self.transport = transport
        self.channels: set[tuple[str, int]] = set()     # (SIM, channel)
        self.sim_width = 6
        self.video = False
