"""atheris: ``hal.gnss.parse_qgpsloc`` and ``hal.quectel.QGpsLoc.parse`` raise only ``HalError``."""
import _harness
import atheris

with atheris.instrument_imports(include=["hal"]):
    from hal.errors import HalError
    from hal.gnss import parse_qgpsloc
    from hal.quectel import QGpsLoc


def test_one_input(data: bytes) -> None:
    text = data.decode("latin-1")
    for parse in (lambda: parse_qgpsloc(data), lambda: parse_qgpsloc(text),
                  lambda: QGpsLoc.parse(text.removeprefix("+QGPSLOC: "))):
        try:
            parse()
        except HalError:
            pass


if __name__ == "__main__":
    _harness.main(test_one_input)
