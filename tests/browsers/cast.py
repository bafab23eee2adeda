"""Who takes part in the matrix's flows, and their windows.

Each engine and size (a target) has its own job seeker, registered by the first flow, who goes
through all seven. The people the seeker deals with (a friend who receives messages, an employer
with a job) are registered once per session, by the first target that needs them, and only log in
on the others: their accounts are not what is being tested again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.browsers.driver import Window
from tests.e2e.flows import Person


@dataclass
class People:
    """The session's supporting people, once registered (shared by every target)."""

    friend: Person | None = None
    friend_username: str = ""
    employer: Person | None = None
    job_title: str = ""
    job_marker: str = ""


@dataclass
class Cast:
    """One target's people and windows."""

    label: str
    open_window: Callable[[str], Window[Any]]
    people: People
    files: Path
    """A directory for files the flows upload."""
    seeker_first_name: str
    seeker: Person | None = None
    conversation: str = ""
    """The path of the seeker's conversation with the friend, once started."""
    pro: bool = False
    windows: dict[str, Window[Any]] = field(default_factory=dict)

    def window(self, role: str) -> Window[Any]:
        """The window of `role` ("seeker", "friend", "employer"), opened on first use."""
        if role not in self.windows:
            self.windows[role] = self.open_window(f"{self.label} {role}")
        return self.windows[role]

    def close_window(self, role: str) -> None:
        if window := self.windows.pop(role, None):
            window.close()

    def close(self) -> None:
        for window in self.windows.values():
            window.close()
        self.windows.clear()
