"""Members made straight in the database, with a signed-in API session each.

Registering through the API costs two argon2 hashes per person; tests that need many people
(lists, search, query counts) make them here instead. Profiles are filled in through the real
profile service, so its rules still apply.
"""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

from PIL import Image

from hiremebahamas.core.runtime import Runtime
from hiremebahamas.models.base import utcnow
from hiremebahamas.profiles import service as profiles
from hiremebahamas.profiles.schemas import ProfileUpdateIn
from tests.factories import Member, add_user


def picture(size: tuple[int, int] = (300, 200), pillow_format: str = "PNG") -> bytes:
    """A real picture, as a phone or a file picker would send it."""
    output = io.BytesIO()
    Image.new("RGB", size, (0, 119, 139)).save(output, pillow_format)
    return output.getvalue()


async def member(
    runtime: Runtime,
    username: str,
    *,
    first_name: str = "Ann",
    last_name: str = "Rolle",
    verified: bool = True,
    active: bool = True,
    updated_ago: timedelta | None = None,
    **profile: Any,
) -> Member:
    """A member called `username`; `profile` holds PATCH /api/users/me fields to apply."""
    async with runtime.database.unit_of_work(runtime.tasks) as session:
        user = await add_user(
            session,
            email=f"{username}@example.com",
            username=username,
            first_name=first_name,
            last_name=last_name,
            verified=verified,
            is_active=active,
        )
        if profile:
            saved = await profiles.update_profile(session, user, ProfileUpdateIn(**profile))
            if updated_ago is not None:
                saved.updated_at = utcnow() - updated_ago
        return await Member.sign_in(session, runtime.settings, user)
