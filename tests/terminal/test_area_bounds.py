"""Areas and routes a platform sends are kept within a bound (issue 18: 0x8604 polygons of
65,535 points, any number of them, ~8.8 MiB each)."""
from __future__ import annotations

import anyio
import pytest

from jt808.codec import SetPolygonArea
from jt808.codec._areas import Point
from jt808.frame import Header
from jt808.terminal import _handlers
from jt808.terminal._handlers import MAX_AREA_POINTS, RESULT_FAILED, RESULT_OK, store_area


class Recorder:
    def __init__(self) -> None:
        self.areas: dict = {}
        self.results: list[int] = []

    def reply(self, header, result=0):
        self.results.append(result)


def polygon(area_id: int, points: int) -> SetPolygonArea:
    return SetPolygonArea(area_id, 0, points=tuple(Point(31.0, 121.0 + i / 1e5)
                                                   for i in range(points)))


def run(terminal, message) -> None:
    anyio.run(store_area, terminal, message, Header(0x8604, "13800138000", 1))


def test_polygons_within_the_point_budget_are_kept():
    terminal = Recorder()
    run(terminal, polygon(1, MAX_AREA_POINTS // 2))
    run(terminal, polygon(2, MAX_AREA_POINTS // 2))
    assert terminal.results == [RESULT_OK, RESULT_OK] and len(terminal.areas) == 2


def test_a_polygon_past_the_budget_is_refused_and_changes_nothing():
    terminal = Recorder()
    run(terminal, polygon(1, 100))
    run(terminal, polygon(2, 65_535))
    assert terminal.results == [RESULT_OK, RESULT_FAILED]
    assert list(terminal.areas) == [(0x8604, 1)]


def test_replacing_an_area_frees_its_points():
    terminal = Recorder()
    run(terminal, polygon(1, MAX_AREA_POINTS))
    run(terminal, polygon(1, MAX_AREA_POINTS))               # same id: replaces
    assert terminal.results == [RESULT_OK, RESULT_OK] and len(terminal.areas) == 1


def test_the_item_count_is_bounded_too(monkeypatch):
    monkeypatch.setattr(_handlers, "MAX_AREAS", 3)
    terminal = Recorder()
    for area_id in range(1, 5):
        run(terminal, polygon(area_id, 3))
    assert terminal.results == [RESULT_OK] * 3 + [RESULT_FAILED]
