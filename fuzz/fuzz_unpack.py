"""atheris: ``jt808.frame.unpack`` raises only ``JT808Error`` subclasses."""
import _harness
import atheris

with atheris.instrument_imports(include=["jt808"]):
    from jt808.errors import JT808Error
    from jt808.frame import unpack


def test_one_input(data: bytes) -> None:
    try:
        unpack(data)
    except JT808Error:
        pass


if __name__ == "__main__":
    _harness.main(test_one_input)
