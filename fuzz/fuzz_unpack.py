"""atheris: ``jt808.frame.unpack`` / ``unpack_lenient`` raise only ``JT808Error``
subclasses; a frame the tolerant reader accepts packs back to a frame that reads the same."""
import _harness
import atheris

with atheris.instrument_imports(include=["jt808"]):
    from jt808.errors import JT808Error
    from jt808.frame import pack, unpack, unpack_lenient


def test_one_input(data: bytes) -> None:
    try:
        unpack(data, strict=True)
    except JT808Error:
        pass
    try:
        frame, _ = unpack_lenient(data)
    except JT808Error:
        return
    assert unpack(pack(frame), frame.header.version) == frame


if __name__ == "__main__":
    _harness.main(test_one_input)
