"""The CLI as one tool: --version, -v on either side, help with defaults, one-line
mistakes, one default protocol version (issue 13)."""
from __future__ import annotations

import argparse

import pytest

from cli_support import jt808
from jt808 import __version__
from jt808.cli import DEFAULT_VERSION, build_parser, main
from jt808.cli._platform import listen_urls


def test_version() -> None:
    done = jt808("--version")
    assert done.returncode == 0
    assert done.stdout.startswith(f"jt808 {__version__} ") and "default 2019" in done.stdout


@pytest.mark.parametrize("argv, level", [
    (["-v", "decode", "7e"], 1), (["decode", "-v", "7e"], 1), (["decode", "7e"], 0),
    (["-v", "run", "-vv"], 3), (["platform", "-vv"], 2),
])
def test_verbose_before_or_after_the_command(argv, level) -> None:
    from jt808.cli import verbosity
    assert verbosity(build_parser().parse_args(argv)) == level


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


@pytest.mark.parametrize("command", ["decode", "platform", "run", "demo", "simulate"])
def test_every_option_has_help_with_its_default(command) -> None:
    sub = _subparsers(build_parser())[command]
    for action in sub._actions:
        if not action.option_strings or isinstance(action, argparse._HelpAction):
            continue
        assert action.help, f"{command} {action.option_strings} has no help"
        assert "default" in action.help or action.required, \
            f"{command} {action.option_strings}: help does not state the default"
        if action.default not in (None, False, argparse.SUPPRESS):
            shown = f"{action.default:g}" if isinstance(action.default, float) \
                else str(action.default)
            assert shown in action.help, f"{command} {action.option_strings}: {action.help}"


def test_one_default_protocol_version() -> None:
    assert DEFAULT_VERSION == "2019"
    subs = _subparsers(build_parser())
    assert subs["simulate"].parse_args(["--server", "x:1"]).version == "2019"
    assert "JT/T 808-2019" in build_parser().format_help()
    assert "(default 2019)" in subs["run"].format_help()


@pytest.mark.parametrize("argv, says", [
    (["run", "--gnss", "modem", "--server", "127.0.0.1:1"], "--gnss modem needs --modem"),
    (["run", "--gnss", "/nowhere/route.nmea", "--server", "127.0.0.1:1"],
     "no such NMEA log file"),
    (["run", "--gnss", "no-such.nmea", "--server", "127.0.0.1:1"], "no such NMEA log file"),
    (["run", "--gnss", "/dev/ttyNOPE", "--server", "127.0.0.1:1"],
     "--gnss /dev/ttyNOPE: cannot open NMEA port"),
    (["run", "--plate-color", "999", "--server", "127.0.0.1:1"], "must be 0..255"),
    (["run", "--server", "http://h:1"], "use HOST:PORT or tcp://HOST:PORT"),
    (["run", "--report-interval", "soon"], "argument --report-interval"),
    (["platform", "--listen", "nowhere"], "is not HOST:PORT"),
    (["platform", "--listen", "sctp://h:1"], "use HOST:PORT or tcp://HOST:PORT"),
    (["simulate", "--server", "x"], "is not HOST:PORT"),
    (["decode", "--version", "1999", "7e"], "invalid choice"),
    (["nosuchcommand"], "invalid choice"),
])
def test_mistakes_are_one_line_with_exit_2(argv, says) -> None:
    done = jt808(*argv)
    assert done.returncode == 2, done.stderr
    assert says in done.stderr and "Traceback" not in done.stderr
    assert done.stderr.count("\n") == 1, done.stderr


def test_bad_config_key_is_named(tmp_path, capsys) -> None:
    config = tmp_path / "terminal.json"
    config.write_text('{"server": "127.0.0.1:1", "plate_colour": 1}')
    assert main(["run", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert "unknown key 'plate_colour'" in err and "plate-color" in err
    config.write_text('{"server": "127.0.0.1:1", "heartbeat": "often"}')
    assert main(["run", "--config", str(config)]) == 2
    assert "heartbeat 'often'" in capsys.readouterr().err


@pytest.mark.parametrize("listen, urls", [
    ("127.0.0.1:6808", ["tcp://127.0.0.1:6808", "udp://127.0.0.1:6808"]),
    ("tcp://127.0.0.1:6808", ["tcp://127.0.0.1:6808"]),
    ("udp://0.0.0.0:7000", ["udp://0.0.0.0:7000"]),
])
def test_platform_listen_address_syntax(listen, urls) -> None:
    sub = _subparsers(build_parser())["platform"]
    assert listen_urls(sub.parse_args(["--listen", listen])) == urls
