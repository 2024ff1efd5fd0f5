"""The merged AT command table (hal/modem_sim/_commands.py): one entry per table."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from hal.modem_sim import ModemSimulator
from hal.modem_sim._commands import COMMAND_TABLES, COMMANDS, execute_line


@pytest.fixture
def sim() -> Iterator[ModemSimulator]:
    """A simulator that is not started: handlers only touch its state."""
    sim = ModemSimulator()
    try:
        yield sim
    finally:
        sim.stop()


def test_no_command_is_defined_by_two_tables() -> None:
    seen: dict[str, int] = {}
    for index, table in enumerate(COMMAND_TABLES):
        for name in table:
            assert name not in seen, f"{name} is in tables {seen[name]} and {index}"
            seen[name] = index
    assert set(seen) == set(COMMANDS)


def test_each_table_answers_through_the_merged_table(sim: ModemSimulator) -> None:
    """A command from each table (basic, TCP/IP, SMS) runs against a simulator's state."""
    assert execute_line(sim, "AT+CGSN").raw == f"\r\n{sim.config.imei}\r\n".encode()
    assert execute_line(sim, 'AT+QICSGP=1,1,"cmnet"').final == "OK"
    assert sim.pdp[1].apn == "cmnet"
    assert execute_line(sim, "AT+CMGF=0").final == "OK"
    assert execute_line(sim, "AT+CMGF?").raw == b"\r\n+CMGF: 0\r\n"


def test_an_unknown_command_is_error(sim: ModemSimulator) -> None:
    assert execute_line(sim, "AT+NOSUCH").final == "ERROR"
