"""Login, version and error surface (issues 13, 14, 18).

- a 2019 auth code the terminal could never send back (> 255 bytes) is refused when it
  arrives: not kept, not saved, and ``run()`` goes on;
- a platform that closes the link on 0x0102 makes the next attempt register first;
- ``Terminal(version="2019")`` is accepted, 2019 is the default;
- ``async with Terminal(...)`` raises the library's own exception, not an ExceptionGroup;
- state changes reach listeners (link, registration, authentication, backlog)."""
from __future__ import annotations


import anyio
import pytest

from jt808.codec import TerminalRegister
from jt808.errors import (LocalProtocolError, RegistrationRefused, RemoteProtocolError,
                          TransportError)
from jt808.frame import Version
from jt808.terminal import StateChange, Terminal, TerminalOptions

from terminal_platform import (AUTH_CODE, FAST_PARAMS, TestPlatform, anyio_backend,  # noqa: F401
                               memory_url, report)

pytestmark = pytest.mark.anyio

REGISTER = TerminalRegister(31, 115, "70111", "M1", "T1", 1, "A12345")
PHONE = "13800138000"


def make(url: str, tmp_path, **options) -> Terminal:
    options.setdefault("params", dict(FAST_PARAMS))
    terminal = Terminal(url, phone=PHONE, register_info=REGISTER,
                        store_path=tmp_path / "blind.sqlite", **options)
    terminal.min_backoff = terminal.max_backoff = 0.05
    return terminal


@pytest.mark.parametrize("given, expected", [
    ("2019", Version.V2019), ("2013", Version.V2013), (2011, Version.V2011),
    (Version.V2013, Version.V2013)])
def test_version_given_as_string_int_or_version(given, expected):
    terminal = Terminal("tcp://127.0.0.1:9", phone=PHONE, version=given)
    assert terminal.version is expected and terminal.session.version is expected


def test_the_default_version_is_2019():
    assert Terminal("tcp://127.0.0.1:9", phone=PHONE).version is Version.V2019
    assert TerminalOptions(phone=PHONE).version is Version.V2019


def test_a_bad_version_or_option_is_a_value_error():
    with pytest.raises(ValueError, match="2011, 2013 or 2019"):
        Terminal("tcp://127.0.0.1:9", phone=PHONE, version="2020")
    with pytest.raises(ValueError, match="bearer"):
        Terminal("tcp://127.0.0.1:9", phone=PHONE, bearer="pigeon")


async def test_register_without_register_info_is_the_callers_mistake():
    async with anyio.create_task_group() as tg:
        platform = TestPlatform(tg)
        url = await platform.start(memory_url())
        async with Terminal(url, phone=PHONE) as terminal:
            await terminal.connect()
            with pytest.raises(LocalProtocolError):
                await terminal.register()
        await platform.aclose()
        tg.cancel_scope.cancel()


@pytest.mark.parametrize("result", [0, 1, 3])
async def test_a_0x8001_answer_to_registration_raises_registration_refused(tmp_path, result):
    """register() returns a 0x8100 (so ``reply.auth_code`` type-checks without a cast,
    issue 13); a platform that answers 0x0100 with 0x8001 raises, with that reply."""
    async with anyio.create_task_group() as tg:
        platform = TestPlatform(tg)
        platform.register_general_result = result
        url = await platform.start(memory_url())
        async with make(url, tmp_path) as terminal:
            await terminal.connect()
            with pytest.raises(RegistrationRefused, match=f"0x8001 result {result}") as info:
                await terminal.register()
            assert isinstance(info.value, RemoteProtocolError)
            assert info.value.reply.result == result and info.value.reply.reply_id == 0x0100
            platform.register_general_result = None
            reply = await terminal.register()
            assert reply.result == 0 and reply.auth_code == AUTH_CODE
        await platform.aclose()
        tg.cancel_scope.cancel()


async def test_async_with_raises_the_librarys_own_exception():
    """Issue 13: ``except TransportError`` catches what ``async with`` lets out."""
    with pytest.raises(TransportError):
        async with Terminal("tcp://127.0.0.1:9", phone=PHONE) as terminal:    # refused
            await terminal.connect()


async def test_an_auth_code_too_long_for_2019_is_refused_on_receipt(tmp_path):
    """Issue 18: a 256-byte code would make every later 0x0102 fail to encode (and,
    saved, lock the terminal out across restarts). Refused at once; nothing saved;
    run() keeps going (and logs in once the platform hands out a usable code)."""
    async with anyio.create_task_group() as tg:
        platform = TestPlatform(tg)
        platform.auth_code = "X" * 256
        url = await platform.start(memory_url())
        terminal = make(url, tmp_path)
        with anyio.fail_after(10):
            async with terminal:
                await terminal.connect()
                with pytest.raises(RemoteProtocolError) as info:
                    await terminal.login()
                assert info.value.field == "auth_code" and terminal.auth_code is None
                await terminal.disconnect()
                tg.start_soon(terminal.run)
                await platform.until(lambda: platform.registrations >= 3)
                assert not (tmp_path / "blind.sqlite.auth.json").exists()
                platform.auth_code = AUTH_CODE
                await platform.until(lambda: terminal.authenticated)
                await terminal.close()
        await platform.aclose()
        tg.cancel_scope.cancel()


async def test_a_saved_code_that_cannot_be_sent_is_ignored_at_start(tmp_path):
    (tmp_path / "blind.sqlite.auth.json").write_text(
        '{"phone": "%s", "auth_code": "%s"}' % (PHONE, "Y" * 300))
    terminal = make("tcp://127.0.0.1:9", tmp_path)
    assert terminal.auth_code is None


async def test_platform_closing_the_link_on_0102_makes_the_next_attempt_register(tmp_path):
    """Issue 14: with a stale code the platform hangs up on 0x0102 instead of refusing;
    run() must register again, not retry the same 0x0102 for ever."""
    async with anyio.create_task_group() as tg:
        platform = TestPlatform(tg)
        platform.close_on_auth = True
        url = await platform.start(memory_url())
        terminal = make(url, tmp_path, auth_code="STALE")
        with anyio.fail_after(10):
            async with terminal:
                tg.start_soon(terminal.run)
                await platform.until(lambda: terminal.authenticated)
                assert platform.ids()[:3] == [0x0102, 0x0100, 0x0102]
                assert platform.registrations == 1
                assert terminal.auth_code == AUTH_CODE
                await terminal.close()
        await platform.aclose()
        tg.cancel_scope.cancel()


async def test_run_survives_an_unexpected_error_on_one_link(tmp_path):
    """Issue 18: any error of one link (here a bug in a hook) ends that link, not run()."""
    calls = []

    async def broken_login():
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("a bug")
        return await Terminal.login(terminal)
    async with anyio.create_task_group() as tg:
        platform = TestPlatform(tg)
        url = await platform.start(memory_url())
        terminal = make(url, tmp_path)
        terminal.login = broken_login
        with anyio.fail_after(10):
            async with terminal:
                tg.start_soon(terminal.run)
                await platform.until(lambda: terminal.authenticated)
                assert terminal.link_errors == 1 and len(calls) == 2
                await terminal.close()
        await platform.aclose()
        tg.cancel_scope.cancel()


async def test_state_changes_reach_listeners(tmp_path):
    """Issue 13: what a CLI prints as one line per change."""
    changes: list[StateChange] = []
    async with anyio.create_task_group() as tg:
        platform = TestPlatform(tg)
        url = await platform.start(memory_url())
        terminal = make(url, tmp_path)
        terminal.add_state_listener(changes.append)
        terminal.add_state_listener(lambda change: 1 / 0)      # a broken one is harmless
        with anyio.fail_after(10):
            async with terminal:
                for n in range(3):
                    await terminal.report_location(report(n))  # not connected: stored
                await terminal.connect()
                await terminal.login()
                await platform.until(lambda: terminal.store.count("position") == 0)
                await terminal.disconnect()
        await platform.aclose()
        tg.cancel_scope.cancel()
    kinds = [c.kind for c in changes]
    assert kinds[:3] == ["link_up", "registered", "authenticated"]
    assert changes[0].info == {"bearer": "tcp"}
    assert changes[2].info == {"auth_code_source": "register"}
    assert StateChange("backlog", {"size": 3}) in changes
    assert StateChange("backlog_progress", {"sent": 3, "left": 0}) in changes
    assert kinds[-1] == "link_down"
