"""Every standard message id, in every version that has it, is checked by some vector.

The 71 ids and their versions are the standard's list (terminal -> platform and platform
-> terminal; ``(19)`` added in 2019, ``*`` deleted in 2019). A pair counts as covered
when a vector that a test runs names it:

* a SmallChi record in one of the conformance modules (their ``RECORDS``/``_ALL``, with
  the version that module decodes it in), or
* a hand-made vector of ``tests/codec`` or ``test_codec_versions`` (any module-level
  list whose items hold a ``Version`` and a message object, as the ``VECTORS`` tables
  do), or
* a record that ``test_codec_versions`` replays in a version with the same layout.

Removing the vectors of a pair, or the module that runs them, fails here: coverage
cannot shrink silently.
"""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from jt808.codec import Message, RawMessage
from jt808.frame import Version

TESTS = Path(__file__).resolve().parents[1]
V11, V13, V19 = Version.V2011, Version.V2013, Version.V2019

_TO_PLATFORM = ("0001 0002 0003 0004(19) 0005(19) 0100 0102 0104 0107 0108 0200 0201 "
                "0301* 0302* 0303* 0500 0608(19) 0700 0701 0702 0704 0705 0800 0801 0802 "
                "0805 0900 0901 0A00")
_TO_TERMINAL = ("8001 8003 8004(19) 8100 8103 8104 8105 8106 8107 8108 8201 8202 8203 "
                "8204(19) 8300 8301* 8302* 8303* 8304* 8400 8401 8500 8600 8601 8602 8603 "
                "8604 8605 8606 8607 8608(19) 8700 8701 8702 8800 8801 8802 8803 8804 8805 "
                "8900 8A00")


#: ids the list shows in every version but that the 2011 text does not have (added in
#: 2013: the codec registers them from 2013, and jt808-notes' "Versions" table gives
#: 0x0107 as "—" in 2011); the list itself marks only the 2019 changes
NOT_IN_2011 = {0x0107: "properties: '—' in 2011 (jt808-notes Versions table)",
               0x0805: "camera command response: added in 2013",
               0x8702: "driver identity request: added in 2013",
               0x8805: "single stored media upload: added in 2013"}


def standard_pairs() -> set[tuple[int, Version]]:
    pairs = set()
    for token in f"{_TO_PLATFORM} {_TO_TERMINAL}".split():
        msg_id = int(token[:4], 16)
        if token.endswith("(19)"):
            versions = {V19}
        elif token.endswith("*"):
            versions = {V11, V13}
        else:
            versions = {V11, V13, V19}
        if msg_id in NOT_IN_2011:
            versions -= {V11}
        pairs |= {(msg_id, version) for version in versions}
    return pairs


def _load(path: Path) -> ModuleType:
    """Import a test module by path (its own directory first on ``sys.path``, as pytest
    does), reusing it when pytest already imported it."""
    if path.stem in sys.modules and getattr(sys.modules[path.stem], "__file__", None) \
            and Path(sys.modules[path.stem].__file__).resolve() == path:
        return sys.modules[path.stem]
    sys.path.insert(0, str(path.parent))
    try:
        spec = importlib.util.spec_from_file_location(f"_coverage_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(path.parent))


_VERSIONS = {"2011": V11, "2013": V13, "2019": V19}
#: conformance module -> the names of its record lists
_CONFORMANCE = {
    "test_codec_general_link.py": ("RECORDS",),
    "test_codec_location.py": ("RECORDS",),
    "test_codec_media.py": ("_RUN",),
    "test_codec_params.py": ("SINGLE", "MERGE"),
    "test_codec_text_areas_records.py": ("_ALL",),
}


def conformance_pairs() -> set[tuple[int, Version]]:
    pairs = set()
    pairs |= _load(TESTS / "conformance" / "test_codec_versions.py").REPLAY_PAIRS
    for name, lists in _CONFORMANCE.items():
        module = _load(TESTS / "conformance" / name)
        version_of = getattr(module, "_version", lambda r: _VERSIONS[r["version"]])
        for list_name in lists:
            pairs |= {(r["msg_id"], version_of(r)) for r in getattr(module, list_name)}
    return pairs


def _vector_pair(item: object) -> tuple[int, Version] | None:
    values = getattr(item, "values", item)       # a pytest.param or a plain tuple
    if not isinstance(values, tuple):
        return None
    versions = [v for v in values if isinstance(v, Version)]
    messages = [v for v in values if isinstance(v, Message) and not isinstance(v, RawMessage)]
    if len(versions) == 1 and messages:
        return messages[0].msg_id, versions[0]
    return None


def codec_pairs() -> set[tuple[int, Version]]:
    pairs = set()
    paths = [*sorted((TESTS / "codec").glob("test_*.py")),
             TESTS / "conformance" / "test_codec_versions.py"]
    for path in paths:
        module = _load(path)
        for value in vars(module).values():
            if isinstance(value, (list, tuple)):
                pairs |= {pair for item in value if (pair := _vector_pair(item))}
    return pairs


def _names(pairs) -> list[str]:
    return sorted(f"0x{msg_id:04X}/{version.value}" for msg_id, version in pairs)


def test_the_standard_list_has_71_ids():
    assert len({msg_id for msg_id, _ in standard_pairs()}) == 71
    # 7 ids deleted in 2019, 6 only in 2019, 4 not in 2011
    assert len(standard_pairs()) == 71 * 3 - 7 - 6 * 2 - len(NOT_IN_2011)


def test_every_standard_id_and_version_is_covered_by_a_vector():
    covered = conformance_pairs() | codec_pairs()
    assert _names(standard_pairs() - covered) == []


def test_the_general_and_link_ids_have_records_and_hand_made_vectors():
    """The ids that had nothing before (issue 17) keep both kinds of vector."""
    ids = {0x0001, 0x8001, 0x0100, 0x8100, 0x0102, 0x8003, 0x0005, 0x8004, 0x8800,
           0x8A00, 0x0A00}
    assert ids <= {msg_id for msg_id, _ in conformance_pairs()}
    assert ids <= {msg_id for msg_id, _ in codec_pairs()}
