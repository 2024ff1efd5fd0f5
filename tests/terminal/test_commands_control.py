"""0x8105 terminal control for real (issue 15): upgrade download over a real local
HTTP and FTP server, server switch and back, reset, factory reset, power/radio off."""
from __future__ import annotations

import contextlib
import functools
import http.server
import threading

import anyio
import pytest

from jt808.codec import SetTerminalParams, TerminalControl, TerminalParam
from jt808.terminal import Terminal
from jt808.terminal._download import DownloadError, download

from terminal_platform import AUTH_CODE, FAST_PARAMS, TestPlatform, anyio_backend  # noqa: F401
from test_commands_params import PHONE, REGISTER, linked

pytestmark = pytest.mark.anyio
FIRMWARE = bytes(range(256)) * 400            # 100 KiB


class RangeHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files; honours ``Range: bytes=N-`` with 206 when ``ranges`` is on."""

    ranges = True
    requests: list[str | None] = []

    def log_message(self, *args) -> None:
        pass

    def send_head(self):
        wanted = self.headers.get("Range")
        self.requests.append(wanted)
        if not (self.ranges and wanted and wanted.startswith("bytes=")):
            return super().send_head()
        path = self.translate_path(self.path)
        try:
            data = open(path, "rb").read()
        except OSError:
            self.send_error(404)
            return None
        start = int(wanted[6:].split("-")[0])
        if start >= len(data):
            self.send_error(416)
            return None
        self.send_response(206)
        self.send_header("Content-Length", str(len(data) - start))
        self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        self.end_headers()
        import io
        return io.BytesIO(data[start:])


@contextlib.contextmanager
def http_server(root, ranges: bool = True):
    handler = type("H", (RangeHandler,), {"ranges": ranges, "requests": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                             functools.partial(handler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def ftp_server(root):
    from pyftpdlib.authorizers import DummyAuthorizer
    from pyftpdlib.handlers import FTPHandler
    from pyftpdlib.servers import ThreadedFTPServer
    authorizer = DummyAuthorizer()
    authorizer.add_user("fw", "secret", str(root), perm="elr")
    handler = type("F", (FTPHandler,), {"authorizer": authorizer})
    server = ThreadedFTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"timeout": 0.1},
                              daemon=True)
    thread.start()
    try:
        yield f"ftp://fw:secret@127.0.0.1:{server.address[1]}"
    finally:
        server.close_all()


# -- download -------------------------------------------------------------------------

def test_http_download_resumes_a_partial_file(tmp_path):
    (tmp_path / "www").mkdir()
    (tmp_path / "www" / "fw.bin").write_bytes(FIRMWARE)
    dest = tmp_path / "fw.bin"
    (tmp_path / "fw.bin.part").write_bytes(FIRMWARE[:40_000])
    with http_server(tmp_path / "www") as (url, handler):
        assert download(f"{url}/fw.bin", dest).read_bytes() == FIRMWARE
    assert handler.requests == ["bytes=40000-"]


def test_http_download_restarts_when_the_server_ignores_range(tmp_path):
    (tmp_path / "www").mkdir()
    (tmp_path / "www" / "fw.bin").write_bytes(FIRMWARE)
    (tmp_path / "fw.bin.part").write_bytes(b"garbage")
    with http_server(tmp_path / "www", ranges=False) as (url, _):
        assert download(f"{url}/fw.bin", tmp_path / "fw.bin").read_bytes() == FIRMWARE


def test_ftp_download_resumes_with_rest(tmp_path):
    (tmp_path / "ftp").mkdir()
    (tmp_path / "ftp" / "fw.bin").write_bytes(FIRMWARE)
    (tmp_path / "fw.bin.part").write_bytes(FIRMWARE[:12_345])
    with ftp_server(tmp_path / "ftp") as url:
        assert download(f"{url}/fw.bin", tmp_path / "fw.bin").read_bytes() == FIRMWARE


@pytest.mark.parametrize("path, limit, match", [
    ("/missing.bin", 10**6, "404"), ("/fw.bin", 1000, "more than 1000"),
])
def test_download_errors_are_typed(tmp_path, path, limit, match):
    (tmp_path / "www").mkdir()
    (tmp_path / "www" / "fw.bin").write_bytes(FIRMWARE)
    with http_server(tmp_path / "www") as (url, _):
        with pytest.raises(DownloadError, match=match):
            download(url + path, tmp_path / "out.bin", limit=limit)
    assert not (tmp_path / "out.bin").exists()


def test_download_refuses_other_schemes(tmp_path):
    with pytest.raises(DownloadError, match="only http"):
        download("file:///etc/passwd", tmp_path / "x")


# -- 0x8105 through the terminal ------------------------------------------------------------

async def test_upgrade_without_hook_is_not_supported(tmp_path):
    async with linked(tmp_path) as (terminal, link, _):
        reply = await link.request(TerminalControl.upgrade(url="http://127.0.0.1:9/x"))
        assert reply.result == 3


@pytest.mark.parametrize("kind", ["http", "ftp"])
async def test_upgrade_downloads_hands_over_and_reports_0108(tmp_path, kind):
    (tmp_path / "srv").mkdir()
    (tmp_path / "srv" / "fw.bin").write_bytes(FIRMWARE)
    got = []
    server = http_server(tmp_path / "srv") if kind == "http" else ftp_server(tmp_path / "srv")
    with server as base:
        base = base[0] if kind == "http" else base
        async with linked(tmp_path) as (terminal, link, platform):
            terminal.download_dir = tmp_path / "dl"
            terminal.on_upgrade_file = lambda path, parsed: got.append(
                (path.read_bytes(), parsed["firmware_version"])) or 0
            command = TerminalControl.upgrade(url=f"{base}/fw.bin", firmware_version="2.0",
                                              manufacturer_id="70111", conn_timeout=1)
            assert (await link.request(command)).result == 0
            await platform.until(lambda: platform.of(0x0108))
            assert platform.of(0x0108)[0].result == 0
            assert got == [(FIRMWARE, "2.0")]


async def test_upgrade_with_bytes_hook_and_failed_download(tmp_path):
    (tmp_path / "www").mkdir()
    with http_server(tmp_path / "www") as (url, _):
        async with linked(tmp_path) as (terminal, link, platform):
            terminal.download_dir = tmp_path / "dl"
            terminal.on_upgrade = lambda *args: 0
            command = TerminalControl.upgrade(url=f"{url}/none.bin")
            assert (await link.request(command)).result == 0
            await platform.until(lambda: platform.of(0x0108))
            assert platform.of(0x0108)[0].result == 1                # download failed


async def _running(tg, tmp_path, url, **options):
    terminal = Terminal(url, phone=PHONE, register_info=REGISTER, auth_code=AUTH_CODE,
                        params=dict(FAST_PARAMS), store_path=tmp_path / "blind.sqlite",
                        **options)
    terminal.min_backoff = 0.05
    return terminal


def auths(platform) -> list[str]:
    return [m.auth_code for m in platform.of(0x0102)]


async def test_connect_to_server_and_back(tmp_path):
    async with anyio.create_task_group() as tg:
        home, other = TestPlatform(tg), TestPlatform(tg)
        url = await home.start()
        other_url = await other.start()
        other.valid_codes = {"EMERG-1"}
        port = int(other_url.rsplit(":", 1)[1])
        terminal = await _running(tg, tmp_path, url)
        async with terminal:
            tg.start_soon(terminal.run)
            await home.until(lambda: auths(home) == [AUTH_CODE])
            link = await home.wait_link()
            switch = TerminalControl.connect_server(conn_ctrl=0, auth_code="EMERG-1",
                                                    addr="127.0.0.1", tcp_port=port,
                                                    conn_timeout=5)
            assert (await link.request(switch)).result == 0
            await other.until(lambda: auths(other) == ["EMERG-1"] and terminal.authenticated)
            assert terminal.emergency == other_url
            back = await other.wait_link()
            assert (await back.request(TerminalControl.connect_server(conn_ctrl=1))).result == 0
            await home.until(lambda: auths(home) == [AUTH_CODE, AUTH_CODE])
            assert terminal.emergency is None and terminal.auth_code == AUTH_CODE
            home_link = await home.wait_link()
            again = await home_link.request(TerminalControl.connect_server(conn_ctrl=1))
            assert again.result == 1                                   # not switched
            await terminal.close()
        await home.aclose()
        await other.aclose()
        tg.cancel_scope.cancel()


async def test_connect_to_a_dead_server_goes_home_after_the_time_limit(tmp_path):
    async with anyio.create_task_group() as tg:
        home = TestPlatform(tg)
        url = await home.start()
        terminal = await _running(tg, tmp_path, url)
        async with terminal:
            tg.start_soon(terminal.run)
            await home.until(lambda: len(auths(home)) == 1)
            link = await home.wait_link()
            terminal.switch_server("tcp://127.0.0.1:9", "EMERG", timeout=0.5)
            await home.until(lambda: len(auths(home)) == 2)
            assert terminal.emergency is None and auths(home)[-1] == AUTH_CODE
            del link
            await terminal.close()
        await home.aclose()
        tg.cancel_scope.cancel()


async def test_reset_reconnects_and_power_off_stops(tmp_path):
    calls = []
    async with anyio.create_task_group() as tg:
        home = TestPlatform(tg)
        url = await home.start()
        terminal = await _running(tg, tmp_path, url)
        terminal.on_reset = lambda: calls.append("reset")
        terminal.on_power_off = lambda: calls.append("off")
        async with terminal:
            done = anyio.Event()

            async def run() -> None:
                await terminal.run()
                done.set()
            tg.start_soon(run)
            await home.until(lambda: len(auths(home)) == 1)
            assert (await (await home.wait_link()).request(TerminalControl(4))).result == 0
            await home.until(lambda: len(auths(home)) == 2)
            await home.until(lambda: terminal.authenticated)
            link = home.link                                    # the link after the reset
            assert (await link.request(TerminalControl(3))).result == 0
            with anyio.fail_after(10):
                await done.wait()
            assert calls == ["reset", "off"] and not terminal.connected
        await home.aclose()
        tg.cancel_scope.cancel()


@pytest.mark.parametrize("word", [6, 7])
async def test_radio_off_calls_the_hook_and_stops(tmp_path, word):
    calls = []
    async with linked(tmp_path) as (terminal, link, _):
        terminal.on_radio_off = calls.append
        assert (await link.request(TerminalControl(word))).result == 0
        with anyio.fail_after(10):
            while terminal.connected:
                await anyio.sleep(0.01)
        assert calls == [word]


async def test_factory_reset_restores_parameter_defaults(tmp_path):
    path = tmp_path / "params.json"
    async with linked(tmp_path, params_path=path) as (terminal, link, _):
        assert (await link.request(SetTerminalParams((TerminalParam(0x0029, 5),
                                                      TerminalParam(0x0002, 9))))).result == 0
        terminal.factory_params = {0x0001: 0, 0x0002: 4, 0x0003: 0}
        assert (await link.request(TerminalControl(5))).result == 0
        assert terminal.params.values == {0x0001: 0, 0x0002: 4, 0x0003: 0}
        assert terminal.session.retry.first_timeout == 4
    assert Terminal("tcp://127.0.0.1:9", phone=PHONE, params_path=path).params.get(0x0029) is None


async def test_unknown_control_word_is_not_supported(tmp_path):
    async with linked(tmp_path) as (terminal, link, _):
        assert (await link.request(TerminalControl(9))).result == 3
        bad = TerminalControl(2, b"\x00;;;;;;;")                       # no address
        assert (await link.request(bad)).result == 2
