"""JT/T 1078 on the terminal: live video, recordings, playback, FTP upload, PTZ.

``enable_video(terminal, sources, recordings)`` registers handlers with the public
``Terminal.on(msg_id, handler)`` and returns the :class:`VideoService`:

- 0x9101 opens the media link (TCP when the request gives a TCP port, else UDP) through
  ``link_url(ip, port, tcp)`` (plain ``tcp://``/``udp://`` by default;
  :func:`quectel_link_url` for a second socket on the terminal's modem, with
  ``link_options={"modem": driver}``), answers 0x0001 and streams the channel until
  closed. 0x9102 closes (audio, video or both), switches stream, pauses, resumes.
  Data type 2 (two-way talk) opens a link of its own (``talks``): the terminal sends its
  audio source (G.711A silence without one) and hands what the platform says to
  ``talk_sink(channel, g711a)`` (see ``_video_talk``); 0x9102 command 4 closes it. Data
  types 4 (broadcast) and 5 (pass-through) are answered "not supported".
  0x9105 (the platform's loss rate) is kept in ``loss_reports`` and passed to
  ``on_loss_report(channel, rate)``.
- 0x9205 → 0x1205 from the recording store; 0x9201 → 0x1205, then plays the matching
  recordings at the asked speed and mode; 0x9202 pauses, resumes, stops, changes speed,
  seeks, plays key frames.
- 0x9206 → 0x0001, uploads the matching recordings to the FTP server (a worker
  thread) once the terminal's network is one the task conditions allow (held until
  then; ``network=`` / ``set_network``: see ``_video_upload``), then 0x1206; 0x9207
  pauses, resumes or cancels it.
- 0x9003 → 0x1003 from the sources given; 0x9301-0x9306 → the ``ptz(message)`` hook.

Backpressure: each link has a :class:`jt808.jt1078.FrameQueue`; frames are produced
at their timestamps whatever the link does, so a slow link drops P-frames before
I-frames and memory stays bounded. ``stream.stats`` reports frames, drops and bitrate.
"""
from __future__ import annotations

import logging
from contextlib import suppress
from datetime import datetime, timedelta
from typing import Any, AsyncIterator, Callable

import anyio

from ..errors import JT808Error, TransportError
from ..frame import Header, Version
from ..jt1078 import (AVAttributes, DataType, FrameQueue, Packer,
                      QueuedFrame, ResourceItem, ResourceList)
from ..transport import open_transport
from ._replies import call_hook
from ._video_talk import TalkReceiver
from ._video_upload import FtpUpload, UploadService

__all__ = ["VideoService", "MediaStream", "FtpUpload", "enable_video", "default_link_url",
           "quectel_link_url"]

log = logging.getLogger("jt808.terminal.video")

RESULT_OK, RESULT_FAILED, RESULT_NOT_SUPPORTED = 0, 1, 3
_PTZ_IDS = (0x9301, 0x9302, 0x9303, 0x9304, 0x9305, 0x9306)
_SPEEDS = {0: 1, 1: 1, 2: 2, 3: 4, 4: 8, 5: 16}            # 0x9201/0x9202 speed codes
_KEYFRAME_MODES = (2, 3)                                   # playback mode: key frames
_LIVE_TYPES = (0, 1, 2, 3)      # 0x9101 data types: audio+video, video, two-way talk, listen
_TALK, _LISTEN = 2, 3           # (4 broadcast and 5 pass-through are not supported)
_CLOSE_TALK = 4                 # 0x9102 command: close the two-way talk


def default_link_url(ip: str, port: int, tcp: bool) -> str:
    return f"{'tcp' if tcp else 'udp'}://{ip}:{port}"


def quectel_link_url(device: str) -> Callable[[str, int, bool], str]:
    """Media links as a second socket of the modem at ``device`` (pass the terminal's
    driver as ``link_options={"modem": driver}`` to share it)."""
    return lambda ip, port, tcp: (f"quectel+{'tcp' if tcp else 'udp'}://{device}"
                                  f"?host={ip}&port={port}")


class MediaStream:
    """One media link: producers put frames at their timestamps, one writer packs and
    sends them. ``kind`` is ``"live"`` or ``"playback"``."""

    def __init__(self, channel: int, transport: Any, packer: Packer, kind: str,
                 max_queue_bytes: int, clock: Callable[[], float]) -> None:
        self.channel, self.transport, self.packer, self.kind = channel, transport, packer, kind
        self.queue = FrameQueue(max_queue_bytes)
        self.clock = clock
        self.video_on = self.audio_on = True
        self.paused = False
        self.speed = 1
        self._epoch = 0        # bumped by a speed change: producers re-anchor their pacing
        self.keyframes_only = False
        self.frames_sent = self.bytes_sent = self.packets_sent = 0
        self.started = clock()
        self.closed = anyio.Event()
        self._wake = anyio.Event()
        self._resumed = anyio.Event()
        self._resumed.set()
        self.recordings: list[Any] = []       # what a playback stream plays (for seeks)
        self._producers: set[anyio.CancelScope] = set()
        self._video_scope: anyio.CancelScope | None = None
        self._tg: Any = None
        self.talk: TalkReceiver | None = None     # what the platform says (two-way talk)

    @property
    def stats(self) -> dict[str, Any]:
        elapsed = max(self.clock() - self.started, 1e-9)
        q = self.queue.stats
        return {"channel": self.channel, "kind": self.kind, "frames_sent": self.frames_sent,
                "frames_dropped": q.dropped_frames, "i_frames_dropped": q.dropped_i_frames,
                "packets_sent": self.packets_sent, "bytes_sent": self.bytes_sent,
                "bitrate_bps": int(self.bytes_sent * 8 / elapsed),
                "queued_bytes": self.queue.queued_bytes,
                **({"talk_frames": self.talk.frames, "talk_refused": self.talk.refused}
                   if self.talk is not None else {})}

    async def run(self, video: AsyncIterator | None, audio: AsyncIterator | None,
                  talk: TalkReceiver | None = None) -> None:
        """Stream until closed, the sources end, or the link fails; with ``talk``, also
        hear the platform on the link until it ends it."""
        try:
            async with anyio.create_task_group() as tg:
                self._tg = tg
                tg.start_soon(self._writer)
                if video is not None:
                    self.replace_video(video)
                if audio is not None:
                    scope = anyio.CancelScope()
                    self._producers.add(scope)
                    tg.start_soon(self._produce, audio, DataType.AUDIO, scope)
                if talk is not None:
                    self.talk = talk
                    scope = anyio.CancelScope()
                    self._producers.add(scope)
                    tg.start_soon(self._hear, talk, scope)
                if not self._producers:
                    self.closed.set()
                await self.closed.wait()
                tg.cancel_scope.cancel()
        finally:
            with anyio.CancelScope(shield=True), suppress(JT808Error):
                await self.transport.aclose()
            log.info("media stream %s channel %d ended: %s", self.kind, self.channel,
                     self.stats)

    def replace_video(self, units: AsyncIterator) -> None:
        """Start (or restart, for a stream switch or a seek) the video producer."""
        if self._video_scope is not None:
            self._video_scope.cancel()
            self._producers.discard(self._video_scope)
        scope = self._video_scope = anyio.CancelScope()
        self._producers.add(scope)
        self._tg.start_soon(self._produce, units, None, scope)

    def close(self) -> None:
        self.closed.set()

    def set_speed(self, speed: int) -> None:
        """Play ``speed`` times faster from the next frame on."""
        self.speed = speed
        self._epoch += 1

    def pause(self) -> None:
        self.paused = True
        self._resumed = anyio.Event()

    def resume(self) -> None:
        self.paused = False
        self._resumed.set()

    async def _produce(self, units: AsyncIterator, kind: DataType | None,
                       scope: anyio.CancelScope) -> None:
        base: tuple[float, int] | None = None
        need_i = False
        epoch = self._epoch
        with scope:
            try:
                async for unit in units:
                    while True:                  # a paused playback waits, live drops
                        if self.paused and self.kind == "playback":
                            await self._resumed.wait()
                            base = None
                        if epoch != self._epoch:
                            base, epoch = None, self._epoch
                        base = base or (self.clock(), unit.timestamp)
                        due = base[0] + (unit.timestamp - base[1]) / 1000 / self.speed
                        await anyio.sleep(max(due - self.clock(), 0))
                        if not (self.paused and self.kind == "playback"):
                            break
                    frame_kind = kind or (DataType.I_FRAME if unit.keyframe else DataType.P_FRAME)
                    if self.paused or not (self.audio_on if kind else self.video_on):
                        need_i = kind is None
                        continue
                    if kind is None and (need_i or self.keyframes_only) and not unit.keyframe:
                        continue
                    need_i = False
                    self.queue.put(QueuedFrame(self.channel, frame_kind, unit.data,
                                               unit.timestamp))
                    self._wake.set()
            finally:
                self._producers.discard(scope)
                self._wake.set()

    async def _hear(self, talk: TalkReceiver, scope: anyio.CancelScope) -> None:
        with scope:
            try:
                await talk.run(self.transport)
            finally:
                self._producers.discard(scope)
                self.close()                     # the platform ended the talk

    async def _writer(self) -> None:
        while True:
            frame = self.queue.pop()
            if frame is None:
                if not self._producers:
                    self.closed.set()
                    return
                self._wake = anyio.Event()
                await self._wake.wait()
                continue
            try:
                for wire in self.packer.pack(frame.channel, frame.data_type, frame.payload,
                                             frame.timestamp):
                    await self.transport.send(wire)
                    self.packets_sent += 1
                    self.bytes_sent += len(wire)
            except (TransportError, ValueError) as exc:
                log.info("media link of channel %d failed: %s", self.channel, exc)
                self.closed.set()
                return
            self.frames_sent += 1


class VideoService:
    """The terminal's 1078 side; see the module docstring. ``sources`` maps a logical
    channel (or ``(channel, stream_type)``) to a video source with ``async units()``."""

    def __init__(self, terminal: Any, sources: dict[Any, Any], recordings: Any = None, *,
                 audio: Any = None, ptz: Callable[[Any], Any] | None = None,
                 link_url: Callable[[str, int, bool], str] = default_link_url,
                 link_options: dict[str, Any] | None = None,
                 max_queue_bytes: int = 2 << 20,
                 clock: Callable[[], float] | None = None,
                 network: str | Callable[[], str] | None = None,
                 talk_sink: Callable[[int, bytes], Any] | None = None) -> None:
        self.terminal, self.sources, self.recordings = terminal, sources, recordings
        self.audio, self.ptz = audio, ptz
        self.link_url, self.link_options = link_url, dict(link_options or {})
        self.max_queue_bytes = max_queue_bytes
        self.clock = clock or anyio.current_time
        self.streams: dict[int, MediaStream] = {}
        self.playbacks: dict[int, MediaStream] = {}
        self.talks: dict[int, MediaStream] = {}
        self.talk_sink = talk_sink
        self._uploads = UploadService(terminal, network)
        self.uploads: dict[int, FtpUpload] = self._uploads.uploads
        self.loss_reports: dict[int, int] = {}
        self.on_loss_report: Callable[[int, int], Any] | None = None

    def handlers(self) -> dict[int, Callable]:
        table = {0x9003: self._attributes, 0x9101: self._live, 0x9102: self._live_control,
                 0x9105: self._loss_report, 0x9205: self._resources, 0x9201: self._playback,
                 0x9202: self._playback_control, 0x9206: self._upload,
                 0x9207: self._upload_control}
        return {**table, **{msg_id: self._ptz for msg_id in _PTZ_IDS}}

    # -- helpers ------------------------------------------------------------------------
    def _source(self, channel: int, stream_type: int = 0) -> Any:
        return self.sources.get((channel, stream_type), self.sources.get(channel))

    def _packer(self) -> Packer:
        width = 10 if self.terminal.version == Version.V2019 else 6
        return Packer(self.terminal.session.phone, sim_width=width)

    async def _open(self, message: Any, channel: int, kind: str) -> MediaStream | None:
        tcp = message.tcp_port != 0
        url = self.link_url(message.server_ip, message.tcp_port or message.udp_port, tcp)
        try:
            transport = await open_transport(url, **self.link_options)
        except (TransportError, ValueError) as exc:
            log.info("cannot open the media link %s: %s", url, exc)
            return None
        return MediaStream(channel, transport, self._packer(), kind, self.max_queue_bytes,
                           self.clock)

    async def _serve(self, table: dict[int, MediaStream], stream: MediaStream,
                     video: AsyncIterator | None, audio: AsyncIterator | None,
                     talk: TalkReceiver | None = None) -> None:
        old = table.get(stream.channel)
        if old is not None:
            old.close()
        table[stream.channel] = stream
        try:
            await stream.run(video, audio, talk)
        finally:
            if table.get(stream.channel) is stream:
                del table[stream.channel]

    # -- live -----------------------------------------------------------------------------
    async def _attributes(self, terminal: Any, message: Any, header: Header) -> None:
        has_audio = self.audio is not None
        channels = {key[0] if isinstance(key, tuple) else key for key in self.sources}
        await terminal.send(AVAttributes(
            audio_encoding=6 if has_audio else 0, audio_channels=1 if has_audio else 0,
            audio_sample_rate=0, audio_sample_bits=1, audio_frame_length=320,
            audio_output=0, video_encoding=98, max_audio_channels=int(has_audio),
            max_video_channels=len(channels)))

    async def _live(self, terminal: Any, message: Any, header: Header) -> None:
        kind, channel = message.data_type, message.channel
        if kind not in _LIVE_TYPES:
            terminal.reply(header, RESULT_NOT_SUPPORTED)
            return
        source = self._source(channel, message.stream_type)
        wants_video = kind in (0, 1)
        if (source is None if wants_video else not self._has_channel(channel)) or \
                kind == _LISTEN and self.audio is None:
            terminal.reply(header, RESULT_FAILED)
            return
        stream = await self._open(message, channel, "talk" if kind == _TALK else "live")
        if stream is None:
            terminal.reply(header, RESULT_FAILED)
            return
        terminal.reply(header, RESULT_OK)
        video = source.units() if wants_video else None
        if kind == _TALK:
            await self._serve(self.talks, stream, None, self._talk_uplink(),
                              TalkReceiver(self.talk_sink))
            return
        audio = self.audio.units() if self.audio is not None and kind in (0, _LISTEN) else None
        await self._serve(self.streams, stream, video, audio)

    def _has_channel(self, channel: int) -> bool:
        return any((key[0] if isinstance(key, tuple) else key) == channel for key in self.sources)

    def _talk_uplink(self) -> AsyncIterator:
        """The terminal's side of a talk: its microphone, or G.711A silence (the platform
        learns which terminal the link is from the packets it sends)."""
        if self.audio is not None:
            return self.audio.units()
        from hal.audio import ToneSource
        return ToneSource(amplitude=0).units()

    async def _live_control(self, terminal: Any, message: Any, header: Header) -> None:
        if message.command == _CLOSE_TALK:
            talk = self.talks.get(message.channel)
            if talk is not None:
                talk.close()
            terminal.reply(header, RESULT_OK if talk is not None else RESULT_FAILED)
            return
        stream = self.streams.get(message.channel)
        if stream is None:
            terminal.reply(header, RESULT_FAILED)
            return
        if message.command == 0:
            if message.close_type in (0, 1):
                stream.audio_on = False
            if message.close_type in (0, 2):
                stream.video_on = False
            if not (stream.audio_on or stream.video_on) or message.close_type == 0:
                stream.close()
        elif message.command == 1:
            source = self._source(message.channel, message.stream_type)
            if source is not None:
                stream.replace_video(source.units())
        elif message.command == 2:
            stream.pause()
        elif message.command == 3:
            stream.resume()
        terminal.reply(header, RESULT_OK)

    async def _loss_report(self, terminal: Any, message: Any, header: Header) -> None:
        self.loss_reports[message.channel] = message.loss_rate
        log.info("platform reports %d%% loss on channel %d", message.loss_rate, message.channel)
        if self.on_loss_report is not None:
            await call_hook(self.on_loss_report, message.channel, message.loss_rate)
        terminal.reply(header, RESULT_OK)

    # -- recordings -----------------------------------------------------------------------
    def _query(self, message: Any) -> list[Any]:
        if self.recordings is None:
            return []
        return self.recordings.query(message.channel, message.start, message.end,
                                     alarm_mask=getattr(message, "alarm", 0),
                                     av_type=message.av_type, stream_type=message.stream_type,
                                     storage_type=message.storage_type)

    async def _resources(self, terminal: Any, message: Any, header: Header) -> None:
        await terminal.send(ResourceList(header.serial, [_item(r) for r in self._query(message)]))

    async def _playback(self, terminal: Any, message: Any, header: Header) -> None:
        found = self._query(message)
        await terminal.send(ResourceList(header.serial, [_item(r) for r in found]))
        if not found:
            return
        stream = await self._open(message, message.channel, "playback")
        if stream is None:
            return
        stream.set_speed(_SPEEDS.get(message.speed, 1) if message.mode in (1, 2) else 1)
        stream.keyframes_only = message.mode in _KEYFRAME_MODES
        stream.recordings = found
        await self._serve(self.playbacks, stream, self._replay(found, message.start), None)

    async def _replay(self, found: list[Any], start: datetime | None) -> AsyncIterator:
        """The recordings' units stamped from the first one's start, from the key frame
        at or before ``start`` on (the group of pictures before it is held, bounded by
        one GOP, and dropped at each new key frame)."""
        origin = found[0].start
        group: list[Any] = []
        for recording in found:
            offset = int((recording.start - origin) / timedelta(milliseconds=1))
            group = []                       # a recording starts with its own key frame
            for unit in self.recordings.units(recording):
                unit = type(unit)(unit.data, unit.timestamp + offset, unit.keyframe)
                at = origin + timedelta(milliseconds=unit.timestamp)
                if start is not None and at < start:
                    group = [unit] if unit.keyframe else group + [unit] if group else []
                    continue
                for held in group:
                    yield held
                group = []
                yield unit

    async def _playback_control(self, terminal: Any, message: Any, header: Header) -> None:
        stream = self.playbacks.get(message.channel)
        if stream is None:
            terminal.reply(header, RESULT_FAILED)
            return
        control = message.control
        if control == 0:
            stream.keyframes_only = False
            stream.resume()
        elif control == 1:
            stream.pause()
        elif control == 2:
            stream.close()
        elif control in (3, 4):
            stream.set_speed(_SPEEDS.get(message.speed, 1))
        elif control == 5 and message.position is not None:
            stream.queue.clear()                      # what was queued is before the seek
            stream.replace_video(self._replay(stream.recordings, message.position))
        elif control == 6:
            stream.keyframes_only = True
        terminal.reply(header, RESULT_OK)

    @property
    def network(self) -> str:
        """The network kind 0x9206 task conditions are checked against."""
        return self._uploads.network

    def set_network(self, kind: str) -> None:
        """The terminal is on ``kind`` now (``wifi``, ``lan``, ``mobile``)."""
        self._uploads.set_network(kind)

    async def _upload(self, terminal: Any, message: Any, header: Header) -> None:
        await self._uploads.upload(terminal, message, header,
                                   [r.path for r in self._query(message)])

    async def _upload_control(self, terminal: Any, message: Any, header: Header) -> None:
        await self._uploads.control(terminal, message, header)

    async def _ptz(self, terminal: Any, message: Any, header: Header) -> None:
        if self.ptz is None:
            terminal.reply(header, RESULT_NOT_SUPPORTED)
            return
        await call_hook(self.ptz, message)
        terminal.reply(header, RESULT_OK)


def _item(recording: Any) -> ResourceItem:
    return ResourceItem(recording.channel, recording.start, recording.end, recording.alarm,
                        recording.av_type, recording.stream_type, recording.storage_type,
                        recording.size)


def enable_video(terminal: Any, sources: dict[Any, Any], recordings: Any = None,
                 **options: Any) -> VideoService:
    """Answer the JT/T 1078 commands on ``terminal`` (see :class:`VideoService`)."""
    service = VideoService(terminal, sources, recordings, **options)
    for msg_id, handler in service.handlers().items():
        terminal.on(msg_id, handler)
    return service
