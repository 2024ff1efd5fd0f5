"""The platform's side of one terminal's link."""
from __future__ import annotations

from ..codec import (MediaUploadResponse, Message, PlatformGeneralResponse, ResendRequest,
                     TerminalRegisterResponse)
from ..frame import Header, Version
from ._core import Session, media_reply, resend_request
from ._packets import Partial
from ._roles import PLATFORM

__all__ = ["PlatformSession"]

_MEDIA_UPLOAD = 0x0801


class PlatformSession(Session):
    """A platform's session with one terminal.

    ``phone`` and ``version`` are learnt from the first frame when not given. Missing
    subpackets are asked for with 0x8003 (0x8800 for a media upload); a complete media
    upload is acknowledged with an empty 0x8800; 0x0005 resend requests are served;
    the terminal's RSA key (0x0A00) is taken and acknowledged.
    """

    role = PLATFORM

    def __init__(self, phone: str | None = None, version: Version | None = None, *,
                 auto_media_reply: bool = True, **options) -> None:
        super().__init__(phone or "", version, **options)
        self.auto_media_reply = auto_media_reply

    HANDLERS = {0x0005: "_serve_resend", 0x0A00: "_take_key", _MEDIA_UPLOAD: "_media_upload"}

    def _receive_frame(self, frame, now: float) -> None:
        if not self.phone:
            self.phone = frame.header.phone
        super()._receive_frame(frame, now)

    def _media_upload(self, message: Message, header: Header, now: float) -> bool:
        media_id = getattr(message, "media_id", None)
        raw_body = getattr(message, "body", b"")
        if media_id is None and len(raw_body) >= 4:
            media_id = int.from_bytes(raw_body[:4], "big")       # a body the codec kept raw
        if self.auto_media_reply and media_id is not None:
            self.send(MediaUploadResponse(media_id, ()), now)
        return False                                 # the application still gets it

    def send(self, message: Message, now: float, *, expect_reply: bool | None = None) -> int:
        serial = super().send(message, now, expect_reply=expect_reply)
        if isinstance(message, TerminalRegisterResponse):
            new = self.role.next_state(0x0100, message.msg_id, message.result)
        elif isinstance(message, PlatformGeneralResponse):
            new = self.role.next_state(message.reply_id, message.msg_id, message.result)
        else:
            new = None
        if new is not None:
            self._set_state(new)
        return serial

    def _request_missing(self, partial: Partial, now: float) -> None:
        """0x8800 with the missing indexes for a media upload, else 0x8003 (see
        :func:`resend_request` for its form: serials, or indexes when the serials are
        not consecutive; the version's count width unless ``resend_count_width``)."""
        request = media_reply(partial) or resend_request(partial, ResendRequest,
                                                         self.resend_count_width)
        self.send(request, now, expect_reply=False)
