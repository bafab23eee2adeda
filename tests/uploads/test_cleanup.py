"""Pictures nothing uses are deleted after a day, files first; used ones and CVs stay."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select, update

from hiremebahamas.core.errors import NotFound
from hiremebahamas.core.runtime import Runtime
from hiremebahamas.models import Upload
from hiremebahamas.models.base import utcnow
from hiremebahamas.uploads.cleanup import delete_unattached_uploads
from tests.helpers import Account, signed_up
from tests.uploads.files import pdf, picture, upload


async def _uploaded(client: httpx.AsyncClient, account: Account, data: bytes, purpose: str) -> uuid.UUID:
    response = await upload(client, account, data, purpose)
    assert response.status_code == 201, response.text
    return uuid.UUID(response.json()["id"])


async def test_only_old_unattached_pictures_go(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await signed_up(client, runtime)
    avatar = await _uploaded(client, ann, picture(), "avatar")
    assert (await client.patch("/api/users/me", json={"avatar_upload_id": str(avatar)}, headers=ann.headers)).is_success
    post_image = await _uploaded(client, ann, picture(), "post_image")
    made = await client.post(
        "/api/posts", json={"body": "Sunset", "image_upload_id": str(post_image)}, headers=ann.headers
    )
    assert made.status_code == 201, made.text
    orphan = await _uploaded(client, ann, picture(), "post_image")
    cv = await _uploaded(client, ann, pdf(), "cv")
    fresh_orphan = await _uploaded(client, ann, picture(), "avatar")
    async with runtime.database.sessionmaker.begin() as session:
        old = utcnow() - timedelta(hours=25)
        await session.execute(update(Upload).where(Upload.id != fresh_orphan).values(created_at=old))
        keys = (await session.execute(select(Upload.storage_key).where(Upload.id == orphan))).scalar_one()

    async with runtime.database.sessionmaker.begin() as session:
        assert await delete_unattached_uploads(session, runtime.storage) == 1
    async with runtime.database.sessionmaker() as session:
        left = set((await session.execute(select(Upload.id))).scalars())
    assert left == {avatar, post_image, cv, fresh_orphan}
    with pytest.raises(NotFound):
        await runtime.storage.get(keys)
    async with runtime.database.sessionmaker.begin() as session:  # nothing more to do
        assert await delete_unattached_uploads(session, runtime.storage) == 0
