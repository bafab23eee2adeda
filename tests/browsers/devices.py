"""The window sizes the matrix runs at."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Device:
    name: str
    width: int
    height: int
    touch: bool = False
    """Chromium emulates a touch screen (and a mobile browser) for these; the others only size the window."""
    scale: float = 1.0


DESKTOP = Device("desktop", 1280, 800)
PHONE = Device("phone", 390, 844, touch=True, scale=3.0)
TABLET = Device("tablet", 820, 1180, touch=True, scale=2.0)
