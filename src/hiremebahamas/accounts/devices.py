"""A signed-in session's device as a person recognises it ("Chrome on Android"), read from the
user agent the browser sent when it signed in. ua-parser keeps the rules for every browser and
system; the raw string is kept on the session for staff and security reviews."""

from __future__ import annotations

from functools import lru_cache

from ua_parser import parse

UNKNOWN = "Unknown device"
_SYSTEMS = {"Mac OS X": "macOS"}


def _browser(family: str) -> str:
    # "Chrome Mobile", "Mobile Safari", "Firefox Mobile": the system already says it is a phone.
    return " ".join(word for word in family.split() if word != "Mobile") or family


@lru_cache(maxsize=1024)
def device_name(user_agent: str) -> str:
    parsed = parse(user_agent) if user_agent else None
    browser = parsed.user_agent.family if parsed and parsed.user_agent else None
    system = parsed.os.family if parsed and parsed.os else None
    browser = _browser(browser) if browser and browser != "Other" else None
    system = _SYSTEMS.get(system, system) if system and system != "Other" else None
    if browser and system:
        return f"{browser} on {system}"
    return browser or system or UNKNOWN
