"""The public codec extension API (STYLE §5): ``register``, ``register_extra``,
``register_param`` and the ``jt808.codecs`` entry-point group.

The vendor module the plug-in tests install is the three examples of the
``jt808.codec`` docstring, taken from the docstring itself, so the documentation is
what is tested. Everything that registers runs in a child interpreter with a real
distribution (dist-info with ``entry_points.txt``) on its path, so this process's
registry stays the standard one. Bodies are built here field by field (the layouts
are the vendor's, defined in the docstring): 0x0F01 ``sensor BYTE | level DWORD``;
extra 0xE1 ``BYTE`` 0/1; parameter 0xF001 DWORD, 0xF002 BYTE[n].
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import ClassVar

import attrs
import pytest

import jt808.codec as codec
from jt808.codec import (EXTRA_TYPES, MESSAGES, PARAM_CLASSES, PARAM_TYPES, Extra, Message,
                         Mileage, RawExtra, decode_body, register, register_extra,
                         register_param)
from jt808.frame import Version


def _doc_examples() -> list[str]:
    """The indented code blocks after ``::`` in the ``jt808.codec`` docstring."""
    blocks = []
    for part in codec.__doc__.split("::\n")[1:]:
        lines = []
        for line in part.splitlines()[1:]:
            if line and not line.startswith("    "):
                break
            lines.append(line)
        blocks.append(textwrap.dedent("\n".join(lines)))
    return blocks


def test_docstring_has_three_examples():
    blocks = _doc_examples()
    assert len(blocks) == 3
    assert "@register\n" in blocks[0] and "@register_extra" in blocks[1]
    assert "register_param(0xF001" in blocks[2]


def _install(tmp_path: Path, module_text: str, name: str = "vendor_codec") -> None:
    dist = tmp_path / f"{name}-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(f"[jt808.codecs]\nvendor = {name}\n")
    (tmp_path / f"{name}.py").write_text(module_text)


def _run(tmp_path: Path, script: str) -> dict:
    """Run ``script`` in a child interpreter with ``tmp_path`` first on its path; its
    last stdout line is JSON."""
    path = os.pathsep.join([str(tmp_path), str(Path(codec.__file__).parents[2])])
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(script)], cwd=tmp_path,
                          env={**os.environ, "PYTHONPATH": path},
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


VENDOR_MODULE = "import attrs\nfrom typing import ClassVar\n\n" + "\n\n".join(_doc_examples())

# 0x0200: alarm 0, status 0, lat/lon 0, alt 0, speed 0, dir 0, time 22-06-27 10:11:30,
# then extra 0x01 mileage 100.0 km, 0xE1 door open, 0xE1 with 2 (not 0/1: kept raw)
LOCATION = bytes(22) + bytes.fromhex("220627101130") + bytes.fromhex("0104000003e8e10101e10102")
# 0x8103: 3 items: 0xF001 DWORD 7, 0xF002 BYTE[3] 10 20 30, 0x0001 DWORD 30 (heartbeat)
PARAMS = bytes.fromhex("03" "0000f0010400000007" "0000f002030a141e" "00000001040000001e")


def test_entry_point_module_loads_on_first_decode(tmp_path):
    _install(tmp_path, VENDOR_MODULE)
    result = _run(tmp_path, f"""
        import json, sys
        from jt808.codec import decode_body, encode_body, EXTRA_TYPES
        before = 'vendor_codec' in sys.modules or 0xE1 in EXTRA_TYPES
        out = {{"before": before}}
        for version in ("2011", "2013", "2019"):
            from jt808.frame import Version
            v = Version(int(version))
            msg = decode_body(0x0F01, bytes.fromhex("0200000064"), v)
            out[version] = [type(msg).__name__, msg.sensor, msg.level,
                            encode_body(msg, v).hex()]
        loc = decode_body(0x0200, bytes.fromhex("{LOCATION.hex()}"))
        out["extras"] = [type(e).__name__ for e in loc.extras]
        out["door"] = loc.extras[1].is_open
        out["loc_again"] = encode_body(loc).hex()
        par = decode_body(0x8103, bytes.fromhex("{PARAMS.hex()}"))
        out["params"] = [repr(p.value) for p in par.params]
        out["par_again"] = encode_body(par).hex()
        print(json.dumps(out))
    """)
    assert result["before"] is False
    for version in ("2011", "2013", "2019"):
        assert result[version] == ["FuelSensorReport", 2, 100, "0200000064"]
    assert result["extras"] == ["Mileage", "CabinDoor", "RawExtra"]
    assert result["door"] is True
    assert result["loc_again"] == LOCATION.hex()
    assert result["params"] == ["7", "SpeedBands(bands=(10, 20, 30))", "30"]
    assert result["par_again"] == PARAMS.hex()


def test_plugin_that_shadows_a_builtin_is_skipped_and_logged(tmp_path):
    _install(tmp_path, "from jt808.codec import register_param\n"
                       "register_param(0x0001, 'WORD')\n", name="shadowing_codec")
    result = _run(tmp_path, """
        import json, logging
        logging.basicConfig(level=logging.WARNING)
        from jt808.codec import decode_body, PARAM_TYPES
        from jt808.codec._plugins import FAILED
        par = decode_body(0x8103, bytes.fromhex("01000000010400000005"))
        print(json.dumps({"value": par.params[0].value, "kind": PARAM_TYPES[1].kind,
                          "failed": {k: str(v) for k, v in FAILED.items()}}))
    """)
    assert result["value"] == 5 and result["kind"] == "DWORD"
    assert "0x0001" in result["failed"]["vendor"] and "shadow" in result["failed"]["vendor"]


def test_plugin_that_fails_to_import_costs_only_itself(tmp_path):
    _install(tmp_path, "raise RuntimeError('vendor bug')\n", name="broken_codec")
    result = _run(tmp_path, """
        import json
        from jt808.codec import decode_body
        from jt808.codec._plugins import FAILED
        msg = decode_body(0x0F01, bytes.fromhex("0200000064"))
        print(json.dumps({"type": type(msg).__name__, "failed": str(FAILED["vendor"])}))
    """)
    assert result == {"type": "RawMessage", "failed": "vendor bug"}


# -- in this process: what may not be registered (nothing is changed by a refusal) ------

def test_a_builtin_message_cannot_be_shadowed():
    @attrs.frozen(slots=True)
    class FakeHeartbeat(Message):
        MSG_ID: ClassVar[int] = 0x0002

    before = dict(MESSAGES)
    with pytest.raises(ValueError, match="0x0002 in 2011 .*cannot shadow"):
        register(FakeHeartbeat)
    assert MESSAGES == before


def test_a_message_in_one_version_only_is_checked_in_that_version():
    @attrs.frozen(slots=True)
    class Late(Message):  # 0x8004 exists since 2013; a 2011 slot is free but 2013 is not
        MSG_ID: ClassVar[int] = 0x8004
        VERSIONS: ClassVar[frozenset] = frozenset(Version)

    before = dict(MESSAGES)
    with pytest.raises(ValueError, match="0x8004 in 2013"):
        register(Late)
    assert MESSAGES == before  # not even the free 2011 slot was taken


@pytest.mark.parametrize("msg_id", [-1, 0x10000, "0x0F01", None])
def test_a_message_id_must_be_a_word(msg_id):
    cls = type("Bad", (Message,), {"MSG_ID": msg_id, "__slots__": ()})
    with pytest.raises(ValueError, match="MSG_ID"):
        register(cls)


def test_a_builtin_extra_cannot_be_shadowed():
    class FakeMileage(Extra):
        EXTRA_ID: ClassVar[int] = 0x01

        def encode_value(self, version):
            return b""

        @classmethod
        def decode_value(cls, data, version):
            return cls()

    with pytest.raises(ValueError, match="standard extra Mileage"):
        register_extra(FakeMileage)
    assert EXTRA_TYPES[0x01] is Mileage
    assert register_extra(Mileage) is Mileage  # the same class again is harmless


@pytest.mark.parametrize("attrs_", [{"EXTRA_ID": 0x100}, {"EXTRA_ID": -1}, {}])
def test_an_extra_needs_a_byte_id(attrs_):
    with pytest.raises(ValueError, match="EXTRA_ID"):
        register_extra(type("Bad", (Extra,), {"__slots__": (), **attrs_}))


def test_an_extra_needs_its_methods():
    class NoCodec:
        EXTRA_ID: ClassVar[int] = 0xEE

    with pytest.raises(ValueError, match="encode_value"):
        register_extra(NoCodec)
    assert 0xEE not in EXTRA_TYPES


def test_a_builtin_param_cannot_be_shadowed():
    class Heartbeat:
        PARAM_ID: ClassVar[int] = 0x0001

        def encode_value(self, version):
            return b""

        @classmethod
        def decode_value(cls, data, version):
            return cls()

    with pytest.raises(ValueError, match="standard parameter"):
        register_param(Heartbeat)
    with pytest.raises(ValueError, match="standard parameter"):
        register_param(0x0083, "DWORD")
    register_param(0x0001, "DWORD")  # the same kind again is harmless
    assert 0x0001 not in PARAM_CLASSES and PARAM_TYPES[0x0001].kind == "DWORD"


@pytest.mark.parametrize("param_id, kind, match", [
    (0xF0F0, "QWORD", "kind"), (0xF0F0, 0, "kind"), (0xF0F0, 256, "kind"),
    (0xF0F0, True, "kind"), (-1, "DWORD", "id"), (1 << 32, "DWORD", "id"),
    ("0xF0F0", "DWORD", "id"),
])
def test_scalar_param_registration_checks(param_id, kind, match):
    with pytest.raises(ValueError, match=match):
        register_param(param_id, kind)
    assert 0xF0F0 not in PARAM_TYPES


def test_register_param_needs_a_class_or_a_kind():
    with pytest.raises(ValueError, match="needs a class"):
        register_param(0xF0F1)
    with pytest.raises(ValueError, match="decode_value"):
        register_param(type("Half", (), {"PARAM_ID": 0xF0F1, "encode_value": lambda s, v: b""}))
    assert 0xF0F1 not in PARAM_CLASSES


def test_public_names():
    for name in ("register", "register_extra", "register_param", "Extra", "EXTRA_TYPES",
                 "PARAM_TYPES", "PARAM_CLASSES", "ENTRY_POINT_GROUP"):
        assert name in codec.__all__, name
    assert codec.ENTRY_POINT_GROUP == "jt808.codecs"


def test_unregistered_vendor_extra_stays_raw_here():
    loc = decode_body(0x0200, LOCATION)
    assert loc.extras[1:] == (RawExtra(0xE1, b"\x01"), RawExtra(0xE1, b"\x02"))
