"""Default answers that depend on the protocol version: a 2011 photo command is
answered 0x0001 (2011 lacks 0x0805); area queries before 2019 are not supported."""
from __future__ import annotations

import datetime as dt

import pytest

from jt808.codec import (CameraShootCommand, LocationReport, MediaDataUpload,
                         MediaEventUpload, QueryAreaRoute)
from jt808.frame import Header, Version
from jt808.terminal._handlers import query_areas, take_photo

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class _Reporter:
    async def current(self):
        return LocationReport(0, 2, 31.0, 121.0, 10, 36.5, 90, dt.datetime(2024, 1, 2, 3, 4, 5))


class _Camera:
    async def capture(self, channel, resolution=None) -> bytes:
        return b"\xff\xd8photo\xff\xd9"


class FakeTerminal:
    """What the default handlers use of ``Terminal``; records what they send."""

    def __init__(self, version: Version, camera=None) -> None:
        self.version, self.camera = version, camera
        self.reporter = _Reporter()
        self.replies: list[tuple[int, int]] = []
        self.sent: list = []
        self._media_id = 0

    def reply(self, header: Header, result: int = 0) -> int:
        self.replies.append((header.msg_id, result))
        return 1

    async def send(self, message) -> int:
        self.sent.append(message)
        return 1

    async def request(self, message):
        self.sent.append(message)

    def next_media_id(self) -> int:
        self._media_id += 1
        return self._media_id


def _header(msg_id: int, version: Version) -> Header:
    return Header(msg_id=msg_id, phone="13800138000", serial=7, version=version)


async def test_2011_photo_answers_general_ok_then_uploads() -> None:
    """2011 has no 0x0805: 0x8801 is answered by 0x0001 result 0, then 0x0800 + 0x0801."""
    terminal = FakeTerminal(Version.V2011, _Camera())
    await take_photo(terminal, CameraShootCommand(1, 1, 0, 0, 1), _header(0x8801, Version.V2011))
    assert terminal.replies == [(0x8801, 0)]
    assert [type(m) for m in terminal.sent] == [MediaEventUpload, MediaDataUpload]
    assert terminal.sent[1].location is None and terminal.sent[1].media_data.startswith(b"\xff\xd8")


async def test_2011_photo_without_camera_answers_general_failure() -> None:
    terminal = FakeTerminal(Version.V2011)
    await take_photo(terminal, CameraShootCommand(1, 1, 0, 0, 1), _header(0x8801, Version.V2011))
    assert terminal.replies == [(0x8801, 1)] and terminal.sent == []


async def test_2013_photo_still_answers_0805() -> None:
    terminal = FakeTerminal(Version.V2013, _Camera())
    await take_photo(terminal, CameraShootCommand(1, 1, 0, 0, 1), _header(0x8801, Version.V2013))
    assert terminal.replies == [] and terminal.sent[0].msg_id == 0x0805
    assert terminal.sent[0].ids == (1,)


@pytest.mark.parametrize("version", [Version.V2011, Version.V2013])
async def test_area_query_before_2019_is_not_supported(version: Version) -> None:
    """0x0608 exists from 2019 on: earlier versions get 0x0001 result 3, nothing else."""
    terminal = FakeTerminal(version)
    await query_areas(terminal, QueryAreaRoute(1, ()), _header(0x8608, version))
    assert terminal.replies == [(0x8608, 3)] and terminal.sent == []
