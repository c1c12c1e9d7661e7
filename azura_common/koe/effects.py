"""A session's audio effects and their translation to Lavalink v4 filters.

``Effects`` is a small frozen value: one effect preset (or none), one equalizer preset (or none) and a custom
speed/pitch. It belongs to the session (kept across tracks, carried in its state and its record), and
``lavalink_filters`` turns it into the ``filters`` object of Lavalink's player PATCH. Pure: no discord, no
wavelink, no grpc.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from ..i18n import text
from .errors import InvalidArgument

__all__ = [
    "BANDS",
    "EFFECT_PRESETS",
    "EQUALIZER_PRESETS",
    "MAX_GAIN",
    "MAX_RATE",
    "MIN_GAIN",
    "MIN_RATE",
    "NO_EFFECTS",
    "Effects",
    "check_effects",
    "check_rate",
    "effect_preset",
    "equalizer_preset",
    "lavalink_filters",
]

BANDS: Final = 15  # Lavalink's equalizer: bands 0 (25 Hz) … 14 (16 kHz)
MIN_GAIN: Final = -0.25  # Lavalink's limits for one band's gain (0 is unchanged)
MAX_GAIN: Final = 1.0
MIN_RATE: Final = 0.5  # the custom speed and pitch a user may ask for (1.0 is unchanged)
MAX_RATE: Final = 2.0

Filters = dict[str, Any]

# Each effect preset is a piece of a Lavalink filters object (values as lavamusic/Jockie use them).
_EFFECTS: Final[dict[str, Filters]] = {
    "bassboost": {"equalizer": {0: 0.25, 1: 0.2, 2: 0.15, 3: 0.1, 4: 0.05}},
    "nightcore": {"timescale": {"speed": 1.2, "pitch": 1.2, "rate": 1.0}},
    "vaporwave": {"timescale": {"speed": 0.85, "pitch": 0.8, "rate": 1.0}},
    "8d": {"rotation": {"rotationHz": 0.2}},
    "karaoke": {"karaoke": {"level": 1.0, "monoLevel": 1.0, "filterBand": 220.0, "filterWidth": 100.0}},
    "tremolo": {"tremolo": {"frequency": 4.0, "depth": 0.75}},
    "vibrato": {"vibrato": {"frequency": 4.0, "depth": 0.75}},
    "soft": {"lowPass": {"smoothing": 20.0}},
}
EFFECT_PRESETS: Final = tuple(_EFFECTS)

_EQUALIZERS: Final[dict[str, tuple[float, ...]]] = {
    "bass": (0.3, 0.25, 0.2, 0.1, 0.05, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0),
    "pop": (-0.02, -0.01, 0.08, 0.1, 0.15, 0.1, 0.03, -0.02, -0.035, -0.05, -0.05, -0.05, -0.05, -0.05, -0.05),
    "rock": (0.3, 0.25, 0.2, 0.1, 0.05, -0.05, -0.15, -0.2, -0.1, -0.05, 0.05, 0.1, 0.2, 0.25, 0.3),
    "electronic": (0.375, 0.35, 0.125, 0.0, 0.0, -0.125, -0.125, 0.0, 0.25, 0.125, 0.15, 0.2, 0.25, 0.35, 0.4),
    "classical": (0.375, 0.35, 0.125, 0.0, 0.0, 0.125, 0.55, 0.05, 0.125, 0.25, 0.2, 0.25, 0.3, 0.25, 0.3),
    "treble": (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.3),
}
EQUALIZER_PRESETS: Final = ("flat", *_EQUALIZERS)  # flat: every band unchanged, i.e. no equalizer

_ALIASES: Final = {"8D": "8d", "rotation": "8d", "lowpass": "soft", "bass": "bassboost", "bass boost": "bassboost"}
_OFF: Final = frozenset({"", "off", "none", "reset", "flat"})


@dataclass(frozen=True, slots=True)
class Effects:
    """What a session sounds like: ``preset`` and ``equalizer`` name presets ("" for none); ``speed`` and
    ``pitch`` are the custom rates (1.0 unchanged), applied on top of a preset's own."""

    preset: str = ""
    equalizer: str = ""
    speed: float = 1.0
    pitch: float = 1.0

    @property
    def active(self) -> bool:
        return self != NO_EFFECTS

    def names(self, locale: str | None = None) -> list[str]:
        """Short labels of what is on in ``locale``'s language (English without one), e.g. ["nightcore",
        "EQ rock", "speed 1.25×"] (none when nothing is). Preset names are the names users type: never translated."""
        shown = [self.preset] if self.preset else []
        if self.equalizer:
            shown.append(text("effects.label_equalizer", locale, name=self.equalizer))
        if self.speed != 1.0:
            shown.append(text("effects.label_speed", locale, rate=f"{self.speed:g}"))
        if self.pitch != 1.0:
            shown.append(text("effects.label_pitch", locale, rate=f"{self.pitch:g}"))
        return shown


NO_EFFECTS: Final = Effects()


def effect_preset(name: str) -> str:
    """The effect preset ``name`` names ("" for off/none/reset); InvalidArgument when there is none such."""
    key = name.strip().lower()
    key = _ALIASES.get(key, key)
    if key in _OFF:
        return ""
    if key not in _EFFECTS:
        raise InvalidArgument(argument="preset", key="effects.no_such_effect",
                              params={"name": repr(name.strip()[:40]), "presets": ", ".join(EFFECT_PRESETS)})
    return key


def equalizer_preset(name: str) -> str:
    """The equalizer preset ``name`` names ("" for flat/off); InvalidArgument when there is none such."""
    key = name.strip().lower()
    if key in _OFF:
        return ""
    if key not in _EQUALIZERS:
        raise InvalidArgument(argument="equalizer", key="effects.no_such_equalizer",
                              params={"name": repr(name.strip()[:40]), "presets": ", ".join(EQUALIZER_PRESETS)})
    return key


def check_rate(value: float, what: str) -> None:
    """InvalidArgument (in the user's language wherever it is shown) unless ``value`` is a speed or pitch
    (``what``) a user may ask for."""
    if not MIN_RATE <= value <= MAX_RATE:  # also false for NaN
        raise InvalidArgument(argument=what, key=f"effects.{what}_out_of_range",
                              params={"low": f"{MIN_RATE:g}", "high": f"{MAX_RATE:g}", "value": f"{value:g}"})


def check_effects(effects: Effects) -> Effects:
    """``effects`` if every part is known and in range (what a session accepts), else InvalidArgument."""
    if effects.preset and effects.preset not in _EFFECTS:
        effect_preset(effects.preset)  # raises the friendly error
    if effects.equalizer and effects.equalizer not in _EQUALIZERS:
        equalizer_preset(effects.equalizer)
    check_rate(effects.speed, "speed")
    check_rate(effects.pitch, "pitch")
    return effects


def lavalink_filters(effects: Effects) -> Filters:
    """The Lavalink v4 ``filters`` object for ``effects`` ({} when none: Lavalink then clears every filter).
    Gains of a bass-boost preset and an equalizer preset add up, within Lavalink's limits."""
    preset = _EFFECTS.get(effects.preset, {})
    filters: Filters = {key: dict(value) for key, value in preset.items() if key != "equalizer"}
    gains = [0.0] * BANDS
    for band, gain in preset.get("equalizer", {}).items():
        gains[band] += gain
    for band, gain in enumerate(_EQUALIZERS.get(effects.equalizer, ())):
        gains[band] += gain
    if any(gains):
        filters["equalizer"] = [{"band": band, "gain": round(min(MAX_GAIN, max(MIN_GAIN, gain)), 4)}
                                for band, gain in enumerate(gains)]
    if effects.speed != 1.0 or effects.pitch != 1.0:
        timescale = filters.setdefault("timescale", {"speed": 1.0, "pitch": 1.0, "rate": 1.0})
        timescale["speed"] = round(timescale["speed"] * effects.speed, 4)
        timescale["pitch"] = round(timescale["pitch"] * effects.pitch, 4)
    return filters
