"""The seed API's location config classes: status bits, alarm words, extras.

``LocStatusConfig``, ``LocAlarmWarningConfig`` and ``LocAdditionalInfoConfig`` keep the
names, arguments and return shapes of the QuecPython ``jt_message`` classes (API
reference §2.2-2.4). Bits and widths come from the codec (``STATUS_BITS``,
``ALARM_BITS``, the extra classes), so there is one definition of each. Differences
from the seed's implementation (its getters, 0x06 temperature and 0x2B analog
encodings are wrong) are listed in the README.
"""
from __future__ import annotations

import types

from ..codec._extras import (
    IO_STATUS_BITS, VEHICLE_SIGNAL_BITS, AlarmEventId, AnalogInputs, AreaAlarmInfo,
    CarriageTemperature, Fuel, IoStatus, Mileage, OverspeedInfo, RoadTimeInfo,
    SatelliteCount, SignalStrength, TachographSpeed, TirePressure, VehicleSignals,
    encode_extras,
)
from ..codec._location import ALARM_BITS, STATUS_BITS
from ..errors import LocalProtocolError

__all__ = ["LocStatusConfig", "LocAlarmWarningConfig", "LocAdditionalInfoConfig"]


def _is_bit(value: object) -> bool:
    return isinstance(value, int) and value in (0, 1)


class LocStatusConfig:
    """0x0200 status DWORD, set bit by bit with the seed's names (``STATUS_BITS``)."""

    def __init__(self) -> None:
        self._value = 0
        # The seed's reference example iterates ``_loc_cfg_offset.__dict__`` for the names.
        self._loc_cfg_offset = types.SimpleNamespace(
            **{name: bit for name, (bit, _) in STATUS_BITS.items()})

    @staticmethod
    def _field(name: str) -> tuple[int, int]:
        try:
            return STATUS_BITS[name]
        except (KeyError, TypeError):
            raise TypeError(f"Location status name {name} is not exists.") from None

    def set_config(self, name: str, value: int) -> bool:
        """Set one status field; False when ``value`` does not fit its width."""
        bit, width = self._field(name)
        mask = (1 << width) - 1
        if not isinstance(value, int) or not 0 <= value <= mask:
            return False
        self._value = (self._value & ~(mask << bit)) | (value << bit)
        return True

    def get_config(self, name: str) -> int:
        bit, width = self._field(name)
        return (self._value >> bit) & ((1 << width) - 1)

    def value(self) -> int:
        """The status DWORD for ``loction_report``."""
        return self._value


# value() tuple order, and each set_alarm argument's default
_ALARM_WORDS = ("onoff", "shield_switch", "sms_switch", "shoot_switch", "shoot_store",
                "key_sign")
# The seed starts the shooting-storage word at 0xFFFF (alarms 0-15 store locally).
_ALARM_INITIAL = (0, 0, 0, 0, 0xFFFF, 0)


class LocAlarmWarningConfig:
    """The alarm flag DWORD and its five companion parameter words (0x0050-0x0054)."""

    def __init__(self) -> None:
        self._words = list(_ALARM_INITIAL)

    @staticmethod
    def _bit(name: str) -> int:
        try:
            return ALARM_BITS[name]
        except (KeyError, TypeError):
            raise ValueError(f"Alarm {name} is not exists.") from None

    def set_alarm(self, name: str, onoff: int = 0, shield_switch: int = 0,
                  sms_switch: int = 0, shoot_switch: int = 0, shoot_store: int = 1,
                  key_sign: int = 0) -> bool:
        """Set alarm ``name``'s bit in each word; False when a value is not 0 or 1."""
        bit = self._bit(name)
        values = (onoff, shield_switch, sms_switch, shoot_switch, shoot_store, key_sign)
        if not all(_is_bit(v) for v in values):
            return False
        mask = 1 << bit
        self._words = [(word & ~mask) | (value << bit)
                       for word, value in zip(self._words, values)]
        return True

    def get_alarm(self, name: str) -> tuple[int, int, int, int, int, int]:
        """``(onoff, shield_switch, sms_switch, shoot_switch, shoot_store, key_sign)``."""
        bit = self._bit(name)
        return tuple((word >> bit) & 1 for word in self._words)  # type: ignore[return-value]

    def value(self) -> tuple[int, int, int, int, int, int]:
        """``(alarm flag, shield word, SMS word, shoot word, shoot-store word, key word)``."""
        return tuple(self._words)  # type: ignore[return-value]


_TIRE_MAX = 254
_SIGNAL_NAMES = ("low_beam_lights", "high_beam", "right_turn", "left_turn", "brake",
                 "reverse", "fog_light", "position", "horn", "air_conditioning", "neutral",
                 "retarder", "abs_work", "heating", "clutch")
_IO_NAMES = ("deep_sleep", "sleep")
assert set(_SIGNAL_NAMES) == set(VEHICLE_SIGNAL_BITS) and set(_IO_NAMES) == set(IO_STATUS_BITS)


def _whole(value: float) -> int | float:
    """A reading in tenths as the reference prints it: ``101`` (an int) when whole,
    ``32.5`` otherwise (§2.4 get_mileage / get_oil_quantity / get_speed)."""
    return int(value) if float(value).is_integer() else value


class LocAdditionalInfoConfig:
    """The extras of a location report, set one kind at a time; ``value()`` is their hex."""

    def __init__(self) -> None:
        self._items: dict[int, object] = {}

    def _put(self, item) -> bool:
        try:
            item.extra_bytes()
        except LocalProtocolError:
            return False
        self._items[item.EXTRA_ID] = item
        return True

    def _get(self, cls):
        return self._items.get(cls.EXTRA_ID)

    def _scalar(self, cls, attr: str):
        item = self._get(cls)
        return -1 if item is None else getattr(item, attr)

    @staticmethod
    def _tenths(value: float) -> float | None:
        try:
            return round(value * 10) / 10
        except (TypeError, ValueError, OverflowError):
            return None

    def _put_tenths(self, cls, value: float) -> bool:
        tenths = self._tenths(value)
        return tenths is not None and self._put(cls(tenths))

    # -- 0x01-0x06 ------------------------------------------------------------------
    def set_mileage(self, value: float) -> bool:
        return self._put_tenths(Mileage, value)

    def get_mileage(self) -> int | float:
        return _whole(self._scalar(Mileage, "km"))

    def set_oil_quantity(self, value: float) -> bool:
        return self._put_tenths(Fuel, value)

    def get_oil_quantity(self) -> int | float:
        return _whole(self._scalar(Fuel, "liters"))

    def set_speed(self, value: float) -> bool:
        return self._put_tenths(TachographSpeed, value)

    def get_speed(self) -> int | float:
        return _whole(self._scalar(TachographSpeed, "kmh"))

    def set_manually_confirm_the_alarm_event_id(self, value: int) -> bool:
        return self._put(AlarmEventId(value))

    def get_manually_confirm_the_alarm_event_id(self) -> int:
        return self._scalar(AlarmEventId, "event_id")

    def set_tire_pressure(self, values: list) -> bool:
        """Up to 30 pressures (Pa) in wheel order; values over 254 are stored as 254."""
        try:
            pressures = tuple(min(int(v), _TIRE_MAX) for v in values)
        except (TypeError, ValueError):
            return False
        if any(v < 0 for v in pressures):
            return False
        return self._put(TirePressure(pressures))

    def get_tire_pressure(self) -> list | int:
        item = self._get(TirePressure)
        return -1 if item is None else list(item.pressures)

    def set_temperature(self, value: int) -> bool:
        return self._put(CarriageTemperature(value))

    def get_temperature(self) -> int:
        return self._scalar(CarriageTemperature, "celsius")

    # -- 0x11-0x13 ------------------------------------------------------------------
    def set_over_speed_alarm(self, loc_type: int, area_segment_id: int | None = None) -> bool:
        if loc_type == 0:
            area_segment_id = None
        elif area_segment_id is None:
            return False
        return self._put(OverspeedInfo(loc_type, area_segment_id))

    def get_over_speed_alarm(self) -> dict:
        item = self._get(OverspeedInfo)
        if item is None:
            return {}
        return {"loc_type": item.loc_type, "area_segment_id": item.area_segment_id}

    def set_in_out_area_segment_alarm(self, loc_type: int, area_segment_id: int,
                                      direction: int) -> bool:
        return self._put(AreaAlarmInfo(loc_type, area_segment_id, direction))

    def get_in_out_area_segment_alarm(self) -> dict:
        item = self._get(AreaAlarmInfo)
        if item is None:
            return {}
        return {"loc_type": item.loc_type, "area_segment_id": item.area_segment_id,
                "direction": item.direction}

    def set_insufficient_or_too_long_driving_time(self, road_id: int, travel_time: int,
                                                  result: int) -> bool:
        return self._put(RoadTimeInfo(road_id, travel_time, result))

    def get_insufficient_or_too_long_driving_time(self) -> dict:
        item = self._get(RoadTimeInfo)
        if item is None:
            return {}
        return {"road_id": item.road_id, "travel_time": item.travel_time,
                "result": item.result}

    # -- 0x25, 0x2A, 0x2B --------------------------------------------------------------
    def set_vehicle_signal_status(self, low_beam_lights: int, high_beam: int, right_turn: int,
                                  left_turn: int, brake: int, reverse: int, fog_light: int,
                                  position: int, horn: int, air_conditioning: int,
                                  neutral: int, retarder: int, abs_work: int, heating: int,
                                  clutch: int) -> bool:
        values = dict(zip(_SIGNAL_NAMES, (
            low_beam_lights, high_beam, right_turn, left_turn, brake, reverse, fog_light,
            position, horn, air_conditioning, neutral, retarder, abs_work, heating, clutch)))
        if not all(_is_bit(v) for v in values.values()):
            return False
        return self._put(VehicleSignals.from_names(**values))

    def get_vehicle_signal_status(self) -> dict:
        item = self._get(VehicleSignals)
        return {} if item is None else {name: item[name] for name in _SIGNAL_NAMES}

    def set_io_status(self, deep_sleep: int, sleep: int) -> bool:
        if not (_is_bit(deep_sleep) and _is_bit(sleep)):
            return False
        return self._put(IoStatus.from_names(deep_sleep=deep_sleep, sleep=sleep))

    def get_io_status(self) -> dict:
        item = self._get(IoStatus)
        return {} if item is None else {name: item[name] for name in _IO_NAMES}

    def set_analog(self, ad0: int, ad1: int) -> bool:
        return self._put(AnalogInputs(ad0, ad1))

    def get_analog(self) -> dict:
        item = self._get(AnalogInputs)
        return {} if item is None else {"ad0": item.ad0, "ad1": item.ad1}

    # -- 0x30, 0x31 ---------------------------------------------------------------------
    def set_wireless_communication_network_signal_strength(self, value: int) -> bool:
        return self._put(SignalStrength(value))

    def get_wireless_communication_network_signal_strength(self) -> int:
        return self._scalar(SignalStrength, "level")

    def set_number_of_satellites(self, value: int) -> bool:
        return self._put(SatelliteCount(value))

    def get_number_of_satellites(self) -> int:
        return self._scalar(SatelliteCount, "count")

    # -- output -----------------------------------------------------------------------
    def extras(self) -> tuple:
        """The typed extra items, by ascending id (for ``LocationReport.extras``)."""
        return tuple(self._items[key] for key in sorted(self._items))

    def value(self) -> str:
        """The extras as lower-case hex, by ascending id ("" when none is set)."""
        return encode_extras(self.extras()).hex()
