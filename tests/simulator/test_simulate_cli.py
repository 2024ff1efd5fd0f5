"""``jt808 simulate`` against the reference platform over real TCP on 127.0.0.1."""
from __future__ import annotations

import re

from simulator_support import running_platform

from jt808.cli import main

FAST = ["--rate", "0.5", "--ramp", "0.5", "--no-progress"]


def _last_line(out: str) -> tuple[int, int, int]:
    match = re.fullmatch(r"sent (\d+), acknowledged (\d+), lost (\d+)", out.strip().splitlines()[-1])
    assert match, out
    return tuple(int(x) for x in match.groups())


def test_twenty_terminals_register_report_and_lose_nothing(platform_url, capsys):
    platform, url = platform_url
    code = main(["simulate", "--server", url, "--terminals", "20", "--duration", "3",
                 "--rate", "0.5", "--ramp", "0.5"])
    out, err = capsys.readouterr()
    assert code == 0, out + err
    sent, acked, lost = _last_line(out)
    assert lost == 0 and sent == acked >= 20 * 2 + 20 * 3
    assert "terminals 20, authenticated 20" in out
    assert re.search(r"0x0200 location\s+\d+\s+\d+\s+[\d.]+\s+[\d.]+\s+[\d.]+", out)
    assert "connected" in err                      # the live progress line
    assert len(platform.terminals) == 20
    assert all(record.auth_code and len(record.positions) >= 3
               for record in platform.terminals.values())


def test_platform_that_stops_acknowledging_fails_the_run(capsys):
    def no_location_acks(phone, header, message):
        return header.msg_id != 0x0200
    with running_platform(ack_filter=no_location_acks) as (platform, url):
        code = main(["simulate", "--server", url, "--terminals", "5", "--duration", "2",
                     "--drain", "0.5", *FAST])
    out, _ = capsys.readouterr()
    sent, acked, lost = _last_line(out)
    assert code == 1
    assert lost > 0 and acked == sent - lost
    assert re.search(r"0x0200 location\s+\d+\s+0\s", out)


def test_two_processes_merge_their_reports(platform_url, capsys):
    platform, url = platform_url
    code = main(["simulate", "--server", url, "--terminals", "6", "--duration", "2",
                 "--processes", "2", *FAST])
    out, _ = capsys.readouterr()
    assert code == 0, out
    sent, acked, lost = _last_line(out)
    assert "terminals 6, authenticated 6" in out and lost == 0 and sent == acked
    assert len(platform.terminals) == 6            # distinct phones across processes


def test_unreachable_server_is_a_failure(capsys):
    with running_platform() as (platform, url):
        pass                                        # closed again: nobody listens there
    code = main(["simulate", "--server", url, "--terminals", "2", "--duration", "1",
                 "--drain", "0", *FAST])
    out, _ = capsys.readouterr()
    assert code == 1
    assert "authenticated 0" in out and "connect failures" in out


def test_bad_server_url_is_a_usage_error(capsys):
    assert main(["simulate", "--server", "http://x:1", "--terminals", "1"]) == 2
    assert "tcp://HOST:PORT" in capsys.readouterr().err


def test_host_port_without_scheme_is_tcp_and_2019_by_default(platform_url, capsys):
    """The one address syntax (HOST:PORT as for run and platform --listen) and the CLI's
    default protocol version (issue 13)."""
    platform, url = platform_url
    code = main(["simulate", "--server", url.removeprefix("tcp://"), "--terminals", "2",
                 "--duration", "1", *FAST])
    out, err = capsys.readouterr()
    assert code == 0, out + err
    assert "terminals 2, authenticated 2" in out
    versions = {header.version.value for record in platform.terminals.values()
                for header, _ in record.received}
    assert versions == {2019}
