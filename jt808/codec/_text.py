"""Text, events, questions, information on demand, call back and phone book.

JT/T 808-2013 §8.19-8.26 (0x8300, 0x8301/0x0301, 0x8302/0x0302, 0x8303/0x0303,
0x8304, 0x8400, 0x8401); 2019 §8.19-8.26. 0x8301-0x8304 and 0x0301-0x0303 exist in
2011/2013 only (deleted in 2019: not registered for 2019).
"""
from __future__ import annotations

from typing import ClassVar

import attrs

from ..frame import Buffer, Version
from ._base import ALL_VERSIONS, BEFORE_2019, Message, register

__all__ = [
    "TextMessage", "EventItem", "EventSetting", "EventReport", "AnswerItem",
    "QuestionIssue", "QuestionAnswer", "InfoItem", "InfoMenuSetting", "InfoDemand",
    "InfoService", "CallBack", "Contact", "PhoneBookSetting",
]


@register
@attrs.frozen(slots=True)
class TextMessage(Message):
    """0x8300: text message delivery.

    ``flag`` bits (2013): 0 emergency, 2 terminal display, 3 TTS read-out, 4 advertising
    screen, 5 CAN fault code (else navigation info); 2019: bits 0-1 service/urgent/notice,
    2 display, 3 TTS, 5 CAN fault code. ``text_type`` (2019 only): 1 notice, 2 service.
    """

    MSG_ID: ClassVar[int] = 0x8300
    VERSIONS = ALL_VERSIONS
    flag: int
    text: str
    text_type: int = 1

    def encode_into(self, buf: Buffer, version: Version) -> None:
        buf.push_u8(self.flag, "flag")
        if version is Version.V2019:
            buf.push_u8(self.text_type, "text_type")
        buf.push_gbk(self.text, None, "text")

    @classmethod
    def decode_from(cls, buf: Buffer, version: Version) -> "TextMessage":
        flag = buf.pull_u8("flag")
        if version is Version.V2019:
            text_type = buf.pull_u8("text_type")
            return cls(flag, buf.pull_gbk_rest(), text_type)
        return cls(flag, buf.pull_gbk_rest())


@attrs.frozen(slots=True)
class EventItem:
    """One event of 0x8301: id BYTE, content length BYTE, content STRING."""

    event_id: int
    content: str = ""


@register
@attrs.frozen(slots=True)
class EventSetting(Message):
    """0x8301 (2011/2013): ``set_type`` 0 delete all, 1 update, 2 append, 3 modify,
    4 delete the listed events (content empty)."""

    MSG_ID: ClassVar[int] = 0x8301
    VERSIONS = BEFORE_2019
    set_type: int
    events: tuple[EventItem, ...] = ()

    def encode_into(self, buf: Buffer, version: Version) -> None:
        buf.push_u8(self.set_type, "set_type")
        buf.push_u8(len(self.events), "events")
        for item in self.events:
            buf.push_u8(item.event_id, "event_id")
            buf.push_gbk_u8len(item.content, "event_content")

    @classmethod
    def decode_from(cls, buf: Buffer, version: Version) -> "EventSetting":
        set_type = buf.pull_u8("set_type")
        count = buf.pull_u8("event_count")
        events = tuple(EventItem(buf.pull_u8("event_id"), buf.pull_gbk_u8len("event_content"))
                       for _ in range(count))
        return cls(set_type, events)


@register
@attrs.frozen(slots=True)
class EventReport(Message):
    """0x0301 (2011/2013): the terminal reports an event set by 0x8301."""

    MSG_ID: ClassVar[int] = 0x0301
    VERSIONS = BEFORE_2019
    event_id: int

    def encode_into(self, buf: Buffer, version: Version) -> None:
        buf.push_u8(self.event_id, "event_id")

    @classmethod
    def decode_from(cls, buf: Buffer, version: Version) -> "EventReport":
        return cls(buf.pull_u8("event_id"))


@attrs.frozen(slots=True)
class AnswerItem:
    """One candidate answer of 0x8302: id BYTE, content length WORD, content STRING."""

    answer_id: int
    content: str = ""


@register
@attrs.frozen(slots=True)
class QuestionIssue(Message):
    """0x8302 (2011/2013): a question with candidate answers.

    ``flag`` bits: 0 emergency, 3 TTS read-out, 4 advertising screen display.
    """

    MSG_ID: ClassVar[int] = 0x8302
    VERSIONS = BEFORE_2019
    flag: int
    question: str
    answers: tuple[AnswerItem, ...] = ()

    def encode_into(self, buf: Buffer, version: Version) -> None:
        buf.push_u8(self.flag, "flag")
        buf.push_gbk_u8len(self.question, "question")
        for item in self.answers:
            buf.push_u8(item.answer_id, "answer_id")
            buf.push_gbk_u16len(item.content, "answer_content")

    @classmethod
    def decode_from(cls, buf: Buffer, version: Version) -> "QuestionIssue":
        flag = buf.pull_u8("flag")
        question = buf.pull_gbk_u8len("question")
        answers = []
        while not buf.eof():
            answer_id = buf.pull_u8("answer_id")
            answers.append(AnswerItem(answer_id, buf.pull_gbk_u16len("answer_content")))
        return cls(flag, question, tuple(answers))


@register
@attrs.frozen(slots=True)
class QuestionAnswer(Message):
    """0x0302 (2011/2013): the driver's answer to the 0x8302 with serial ``reply_serial``."""

    MSG_ID: ClassVar[int] = 0x0302
    VERSIONS = BEFORE_2019
    reply_serial: int
    answer_id: int

    def encode_into(self, buf: Buffer, version: Version) -> None:
        buf.push_u16(self.reply_serial, "reply_serial")
        buf.push_u8(self.answer_id, "answer_id")

    @classmethod
    def decode_from(cls, buf: Buffer, version: Version) -> "QuestionAnswer":
        return cls(buf.pull_u16("reply_serial"), buf.pull_u8("answer_id"))


@attrs.frozen(slots=True)
class InfoItem:
    """One menu item of 0x8303: type BYTE, name length WORD, name STRING."""

    info_type: int
    name: str = ""


@register
@attrs.frozen(slots=True)
class InfoMenuSetting(Message):
    """0x8303 (2011/2013): ``set_type`` 0 delete all, 1 update, 2 append, 3 modify."""

    MSG_ID: ClassVar[int] = 0x8303
    VERSIONS = BEFORE_2019
    set_type: int
    infos: tuple[InfoItem, ...] = ()

    def encode_into(self, buf: Buffer, version: Version) -> None:
        buf.push_u8(self.set_type, "set_type")
        buf.push_u8(len(self.infos), "infos")
        for item in self.infos:
            buf.push_u8(item.info_type, "info_type")
            buf.push_gbk_u16len(item.name, "info_name")

    @classmethod
    def decode_from(cls, buf: Buffer, version: Version) -> "InfoMenuSetting":
        set_type = buf.pull_u8("set_type")
        count = buf.pull_u8("info_count")
        infos = tuple(InfoItem(buf.pull_u8("info_type"), buf.pull_gbk_u16len("info_name"))
                      for _ in range(count))
        return cls(set_type, infos)


@register
@attrs.frozen(slots=True)
class InfoDemand(Message):
    """0x0303 (2011/2013): order (``onoff`` 1) or cancel (0) information of ``info_type``."""

    MSG_ID: ClassVar[int] = 0x0303
    VERSIONS = BEFORE_2019
    info_type: int
    onoff: int

    def encode_into(self, buf: Buffer, version: Version) -> None:
        buf.push_u8(self.info_type, "info_type")
        buf.push_u8(self.onoff, "onoff")

    @classmethod
    def decode_from(cls, buf: Buffer, version: Version) -> "InfoDemand":
        return cls(buf.pull_u8("info_type"), buf.pull_u8("onoff"))


@register
@attrs.frozen(slots=True)
class InfoService(Message):
    """0x8304 (2011/2013): information of ``info_type``: type BYTE, length WORD, STRING."""

    MSG_ID: ClassVar[int] = 0x8304
    VERSIONS = BEFORE_2019
    info_type: int
    content: str

    def encode_into(self, buf: Buffer, version: Version) -> None:
        buf.push_u8(self.info_type, "info_type")
        buf.push_gbk_u16len(self.content, "content")

    @classmethod
    def decode_from(cls, buf: Buffer, version: Version) -> "InfoService":
        return cls(buf.pull_u8("info_type"), buf.pull_gbk_u16len("content"))


@register
@attrs.frozen(slots=True)
class CallBack(Message):
    """0x8400: call ``phone_number`` back; ``flag`` 0 normal call, 1 listen in."""

    MSG_ID: ClassVar[int] = 0x8400
    VERSIONS = ALL_VERSIONS
    flag: int
    phone_number: str

    def encode_into(self, buf: Buffer, version: Version) -> None:
        buf.push_u8(self.flag, "flag")
        buf.push_gbk(self.phone_number, None, "phone_number")

    @classmethod
    def decode_from(cls, buf: Buffer, version: Version) -> "CallBack":
        return cls(buf.pull_u8("flag"), buf.pull_gbk_rest())


@attrs.frozen(slots=True)
class Contact:
    """One phone-book entry of 0x8401. ``call_type`` 1 incoming, 2 outgoing, 3 both."""

    call_type: int
    phone: str
    name: str = ""


@register
@attrs.frozen(slots=True)
class PhoneBookSetting(Message):
    """0x8401: ``set_type`` 0 delete all, 1 update (replace all), 2 append, 3 modify.

    Items: flag BYTE, number length BYTE, number STRING, name length BYTE, name STRING.
    """

    MSG_ID: ClassVar[int] = 0x8401
    VERSIONS = ALL_VERSIONS
    set_type: int
    contacts: tuple[Contact, ...] = ()

    def encode_into(self, buf: Buffer, version: Version) -> None:
        buf.push_u8(self.set_type, "set_type")
        buf.push_u8(len(self.contacts), "contacts")
        for item in self.contacts:
            buf.push_u8(item.call_type, "call_type")
            buf.push_gbk_u8len(item.phone, "phone")
            buf.push_gbk_u8len(item.name, "name")

    @classmethod
    def decode_from(cls, buf: Buffer, version: Version) -> "PhoneBookSetting":
        set_type = buf.pull_u8("set_type")
        count = buf.pull_u8("contact_count")
        contacts = tuple(Contact(buf.pull_u8("call_type"), buf.pull_gbk_u8len("phone"),
                                 buf.pull_gbk_u8len("name")) for _ in range(count))
        return cls(set_type, contacts)
