"""``jt808 platform``'s console: commands by message name on stdin or in ``--script FILE``,
answers printed; a terminal is ``jt808 run`` (both subprocesses, issue 13)."""
from __future__ import annotations

import anyio

from cli_support import free_port, running

PHONE = "13912345678"


def test_script_commands_a_terminal_and_prints_the_answers(tmp_path) -> None:
    port = free_port()
    script = tmp_path / "commands.txt"
    script.write_text(f"""# JT/T 808 by message name; the phone as the terminal sent it
wait {PHONE} timeout=40
terminals
query-params 0{PHONE} 0x0001 0x0029
text {PHONE} "hello there"
photo {PHONE} channel=1
set-params {PHONE} 0x0029=7
query-params {PHONE} 0x0029
nonsense {PHONE}
locate {PHONE} extra words
quit
""")

    async def scenario() -> None:
        async with running("platform", "--listen", f"tcp://127.0.0.1:{port}", "--quiet",
                           "--no-console", "--script", str(script)) as platform:
            await platform.wait_for(f"listening on tcp://127.0.0.1:{port}")
            async with running("run", "--server", f"127.0.0.1:{port}", "--phone", PHONE,
                               "--heartbeat", "30", "--report-interval", "5"):
                await platform.wait_for("> quit", timeout=60)
                with anyio.fail_after(15):
                    await platform.process.wait()
        out = platform.text
        assert platform.process.returncode == 0, out
        assert f"{PHONE}: authenticated" in out
        assert f"{PHONE}: connected, authenticated" in out
        assert "0x0104 QueryTerminalParamsResponse" in out and "param_id=41, value=5" in out
        assert "0x0001 TerminalGeneralResponse" in out and "reply_id=33536" in out  # 0x8300
        assert "0x0805 CameraShootResponse" in out
        assert "param_id=41, value=7" in out                     # set, then read back
        assert "error: nonsense: unknown command (try: help)" in out
        assert "error: locate: unexpected words: extra words" in out
        assert "Traceback" not in out
        assert "listening on udp://" not in out                  # tcp:// serves TCP only

    anyio.run(scenario)


def test_stdin_console_help_and_errors_keep_the_platform_up() -> None:
    async def scenario() -> None:
        async with running("platform", "--listen", "127.0.0.1:0", "--no-udp") as platform:
            await platform.wait_for("listening on tcp://")
            await platform.send_line("help")
            await platform.wait_for("query-params PHONE [ID ...]")
            await platform.send_line("query-params 13900000000")
            await platform.wait_for("error: query-params: terminal 13900000000 is not "
                                    "connected (see: terminals)")
            await platform.send_line('text 13900000000 "unterminated')
            await platform.wait_for("error: No closing quotation")
            await platform.send_line("photo")
            await platform.wait_for("error: photo: usage: photo PHONE [channel=1]")
            await platform.send_line("terminals")
            await platform.wait_for("no terminals yet")
            await platform.send_line("quit")
            with anyio.fail_after(15):
                await platform.process.wait()
            assert platform.process.returncode == 0, platform.text

    anyio.run(scenario)


def test_missing_script_is_a_usage_error() -> None:
    from cli_support import jt808
    done = jt808("platform", "--listen", "127.0.0.1:0", "--script", "/nonexistent/file")
    assert done.returncode == 2
    assert done.stderr == "jt808 platform: --script /nonexistent/file: no such file\n"
