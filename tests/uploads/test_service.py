"""The uploads service on both database engines: storing, recording, and who may read what."""

from __future__ import annotations

import io
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import anyio
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import UploadFile

from hiremebahamas.core.errors import (
    AppError,
    NotFound,
    PayloadTooLarge,
    RateLimited,
    StorageUnavailable,
    Unauthenticated,
    ValidationFailed,
)
from hiremebahamas.core.ratelimit import RateLimiter
from hiremebahamas.core.runtime import Runtime
from hiremebahamas.core.storage import LocalStorage, ObjectMeta
from hiremebahamas.models import AccountType, StaffRole, Upload, UploadPurpose, User
from hiremebahamas.uploads import service
from hiremebahamas.uploads.forms import upload_from_form
from hiremebahamas.uploads.service import Reach, UploadIn, Variant
from tests.conftest import make_settings
from tests.uploads.files import decoded, pdf, picture, smooth_photo


@pytest.fixture
async def session(runtime: Runtime) -> AsyncIterator[AsyncSession]:
    async with runtime.database.sessionmaker() as session:
        yield session
        await session.commit()


async def make_user(session: AsyncSession, name: str, *, admin: bool = False) -> User:
    user = User(
        email=f"{name}@example.com",
        username=name,
        password_hash="-",
        first_name=name.title(),
        last_name="Test",
        account_type=AccountType.JOB_SEEKER,
        staff_role=StaffRole.ADMIN if admin else None,
    )
    session.add(user)
    await session.flush()
    return user


async def upload_count(session: AsyncSession) -> int:
    return (await session.execute(select(func.count()).select_from(Upload))).scalar_one()


async def test_a_picture_is_stored_with_a_thumbnail_and_recorded(session: AsyncSession, runtime: Runtime) -> None:
    ann = await make_user(session, "ann")
    new = UploadIn(UploadPurpose.POST_IMAGE, picture("JPEG", (1000, 800)), "C:\\Users\\ann\\beach day.jpg")
    upload = await service.create_upload(session, runtime.storage, runtime.settings, ann, new)
    assert upload.owner_id == ann.id
    assert upload.content_type == "image/jpeg"
    assert (upload.width, upload.height) == (1000, 800)
    assert upload.original_name == "beach day.jpg"
    assert upload.storage_key == f"{ann.id}/{upload.id}/original.jpg"
    assert upload.thumbnail_key == f"{ann.id}/{upload.id}/thumb.webp"
    stored = await runtime.storage.get(upload.storage_key)
    assert len(stored) == upload.size
    assert decoded(await runtime.storage.get(upload.thumbnail_key)).size == (640, 512)
    assert await session.get(Upload, upload.id) is upload


async def test_a_24_megapixel_phone_photo_is_stored_at_the_post_image_size(
    session: AsyncSession, runtime: Runtime
) -> None:
    ann = await make_user(session, "ann")
    new = UploadIn(UploadPurpose.POST_IMAGE, smooth_photo((5712, 4284)), "IMG_0001.JPG")
    upload = await service.create_upload(session, runtime.storage, runtime.settings, ann, new)
    assert (upload.width, upload.height) == (2048, 1536)
    assert decoded(await runtime.storage.get(upload.storage_key)).size == (2048, 1536)
    assert upload.thumbnail_key is not None
    assert decoded(await runtime.storage.get(upload.thumbnail_key)).size == (640, 480)


async def test_concurrent_pictures_wait_for_a_decode_slot(session: AsyncSession, runtime: Runtime) -> None:
    ann = await make_user(session, "ann")
    await session.commit()
    slots = service.decode_slots(runtime.settings.upload_decode_slots)
    photo = picture("JPEG", (2400, 1800))  # a few tenths of a second to decode and re-encode
    finished: list[Upload] = []

    async def post_a_picture() -> None:
        async with runtime.database.sessionmaker.begin() as own:
            new = UploadIn(UploadPurpose.POST_IMAGE, photo)
            finished.append(await service.create_upload(own, runtime.storage, runtime.settings, ann, new))

    decoding: set[float] = set()
    waiting: set[int] = set()
    async with anyio.create_task_group() as uploads:
        for _ in range(5):
            uploads.start_soon(post_a_picture)
        while len(finished) < 5:
            await anyio.sleep(0.005)
            decoding.add(slots.borrowed_tokens)
            waiting.add(slots.statistics().tasks_waiting)
    assert max(decoding) == runtime.settings.upload_decode_slots == 2
    assert max(waiting) == 3  # the other uploads waited their turn, holding no thread
    assert [(upload.width, upload.height) for upload in finished] == [(2048, 1536)] * 5


async def test_a_cv_is_stored_as_sent_without_thumbnail(session: AsyncSession, runtime: Runtime) -> None:
    ann = await make_user(session, "ann")
    upload = await service.create_upload(
        session, runtime.storage, runtime.settings, ann, UploadIn(UploadPurpose.CV, pdf(), "Ann CV.pdf")
    )
    assert (upload.content_type, upload.thumbnail_key, upload.width) == ("application/pdf", None, None)
    assert await runtime.storage.get(upload.storage_key) == pdf()
    with pytest.raises(NotFound):
        service.storage_key(upload, Variant.THUMB)


async def test_refused_files_record_and_store_nothing(session: AsyncSession, runtime: Runtime) -> None:
    ann = await make_user(session, "ann")
    settings = runtime.settings
    cases: list[tuple[UploadIn, type[Exception]]] = [
        (UploadIn(UploadPurpose.AVATAR, pdf()), ValidationFailed),
        (UploadIn(UploadPurpose.CV, picture("JPEG", (8, 8))), ValidationFailed),
        (UploadIn(UploadPurpose.AVATAR, b""), ValidationFailed),
        (UploadIn(UploadPurpose.CV, b"%PDF-" + b"x" * settings.upload_max_bytes), PayloadTooLarge),
    ]
    for new, error in cases:
        with pytest.raises(error):
            await service.create_upload(session, runtime.storage, settings, ann, new)
    assert await upload_count(session) == 0
    assert not (settings.var_dir / "uploads").exists()


class ThumbnailsFail(LocalStorage):
    """A real directory whose disk "fails" when thumbnails are written."""

    async def put(self, key: str, data: bytes, meta: ObjectMeta) -> None:
        if key.endswith("thumb.webp"):
            raise StorageUnavailable()
        await super().put(key, data, meta)


async def test_a_failure_half_way_removes_what_was_stored(
    session: AsyncSession, runtime: Runtime, tmp_path: Path
) -> None:
    ann = await make_user(session, "ann")
    storage = ThumbnailsFail(tmp_path / "store")
    with pytest.raises(StorageUnavailable):
        await service.create_upload(
            session, storage, runtime.settings, ann, UploadIn(UploadPurpose.AVATAR, picture("JPEG", (64, 64)))
        )
    assert await upload_count(session) == 0
    assert [path for path in (tmp_path / "store").rglob("*") if path.is_file()] == []


async def test_who_may_read_what(session: AsyncSession, runtime: Runtime) -> None:
    ann, bob = await make_user(session, "ann"), await make_user(session, "bob")
    admin = await make_user(session, "root", admin=True)
    settings = runtime.settings
    avatar = await service.create_upload(
        session, runtime.storage, settings, ann, UploadIn(UploadPurpose.AVATAR, picture("JPEG", (32, 32)))
    )
    cv = await service.create_upload(session, runtime.storage, settings, ann, UploadIn(UploadPurpose.CV, pdf()))
    for viewer in (None, ann, bob, admin):  # ann never made her profile members-only
        assert await service.reach_of(session, viewer, avatar) is Reach.PUBLIC_FOR_NOW
    assert await service.reach_of(session, ann, cv) is Reach.RESTRICTED
    assert await service.reach_of(session, admin, cv) is Reach.RESTRICTED
    assert await service.reach_of(session, bob, cv) is None
    assert await service.reach_of(session, None, cv) is None

    assert await service.readable_upload(session, ann, cv.id) == (cv, Reach.RESTRICTED)
    with pytest.raises(NotFound):
        await service.readable_upload(session, bob, cv.id)  # as if it did not exist
    with pytest.raises(Unauthenticated):
        await service.readable_upload(session, None, cv.id)
    with pytest.raises(NotFound):
        await service.readable_upload(session, ann, uuid.uuid4())


async def test_other_domains_can_open_cvs_through_a_read_grantor(
    session: AsyncSession, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    ann, employer, stranger = [await make_user(session, name) for name in ("ann", "employer", "stranger")]
    cv = await service.create_upload(session, runtime.storage, runtime.settings, ann, UploadIn(UploadPurpose.CV, pdf()))
    asked: list[tuple[str, uuid.UUID]] = []

    async def employers_read_applicants_cvs(_session: AsyncSession, viewer: User, upload: Upload) -> bool:
        asked.append((viewer.username, upload.id))
        return viewer.id == employer.id

    monkeypatch.setattr(service, "_READ_GRANTORS", [])
    assert service.register_read_grantor(employers_read_applicants_cvs) is employers_read_applicants_cvs
    service.register_read_grantor(employers_read_applicants_cvs)  # registering twice is harmless
    assert await service.reach_of(session, employer, cv) is Reach.RESTRICTED
    assert await service.reach_of(session, stranger, cv) is None
    assert await service.reach_of(session, ann, cv) is Reach.RESTRICTED  # the owner needs no grantor
    assert asked == [("employer", cv.id), ("stranger", cv.id)]


async def test_pictures_whose_rule_is_missing_stay_with_their_owner(
    session: AsyncSession, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    ann, bob = await make_user(session, "ann"), await make_user(session, "bob")
    admin = await make_user(session, "root", admin=True)
    new = UploadIn(UploadPurpose.AVATAR, picture("JPEG", (32, 32)))
    avatar = await service.create_upload(session, runtime.storage, runtime.settings, ann, new)
    monkeypatch.setattr(service, "_PICTURE_RULES", {})
    assert await service.reach_of(session, None, avatar) is None
    assert await service.reach_of(session, bob, avatar) is None
    assert await service.reach_of(session, ann, avatar) is Reach.RESTRICTED
    assert await service.reach_of(session, admin, avatar) is Reach.RESTRICTED
    with pytest.raises(NotFound):  # a picture: no login prompt that would tell it exists
        await service.readable_upload(session, None, avatar.id)


async def test_owned_upload_checks_owner_and_purpose(session: AsyncSession, runtime: Runtime) -> None:
    ann, bob = await make_user(session, "ann"), await make_user(session, "bob")
    avatar = await service.create_upload(
        session, runtime.storage, runtime.settings, ann, UploadIn(UploadPurpose.AVATAR, picture("JPEG", (32, 32)))
    )
    assert await service.owned_upload(session, {ann.id}, avatar.id, UploadPurpose.AVATAR, "avatar_upload_id") is avatar
    refusals: list[tuple[User, uuid.UUID, UploadPurpose, type[AppError], str]] = [
        (bob, avatar.id, UploadPurpose.AVATAR, NotFound, "not found among your uploads"),
        (ann, uuid.uuid4(), UploadPurpose.AVATAR, NotFound, "not found among your uploads"),
        (ann, avatar.id, UploadPurpose.POST_IMAGE, ValidationFailed, "uploaded as avatar, not as post image"),
    ]
    for user, upload_id, purpose, refusal, message in refusals:
        with pytest.raises(refusal, match=message) as caught:
            await service.owned_upload(session, {user.id}, upload_id, purpose, "image_upload_id")
        assert set(caught.value.extra["fields"]) == {"image_upload_id"}


def test_urls_need_only_the_id() -> None:
    upload_id = uuid.UUID("01234567-89ab-7def-8123-456789abcdef")
    assert service.upload_url(upload_id) == f"/media/{upload_id}/original"
    assert service.upload_url(upload_id, Variant.THUMB) == f"/media/{upload_id}/thumb"
    assert service.upload_url(None) is None
    upload = Upload(id=upload_id)
    assert service.upload_url(upload, Variant.THUMB) == f"/media/{upload_id}/thumb"


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("cv.pdf", "cv.pdf"),
        ("../../etc/passwd", "passwd"),
        ("C:\\fakepath\\Résumé 2026.docx", "Résumé 2026.docx"),
        ("bad\x00name\r\n.pdf", "badname.pdf"),
        ("...", ""),
        ("x" * 300 + ".pdf", "x" * 196 + ".pdf"),
    ],
)
def test_file_names_are_cleaned(sent: str, kept: str) -> None:
    assert service.clean_filename(sent) == kept


def test_downloads_are_named_by_their_real_type() -> None:
    upload = Upload(purpose=UploadPurpose.CV, storage_key="a/b/original.pdf", original_name='Ann "Rolle" CV.exe')
    assert service.download_name(upload) == 'Ann "Rolle" CV.pdf'
    assert service.attachment_disposition("Résumé.pdf") == (
        "attachment; filename=\"Resume.pdf\"; filename*=UTF-8''R%C3%A9sum%C3%A9.pdf"
    )
    assert service.attachment_disposition('a"b;c.pdf').startswith('attachment; filename="abc.pdf"')
    assert service.download_name(
        Upload(purpose=UploadPurpose.CV, storage_key="a/b/original.docx", original_name="")
    ) == ("cv.docx")


def form_file(data: bytes, filename: str = "picture.jpg") -> UploadFile:
    return UploadFile(io.BytesIO(data), filename=filename)


async def test_page_forms_upload_through_the_same_checks_and_limits(session: AsyncSession, runtime: Runtime) -> None:
    ann = await make_user(session, "ann")
    runtime.limiter = RateLimiter(make_settings(rate_limit_upload="3/minute"))

    async def send(file: UploadFile | str | None) -> Upload | None:
        return await upload_from_form(session, runtime, ann, UploadPurpose.AVATAR, file, field="avatar", ip="192.0.2.1")

    assert await send(None) is None
    assert await send(form_file(b"", filename="")) is None  # an empty file input
    assert await send("not a file") is None
    upload = await send(form_file(picture("JPEG", (32, 32)), "me.jpg"))
    assert upload is not None
    assert (upload.original_name, upload.owner_id) == ("me.jpg", ann.id)
    with pytest.raises(ValidationFailed) as caught:
        await send(form_file(pdf(), "me.jpg"))
    assert set(caught.value.fields) == {"avatar"}
    assert "Only JPEG, PNG or WebP" in caught.value.fields["avatar"]
    with pytest.raises(PayloadTooLarge, match="at most 5 MB"):
        await send(form_file(b"\xff\xd8\xff" + b"0" * runtime.settings.upload_max_bytes))
    with pytest.raises(RateLimited):  # the three attempts above were counted
        await send(form_file(picture("JPEG", (32, 32))))
    assert await upload_count(session) == 1
