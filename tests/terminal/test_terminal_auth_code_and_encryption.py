"""Terminal gaps: the auth code survives a restart; own RSA key and encryption both ways
(real 1024-bit keys, against the TCP test platform)."""
from __future__ import annotations

import datetime as dt
import json

import anyio
import pytest

from jt808.codec import LocationReport, PlatformRsaKey, TerminalRegister, TextMessage
from jt808.session import RsaKeyPair
from jt808.terminal import Terminal

from terminal_platform import (AUTH_CODE, FAST_PARAMS, TestPlatform, anyio_backend,  # noqa: F401
                               memory_url)

pytestmark = pytest.mark.anyio

REGISTER = TerminalRegister(31, 115, "70111", "M1", "T1", 1, "A12345")
PHONE = "13800138000"
REPORT = LocationReport(0, 2, 31.5, 121.25, 10, 36.5, 90, dt.datetime(2024, 1, 2, 3, 4, 5))


def make_terminal(url: str, **options) -> Terminal:
    options.setdefault("params", dict(FAST_PARAMS))
    return Terminal(url, phone=PHONE, register_info=REGISTER, **options)


async def test_auth_code_kept_across_restart_without_registering(tmp_path):
    store = tmp_path / "blind.sqlite"
    async with anyio.create_task_group() as tg:
        platform = TestPlatform(tg)
        url = await platform.start(memory_url())
        with anyio.fail_after(10):
            async with make_terminal(url, store_path=store) as terminal:
                await terminal.connect()
                assert (await terminal.login()).result == 0
            saved = json.loads((tmp_path / "blind.sqlite.auth.json").read_text())
            assert saved == {"phone": PHONE, "auth_code": AUTH_CODE}
            async with make_terminal(url, store_path=store) as terminal:   # restarted
                assert terminal.auth_code == AUTH_CODE
                await terminal.connect()
                assert (await terminal.login()).result == 0
        assert platform.registrations == 1
        assert platform.ids().count(0x0100) == 1 and platform.ids().count(0x0102) == 2
        await platform.aclose()
        tg.cancel_scope.cancel()


async def test_refused_stored_code_reregisters_and_overwrites(tmp_path):
    path = tmp_path / "code.json"
    path.write_text(json.dumps({"phone": PHONE, "auth_code": "STALE"}))
    async with anyio.create_task_group() as tg:
        platform = TestPlatform(tg)
        url = await platform.start(memory_url())
        with anyio.fail_after(10):
            async with make_terminal(url, auth_path=path, auth_code="ARG") as terminal:
                assert terminal.auth_code == "STALE"          # the file wins over the argument
                await terminal.connect()
                assert (await terminal.login()).result == 0
        assert [m.auth_code for m in platform.of(0x0102)] == ["STALE", AUTH_CODE]
        assert json.loads(path.read_text())["auth_code"] == AUTH_CODE
        await platform.aclose()
        tg.cancel_scope.cancel()


def test_auth_file_of_another_phone_or_corrupt_is_ignored(tmp_path):
    path = tmp_path / "code.json"
    path.write_text(json.dumps({"phone": "1", "auth_code": "OTHER"}))
    assert Terminal("tcp://127.0.0.1:9", phone=PHONE, auth_path=path).auth_code is None
    path.write_text("{not json")
    assert Terminal("tcp://127.0.0.1:9", phone=PHONE, auth_path=path,
                    auth_code="ARG").auth_code == "ARG"


async def _encrypted_exchange(platform, link, terminal, seen_headers) -> None:
    """Platform -> terminal encrypted 0x8300, terminal -> platform encrypted 0x0200."""
    texts = []
    terminal.on_text = texts.append
    link.session.encrypt = True
    link.session.encrypt_ids = frozenset({0x8300})
    ok = await link.request(TextMessage(0b1000, "secret"))
    assert ok.result == 0 and texts[0].text == "secret"
    assert [h.encryption for h in seen_headers if h.msg_id == 0x8300] == [1]
    ack = await terminal.report_location(REPORT)
    assert ack.result == 0
    [(header, report)] = [(h, m) for h, m in platform.received if h.msg_id == 0x0200]
    assert header.encryption == 1 and report == REPORT


async def test_encryption_with_key_from_0x8a00(tmp_path):
    platform_key = RsaKeyPair()
    key_path = tmp_path / "terminal.pem"
    async with anyio.create_task_group() as tg:
        platform = TestPlatform(tg)
        url = await platform.start(memory_url())
        with anyio.fail_after(15):
            async with make_terminal(url, auth_code=AUTH_CODE,
                                     rsa_key_path=key_path) as terminal:
                seen = []
                terminal.add_listener(lambda m, h: seen.append(h))
                await terminal.connect()
                await terminal.login()
                link = await platform.wait_link()
                link.session.rsa_key = platform_key
                assert await terminal.enable_encryption() is not None
                assert link.session.peer_key.public_numbers().n == terminal.rsa_key.n
                ok = await link.request(PlatformRsaKey(platform_key.e, platform_key.n_bytes))
                assert ok.result == 0
                assert terminal.session.peer_key.public_numbers().n == platform_key.n
                await _encrypted_exchange(platform, link, terminal, seen)
                own_n = terminal.rsa_key.n
        assert key_path.exists()                              # PEM written, reused
        assert Terminal(url, phone=PHONE, rsa_key_path=key_path).rsa_key.n == own_n
        await platform.aclose()
        tg.cancel_scope.cancel()


async def test_encryption_with_platform_key_given_before_login():
    platform_key = RsaKeyPair()
    async with anyio.create_task_group() as tg:
        platform = TestPlatform(tg)
        url = await platform.start(memory_url())
        with anyio.fail_after(15):
            async with make_terminal(url, auth_code=AUTH_CODE,
                                     rsa_key=RsaKeyPair()) as terminal:
                seen = []
                terminal.add_listener(lambda m, h: seen.append(h))
                assert await terminal.enable_encryption(platform_key.e,
                                                        platform_key.n_bytes.hex()) is None
                await terminal.connect()
                await terminal.login()                        # 0x0A00 follows authentication
                link = await platform.wait_link()
                link.session.rsa_key = platform_key
                await platform.until(lambda: link.session.peer_key is not None)
                await _encrypted_exchange(platform, link, terminal, seen)
                assert link.session.peer_key.public_numbers().n == terminal.rsa_key.n
        await platform.aclose()
        tg.cancel_scope.cancel()
