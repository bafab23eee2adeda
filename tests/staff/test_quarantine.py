"""Quarantined files in the staff area: a re-scan with new signatures (a real clamd) finds the
EICAR string in a stored CV; staff list it, release it or delete it, each in the audit log."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from hiremebahamas.config import Settings
from hiremebahamas.core.runtime import Runtime
from hiremebahamas.models import AuditEntry, ScanStatus, Upload
from hiremebahamas.uploads.rescan import rescan_uploads
from tests.conftest import make_settings
from tests.helpers import sign_in, submit
from tests.servers import ClamdServer
from tests.staff.conftest import Staffed
from tests.uploads.files import EICAR, EICAR_FOUND, TEST_SIGNATURES, pdf, upload


@pytest.fixture
def settings(database_url: str, tmp_path: Path, clamd: ClamdServer) -> Settings:
    return make_settings(database_url=database_url, var_dir=tmp_path / "var", clamav_url=clamd.url)


async def quarantined_cv(
    client: httpx.AsyncClient, runtime: Runtime, people: Staffed, clamd: ClamdServer
) -> dict[str, Any]:
    """A CV of the seeker's, accepted before clamd knew EICAR and quarantined by the re-scan
    after it learnt it."""
    response = await upload(client, people.seeker, pdf(EICAR), "cv", "cv.pdf")
    assert response.status_code == 201, response.text
    clamd.load_signatures(TEST_SIGNATURES)
    assert await rescan_uploads(runtime.tasks.context) == 1
    body: dict[str, Any] = response.json()
    return body


async def row(runtime: Runtime, upload_id: str) -> Upload | None:
    async with runtime.database.sessionmaker() as session:
        return await session.get(Upload, uuid.UUID(upload_id))


async def audit_actions(runtime: Runtime) -> list[tuple[str, str, str | None]]:
    async with runtime.database.sessionmaker() as session:
        entries = (await session.execute(select(AuditEntry).order_by(AuditEntry.created_at))).scalars()
        return [(entry.action, entry.target_id, entry.reason) for entry in entries]


async def test_staff_list_and_release_a_quarantined_file(
    client: httpx.AsyncClient, runtime: Runtime, people: Staffed, signatures_without_eicar: ClamdServer
) -> None:
    cv = await quarantined_cv(client, runtime, people, signatures_without_eicar)
    moderator = people.moderator.headers
    listed = await client.get("/api/admin/uploads/quarantined", headers=moderator)
    assert listed.status_code == 200
    [item] = listed.json()["items"]
    assert (item["id"], item["owner"], item["signature"], item["purpose"], item["original_name"]) == (
        cv["id"], "sam-seeker", EICAR_FOUND, "cv", "cv.pdf",
    )  # fmt: skip
    assert (await client.get(item["url"], headers=moderator)).status_code == 200
    assert (await client.get(cv["url"], headers=people.seeker.headers)).status_code == 404

    path = f"/api/admin/uploads/{cv['id']}/release"
    for malformed in ({}, {"reason": ""}, {"reason": "x" * 501}, {"reason": "bad\x00byte"}):
        assert (await client.post(path, json=malformed, headers=moderator)).status_code == 422, malformed
    released = await client.post(path, json={"reason": "A test file of ours"}, headers=moderator)
    assert released.status_code == 200, released.text
    assert released.json()["upload"]["scan_status"] == "clean"
    again = await client.post(path, json={"reason": "A test file of ours"}, headers=moderator)
    assert again.status_code == 409  # a second release finds nothing quarantined
    assert (await client.get(cv["url"], headers=people.seeker.headers)).status_code == 200
    assert (await client.get("/api/admin/uploads/quarantined", headers=moderator)).json()["items"] == []
    assert (await audit_actions(runtime))[-1] == ("upload.release", cv["id"], "A test file of ours")

    # Newer signatures still matching the released one let it pass.
    signatures_without_eicar.load_signatures(TEST_SIGNATURES)
    assert await rescan_uploads(runtime.tasks.context) == 0
    stored = await row(runtime, cv["id"])
    assert stored is not None
    assert (stored.scan_status, stored.signature) == (ScanStatus.CLEAN, EICAR_FOUND)


async def test_staff_delete_a_quarantined_file_and_its_record(
    client: httpx.AsyncClient, runtime: Runtime, people: Staffed, signatures_without_eicar: ClamdServer
) -> None:
    cv = await quarantined_cv(client, runtime, people, signatures_without_eicar)
    files = [path for path in (runtime.settings.var_dir / "uploads").rglob("*") if path.is_file()]
    assert len(files) == 1
    path = f"/api/admin/uploads/{cv['id']}/delete"
    for who in (people.seeker, people.employer):
        assert (await client.post(path, json={"reason": "Malware"}, headers=who.headers)).status_code == 403
    assert (await client.post(path, json={"reason": "Malware"})).status_code == 401
    unknown = f"/api/admin/uploads/{uuid.UUID(int=7)}/delete"
    assert (await client.post(unknown, json={"reason": "Malware"}, headers=people.admin.headers)).status_code == 404
    deleted = await client.post(path, json={"reason": "Malware"}, headers=people.moderator.headers)
    assert deleted.status_code == 200, deleted.text
    assert deleted.json() == {"id": cv["id"], "deleted": True}
    assert await row(runtime, cv["id"]) is None
    assert not files[0].exists()
    assert (await client.post(path, json={"reason": "Malware"}, headers=people.moderator.headers)).status_code == 404
    assert (await audit_actions(runtime))[-1] == ("upload.delete", cv["id"], "Malware")


async def test_a_clean_file_cannot_be_released_or_deleted(
    client: httpx.AsyncClient, runtime: Runtime, people: Staffed
) -> None:
    response = await upload(client, people.seeker, pdf(b"A CV"), "cv", "cv.pdf")
    assert response.status_code == 201, response.text
    for action in ("release", "delete"):
        path = f"/api/admin/uploads/{response.json()['id']}/{action}"
        refused = await client.post(path, json={"reason": "Why not"}, headers=people.admin.headers)
        assert refused.status_code == 409
        assert refused.json()["error"]["message"] == "This upload is not quarantined."
    assert await row(runtime, response.json()["id"]) is not None
    assert await audit_actions(runtime) == []


async def test_the_quarantine_page_releases_and_deletes(
    client: httpx.AsyncClient, runtime: Runtime, people: Staffed, signatures_without_eicar: ClamdServer
) -> None:
    first = await quarantined_cv(client, runtime, people, signatures_without_eicar)
    signatures_without_eicar.load_signatures({"Other-Test": b"a string no test file holds"})
    second = await quarantined_cv(client, runtime, people, signatures_without_eicar)
    sign_in(client, people.moderator)
    page = await client.get("/admin/uploads")
    assert page.status_code == 200
    assert page.text.count(EICAR_FOUND) == 2
    assert "sam-seeker" in page.text
    # In words: what the file is, how big, found when (Nassau time), not the stored codes.
    assert re.search(r"<p>CV · application/pdf · \d+(\.\d)? (Bytes|kB) · uploaded by", page.text), page.text
    assert "UTC" not in page.text
    assert re.search(
        r'found <time datetime="[^"]+" title="Nassau time">\d{1,2} \w{3} \d{4}, \d{1,2}:\d{2} [AP]M</time>', page.text
    )

    empty = await submit(client, f"/admin/uploads/{first['id']}/release", {"reason": ""}, page="/admin/uploads")
    assert empty.status_code == 303
    assert "Not released" in (await client.get("/admin/uploads")).text
    released = await submit(client, f"/admin/uploads/{first['id']}/release", {"reason": "Ours"}, page="/admin/uploads")
    assert released.status_code == 303
    assert "is released and readable again" in (await client.get("/admin/uploads")).text
    deleted = await submit(client, f"/admin/uploads/{second['id']}/delete", {"reason": "Bad"}, page="/admin/uploads")
    assert deleted.status_code == 303
    after = await client.get("/admin/uploads")
    assert "The file is deleted." in after.text
    assert "No file is quarantined." in after.text
    assert [action for action, _, _ in await audit_actions(runtime)] == ["upload.release", "upload.delete"]
