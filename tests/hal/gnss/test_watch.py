"""``WatchedGnss`` (fix state and since when) and ``quectel_gnss_on`` (AT+QGPS=1, §8)."""
from __future__ import annotations

import anyio
import pytest

from hal.gnss import Fix, RouteGnss, WatchedGnss, quectel_gnss_on
from hal.modem_sim import ModemSimulator


class Scripted:
    """Gives the fixes it was given, one per read; ``fix_at`` proves pass-through."""

    def __init__(self, *fixes: Fix | None) -> None:
        self.fixes = list(fixes)

    async def read(self) -> Fix | None:
        return self.fixes.pop(0)

    def fix_at(self, t: float) -> str:
        return f"route at {t}"


FIX = Fix(latitude=39.9, longitude=116.3, valid=True)


def test_fix_found_lost_and_found_again_is_told_once_each() -> None:
    said: list[str] = []
    now = [100.0]
    watch = WatchedGnss(Scripted(None, FIX, FIX, None, Fix(valid=False), FIX), said.append,
                        clock=lambda: now[0])

    async def reads() -> list:
        out = []
        for step in range(6):
            now[0] = 100.0 + step
            out.append(await watch.read())
        return out

    assert watch.seconds_without_fix() == 0.0
    results = anyio.run(reads)
    assert results[1] is FIX
    assert said == ["GNSS fix: 39.90000, 116.30000", "GNSS fix lost",
                    "GNSS fix: 39.90000, 116.30000"]
    assert (watch.reads, watch.fixes, watch.has_fix) == (6, 3, True)
    assert watch.seconds_without_fix() is None


def test_waiting_time_counts_from_start_and_from_the_loss() -> None:
    now = [10.0]
    watch = WatchedGnss(Scripted(None, FIX, None), clock=lambda: now[0])
    now[0] = 25.0
    anyio.run(watch.read)
    assert watch.seconds_without_fix() == 15.0           # no fix since start
    anyio.run(watch.read)
    now[0] = 40.0
    anyio.run(watch.read)                                # lost at 40
    assert watch.seconds_without_fix(now=43.0) == 3.0


def test_the_wrapped_source_stays_reachable() -> None:
    watch = WatchedGnss(Scripted())
    assert watch.fix_at(5) == "route at 5"
    with pytest.raises(AttributeError):
        watch.no_such_attribute  # noqa: B018
    assert isinstance(WatchedGnss(RouteGnss()).source, RouteGnss)


def test_quectel_gnss_on_sends_qgps_1_on_the_at_port() -> None:
    with ModemSimulator() as sim:
        assert not sim.call(lambda: sim.gnss.active)
        anyio.run(quectel_gnss_on, sim.at_port)
        assert sim.call(lambda: sim.gnss.active)
        anyio.run(quectel_gnss_on, sim.at_port)          # CME 504 "ongoing" counts as on
        assert sim.call(lambda: sim.gnss.active)


def test_quectel_gnss_on_a_missing_port_is_an_os_error(tmp_path) -> None:
    with pytest.raises(OSError) as caught:               # pyserial's SerialException
        anyio.run(quectel_gnss_on, str(tmp_path / "ttyUSB9"))
    assert "ttyUSB9" in str(caught.value)
