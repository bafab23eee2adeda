"""Lifecycle fixtures: the staff tests' people (a member of each kind, a moderator, an admin)."""

from tests.staff.conftest import people

__all__ = ["people"]
