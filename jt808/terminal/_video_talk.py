"""JT/T 1078 two-way talk on the terminal (0x9101 data type 2, "two-way intercom"): the
platform speaks on the same media link the terminal streams its audio on. What arrives
is depacked (bounded: audio frames only, small) and each G.711A frame (payload type 6)
goes to the ``talk_sink(channel, g711a_bytes)`` hook (a loudspeaker, a file); without a
hook the frames are counted and dropped. Other payloads are counted as refused.
"""
from __future__ import annotations

import logging
from typing import Any, Callable

from ..errors import TransportError
from ..jt1078 import DataType, Depacker, MediaFrame, PayloadType
from ._replies import call_hook

__all__ = ["TalkReceiver", "MAX_TALK_FRAME"]

log = logging.getLogger("jt808.terminal.video")

MAX_TALK_FRAME = 16 << 10     # bytes; G.711A is 8000 bytes a second, frames are 40-320 ms
_REORDER_WINDOW = 16          # datagrams (a UDP talk link)


class TalkReceiver:
    """Reads one media link until it ends; ``frames``/``bytes`` handed to the sink (or
    dropped without one), ``refused`` frames that were not G.711A audio."""

    def __init__(self, sink: Callable[[int, bytes], Any] | None = None) -> None:
        self.sink = sink
        self.frames = self.bytes = self.refused = 0
        self.depacker: Depacker | None = None

    async def run(self, transport: Any) -> None:
        datagrams = getattr(transport, "kind", "stream") == "datagram"
        depacker = self.depacker = Depacker(
            max_frame=MAX_TALK_FRAME, max_assembling=2,
            reorder_window=_REORDER_WINDOW if datagrams else 0)
        try:
            while data := await transport.receive():
                for frame in depacker.feed_datagram(data) if datagrams else depacker.feed(data):
                    await self._hand(frame)
        except TransportError as exc:
            log.info("talk link ended: %s", exc)
        for frame in depacker.flush():          # what was held for reordering
            await self._hand(frame)

    async def _hand(self, frame: MediaFrame) -> None:
        if frame.data_type != DataType.AUDIO or frame.payload_type != PayloadType.G711A:
            self.refused += 1
            return
        self.frames += 1
        self.bytes += len(frame.payload)
        await call_hook(self.sink, frame.channel, frame.payload)
