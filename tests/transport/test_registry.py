"""Choosing a transport by URL: the lazy table, entry points, and the errors that
tell "no such transport" apart from "that transport failed to import"."""
from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

import jt808.transport as transport
from jt808.errors import TransportError, TransportImportError, UnknownTransportError
from jt808.transport import _registry

pytestmark = pytest.mark.anyio

PACKAGE = Path(transport.__file__).parent


async def test_unknown_scheme() -> None:
    with pytest.raises(UnknownTransportError) as info:
        await transport.open_transport("carrier-pigeon://loft:1")
    assert "carrier-pigeon" in str(info.value)
    assert not isinstance(info.value, TransportImportError)


async def test_no_scheme_is_unknown() -> None:
    with pytest.raises(UnknownTransportError):
        await transport.open_transport("127.0.0.1:6808")


async def test_registered_module_that_fails_to_import(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(_registry.TRANSPORTS, "broken", "jt808.transport._no_such_module")
    with pytest.raises(TransportImportError) as info:
        await transport.open_transport("broken://x")
    assert isinstance(info.value.__cause__, ImportError)
    assert not isinstance(info.value, UnknownTransportError)


async def test_registered_module_that_raises_while_importing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "exploding_transport.py").write_text("raise RuntimeError('no driver')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setitem(_registry.TRANSPORTS, "boom", "placeholder")  # removed again at exit
    transport.register_transport("BOOM", "exploding_transport")
    assert _registry.TRANSPORTS["boom"] == "exploding_transport"
    with pytest.raises(TransportImportError) as info:
        await transport.open_transport("boom://x")
    assert isinstance(info.value.__cause__, RuntimeError)


def _install_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str,
                    module_text: str) -> None:
    """A real distribution on sys.path whose entry point registers scheme ``pigeon``."""
    dist = tmp_path / "pigeon_transport-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: pigeon-transport\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(f"[jt808.transports]\npigeon = {value}\n")
    (tmp_path / "pigeon_transport.py").write_text(module_text)
    monkeypatch.syspath_prepend(str(tmp_path))
    sys.modules.pop("pigeon_transport", None)


async def test_entry_point_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _install_plugin(tmp_path, monkeypatch, "pigeon_transport", (
        "from jt808.transport import memory_pair\n"
        "async def open_transport(url, **options):\n"
        "    near, far = memory_pair(url.netloc)\n"
        "    near.options = options\n"
        "    return near\n"))
    t = await transport.open_transport("pigeon://loft", wings=2)
    assert t.name == "loft" and t.options == {"wings": 2}
    await t.aclose()


async def test_broken_entry_point_is_import_error(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    _install_plugin(tmp_path, monkeypatch, "pigeon_transport:missing_attribute", "")
    with pytest.raises(TransportImportError) as info:
        await transport.open_transport("pigeon://loft")
    assert isinstance(info.value.__cause__, AttributeError)


async def test_backend_without_open_transport(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(_registry.TRANSPORTS, "hollow", "jt808.transport._url")
    with pytest.raises(TransportImportError):
        await transport.open_transport("hollow://x")


async def test_listener_for_a_scheme_that_cannot_listen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(_registry.TRANSPORTS, "clientonly", "jt808.transport._url")
    with pytest.raises(UnknownTransportError):
        await transport.open_listener("clientonly://x")


@pytest.mark.parametrize("url", [
    "tcp://127.0.0.1", "tcp://:80", "tcp://127.0.0.1:99999", "udp://127.0.0.1",
    "tcp://127.0.0.1:80?colour=red", "memory://", "memory://x?kind=carrier",
])
async def test_malformed_url_is_value_error(url: str) -> None:
    with pytest.raises(ValueError):
        await transport.open_transport(url)


async def test_unknown_keyword_option_is_value_error() -> None:
    with pytest.raises(ValueError, match="colour"):
        await transport.open_transport("tcp://127.0.0.1:1", colour="red")


def test_errors_are_distinct_classes() -> None:
    assert issubclass(UnknownTransportError, TransportError)
    assert issubclass(TransportImportError, TransportError)
    assert not issubclass(UnknownTransportError, TransportImportError)
    assert not issubclass(TransportImportError, UnknownTransportError)


BUILT_IN = ("memory", "tcp", "udp", "quectel+tcp", "quectel+udp", "sms")


def test_every_built_in_scheme_names_a_module_file() -> None:
    # (other layers may register_transport() schemes of their own at run time)
    for scheme in BUILT_IN:
        module = _registry.TRANSPORTS[scheme].partition(":")[0]
        assert module.startswith("jt808.transport."), scheme
        assert (PACKAGE / f"{module.rsplit('.', 1)[1]}.py").is_file(), scheme


def test_transport_imports_nothing_from_upper_layers() -> None:
    """A transport moves bytes: no jt808.frame/codec/session/terminal imports."""
    forbidden = ("frame", "codec", "session", "terminal", "platform")
    for path in PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                module = "." * node.level + (node.module or "")
                names = [module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                parts = name.lstrip(".").split(".")
                top = parts[1] if name.startswith("jt808.") else parts[0]
                relative_up = name.startswith("..")
                assert not ((name.startswith("jt808.") or relative_up) and top in forbidden), \
                    f"{path.name} imports {name}"


def test_importing_the_package_imports_no_backend() -> None:
    """The table is lazy: quectel/sms (and pyserial) load on first use only."""
    code = ("import sys, jt808.transport; "
            "print(sorted(m for m in sys.modules if m.startswith(('jt808.transport._q', "
            "'jt808.transport._s', 'jt808.transport._t', 'jt808.transport._ud', 'serial', 'hal'))))")
    import subprocess
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=PACKAGE.parents[1], check=True).stdout.strip()
    assert out == "[]"
