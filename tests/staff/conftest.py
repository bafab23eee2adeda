"""People for the staff tests: a member of each kind, a moderator and an admin, all signed in."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from hiremebahamas.core.runtime import Runtime
from hiremebahamas.models import StaffRole
from tests.factories import Member, add_user


@dataclass(frozen=True)
class Staffed:
    seeker: Member
    employer: Member
    moderator: Member
    admin: Member


async def make_member(runtime: Runtime, name: str, *, employer: bool = False, role: StaffRole | None = None) -> Member:
    async with runtime.database.sessionmaker.begin() as session:
        user = await add_user(
            session, email=f"{name}@example.com", username=name, first_name=name.title(), employer=employer,
            staff_role=role,
        )  # fmt: skip
        return await Member.sign_in(session, runtime.settings, user)


@pytest.fixture
async def people(runtime: Runtime) -> Staffed:
    return Staffed(
        seeker=await make_member(runtime, "sam-seeker"),
        employer=await make_member(runtime, "erin-employer", employer=True),
        moderator=await make_member(runtime, "mo-moderator", role=StaffRole.MODERATOR),
        admin=await make_member(runtime, "ada-admin", role=StaffRole.ADMIN),
    )
