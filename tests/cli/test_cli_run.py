"""``jt808 run`` as a user runs it (a subprocess) against an in-process ``Platform``,
through real ptys of the modem simulator where a modem is needed (issue 13)."""
from __future__ import annotations

import json

import anyio

from cli_support import free_port, jt808, running
from hal.modem_sim import ModemSimulator
from jt808.platform import Platform

PHONE = "13912345678"


def _authenticated(platform: Platform, phone: str = PHONE):
    return lambda: phone in platform.terminals and platform.terminals[phone].authenticated


def test_state_lines_and_summary_at_the_default_level() -> None:
    async def scenario() -> None:
        async with Platform() as platform:
            await platform.serve(["tcp://127.0.0.1:0"])
            host, port = platform.address("tcp")
            async with running("run", "--server", f"tcp://{host}:{port}", "--phone", PHONE,
                               "--report-interval", "1", "--summary-interval", "1") as run:
                await run.wait_for("link up to tcp://")
                await run.wait_for("registered: auth code")
                line = await run.wait_for("authenticated with auth code")
                assert "(from the platform's 0x8100)" in line
                await run.wait_for("positions acknowledged")
                await platform.disconnect(PHONE)
                assert (await run.wait_for("link lost")).endswith("retrying in 1 s")
                await run.wait_for("authenticated with auth code", timeout=30)
            header, _ = platform.terminals[PHONE].received[-1]
            assert header.version.value == 2019              # the CLI's default version

    anyio.run(scenario)


def test_registration_fields_from_flags_and_config(tmp_path) -> None:
    config = tmp_path / "terminal.json"
    config.write_text(json.dumps({"province": 11, "city": "105", "maker": "70111",
                                  "plate-color": 1, "report_interval": 5}))

    async def scenario() -> None:
        async with Platform() as platform:
            await platform.serve(["tcp://127.0.0.1:0"])
            host, port = platform.address("tcp")
            async with running("run", "--config", str(config), "--server", f"{host}:{port}",
                               "--phone", PHONE, "--model", "M-1", "--terminal-id", "ID42",
                               "--plate", "京A12345", "--heartbeat", "15",
                               "--city", "106"):       # the command line beats --config
                await platform.wait_for(_authenticated(platform), timeout=30)
            registration = platform.terminals[PHONE].registration
            assert (registration.province_id, registration.city_id) == (11, 106)
            assert registration.manufacturer_id == "70111"
            assert registration.terminal_model == "M-1"
            assert registration.terminal_id == "ID42"
            assert (registration.license_plate_color, registration.license_plate) == \
                (1, "京A12345")

    anyio.run(scenario)


def test_platform_down_at_start_is_retried_without_a_probe() -> None:
    port = free_port()

    async def scenario() -> None:
        async with running("run", "--server", f"127.0.0.1:{port}", "--phone", PHONE,
                           "--connect-timeout", "60") as run:
            await run.wait_for("terminal 13912345678")
            assert "retrying in 1 s" in await run.wait_for("cannot connect: tcp connect")
            await run.wait_for("retrying in 2 s")     # run()'s backoff doubles
            assert run.process.returncode is None
            async with Platform() as platform:
                await platform.serve([f"tcp://127.0.0.1:{port}"])
                await run.wait_for("authenticated with auth code", timeout=40)
                assert platform.terminals[PHONE].connections == 1   # no throwaway probe

    anyio.run(scenario)


def test_connect_timeout_ends_in_one_line() -> None:
    done = jt808("run", "--server", f"127.0.0.1:{free_port()}", "--connect-timeout", "1.5",
                 "--summary-interval", "0")
    assert done.returncode == 2
    assert "cannot reach tcp://127.0.0.1:" in done.stderr
    assert "no connection within 1.5 s" in done.stderr and "Traceback" not in done.stderr


def test_gnss_on_an_nmea_port_is_turned_on_through_the_modem() -> None:
    async def scenario() -> None:
        async with Platform() as platform:
            await platform.serve(["tcp://127.0.0.1:0"])
            host, port = platform.address("tcp")
            with ModemSimulator(time_to_fix=0.5) as sim:
                assert not sim.gnss.active
                async with running("run", "--server", f"{host}:{port}", "--modem",
                                   sim.at_port, "--gnss", sim.nmea_port, "--phone", PHONE,
                                   "--report-interval", "1") as run:
                    line = await run.wait_for("GNSS: turned on with AT+QGPS=1")
                    assert f"--modem {sim.at_port}" in line and sim.nmea_port in line
                    assert sim.call(lambda: sim.gnss.active)
                    await run.wait_for("GNSS fix:", timeout=30)

    anyio.run(scenario)


def test_gnss_at_port_without_a_modem_link() -> None:
    async def scenario() -> None:
        async with Platform() as platform:
            await platform.serve(["tcp://127.0.0.1:0"])
            host, port = platform.address("tcp")
            with ModemSimulator() as sim:
                async with running("run", "--server", f"{host}:{port}", "--gnss",
                                   sim.nmea_port, "--gnss-at", sim.at_port) as run:
                    await run.wait_for(f"AT+QGPS=1 on --gnss-at {sim.at_port}")
                    assert sim.call(lambda: sim.gnss.active)

    anyio.run(scenario)


def test_no_fix_is_reported_and_why_gnss_was_not_turned_on() -> None:
    async def scenario() -> None:
        async with Platform() as platform:
            await platform.serve(["tcp://127.0.0.1:0"])
            host, port = platform.address("tcp")
            with ModemSimulator() as sim:                  # GNSS off: empty NMEA sentences
                async with running("run", "--server", f"{host}:{port}", "--gnss",
                                   sim.nmea_port, "--no-fix-warning", "1",
                                   "--report-interval", "1") as run:
                    await run.wait_for("not sending AT+QGPS=1 (no --modem or --gnss-at")
                    await run.wait_for("GNSS: no fix after")

    anyio.run(scenario)


def test_verbose_after_the_subcommand_logs_messages() -> None:
    async def scenario() -> None:
        async with Platform() as platform:
            await platform.serve(["tcp://127.0.0.1:0"])
            host, port = platform.address("tcp")
            async with running("run", "-v", "--server", f"{host}:{port}") as run:
                await run.wait_for("<- 0x8100 TerminalRegisterResponse")

    anyio.run(scenario)
