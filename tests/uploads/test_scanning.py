"""Virus scanning of uploads against a real clamd (tests/servers.py) that knows one signature:
the EICAR test string, anywhere in a file. On both database engines."""

from __future__ import annotations

import asyncio
import logging
import re
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from hiremebahamas.config import Settings
from hiremebahamas.core.runtime import Runtime
from hiremebahamas.models import ScanStatus, ScheduledRun, Upload
from hiremebahamas.uploads.rescan import RUN_NAME, rescan_uploads
from hiremebahamas.uploads.tasks import scan_held_upload
from tests.conftest import make_settings
from tests.helpers import Account, page_csrf
from tests.profiles.factory import member
from tests.profiles.test_views import log_in
from tests.servers import ClamdServer
from tests.uploads.files import EICAR, EICAR_FOUND, TEST_SIGNATURES, docx, pdf, picture, upload
from tests.uploads.test_api import account, make_admin, upload_rows


@pytest.fixture
def settings(database_url: str, tmp_path: Path, clamd: ClamdServer) -> Settings:
    return make_settings(database_url=database_url, var_dir=tmp_path / "var", clamav_url=clamd.url)


@pytest.fixture
def clamd_stopped(clamd: ClamdServer) -> Iterator[ClamdServer]:
    """clamd stopped for the test (and started again after it, whatever happened)."""
    clamd.pause()
    try:
        yield clamd
    finally:
        clamd.resume()


async def stored(runtime: Runtime, upload_id: str) -> Upload:
    async with runtime.database.sessionmaker() as session:
        found = await session.get(Upload, uuid.UUID(upload_id))
        assert found is not None
        return found


def stored_files(settings: Settings) -> list[Path]:
    root = settings.var_dir / "uploads"
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def metric(text: str, name: str, **labels: str) -> float:
    """The sample of `name` with `labels` in a /metrics answer; 0 before the first."""
    for line in text.splitlines():
        if line.startswith(f"{name}{{") and all(f'{key}="{value}"' in line for key, value in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


# --- at upload -----------------------------------------------------------------------------------


async def test_eicar_inside_a_pdf_and_a_docx_is_refused_and_nothing_is_stored(
    client: httpx.AsyncClient, runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    ann = await account(client, runtime)
    before = metric((await client.get("/metrics")).text, "hmb_uploads_infected_total", purpose="cv", stage="upload")
    infected = [(pdf(EICAR), "cv.pdf"), (docx(text=EICAR.decode()), "cv.docx")]
    with caplog.at_level(logging.WARNING, logger="hiremebahamas.uploads.scanning"):
        for data, filename in infected:
            response = await upload(client, ann, data, "cv", filename)
            assert response.status_code == 422, response.text
            error = response.json()["error"]
            message = f"This file was not saved: our virus scanner found {EICAR_FOUND} in it."
            assert error == {"code": "validation_error", "message": message, "fields": {"file": message}}
    assert await upload_rows(runtime) == 0
    assert stored_files(runtime.settings) == []
    after = metric((await client.get("/metrics")).text, "hmb_uploads_infected_total", purpose="cv", stage="upload")
    assert after == before + 2
    refusals = [record for record in caplog.records if record.getMessage() == "infected upload refused"]
    assert len(refusals) == 2
    for record in refusals:
        assert record.__dict__["signature"] == EICAR_FOUND
        assert record.__dict__["purpose"] == "cv"
        assert EICAR.decode() not in caplog.text  # the log names the file's kind, never its content


async def test_an_infected_picture_is_refused_before_it_is_decoded(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await account(client, runtime)
    response = await upload(client, ann, picture("JPEG", (40, 30)) + EICAR, "post_image", "photo.jpg")
    assert response.status_code == 422, response.text
    assert EICAR_FOUND in response.json()["error"]["fields"]["file"]
    assert await upload_rows(runtime) == 0


async def test_clean_files_are_stored_as_scanned_with_clamds_signatures(
    client: httpx.AsyncClient, runtime: Runtime, clamd: ClamdServer
) -> None:
    ann = await account(client, runtime)
    version = f"/{clamd.version}/"
    files = [(pdf(b"A CV"), "cv", "cv.pdf"), (docx(), "cv", "cv.docx"), (picture(), "avatar", "me.jpg")]
    for data, purpose, filename in files:
        response = await upload(client, ann, data, purpose, filename)
        assert response.status_code == 201, response.text
        row = await stored(runtime, response.json()["id"])
        assert row.scan_status is ScanStatus.CLEAN
        assert row.scanned_with is not None
        assert row.scanned_with.startswith("ClamAV ")
        assert version in row.scanned_with
        assert (await client.get(response.json()["url"], headers=ann.headers)).status_code == 200


async def test_the_profile_picture_form_says_why_an_infected_file_was_refused(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    await log_in(client, await member(runtime, "ann"))
    token = await page_csrf(client, "/profile/edit")
    files = {"avatar": ("me.jpg", picture("JPEG", (40, 30)) + EICAR, "image/jpeg")}
    response = await client.post("/profile/avatar", data={"csrf_token": token}, files=files)
    assert response.status_code == 422
    assert f"our virus scanner found {EICAR_FOUND} in it" in response.text
    assert re.search(r'id="field-avatar"[^>]*aria-invalid="true"', response.text)
    assert await upload_rows(runtime) == 0


# --- clamd unreachable ---------------------------------------------------------------------------


async def test_with_clamd_stopped_cvs_are_refused_and_pictures_held_until_a_scan_passes(
    client: httpx.AsyncClient, runtime: Runtime, clamd_stopped: ClamdServer
) -> None:
    ann, bob, root = [await account(client, runtime, name) for name in ("ann", "bob", "root")]
    await make_admin(runtime, "root@example.com")

    refused = await upload(client, ann, pdf(b"A CV"), "cv", "cv.pdf")
    assert refused.status_code == 503, refused.text
    assert refused.json()["error"]["code"] == "scanner_unavailable"
    assert "try again later" in refused.json()["error"]["message"]
    assert refused.headers["retry-after"] == "60"
    assert await upload_rows(runtime) == 0

    held = await upload(client, ann, picture(), "post_image", "photo.jpg")
    assert held.status_code == 201, held.text
    body = held.json()
    row = await stored(runtime, body["id"])
    assert (row.scan_status, row.scanned_with) == (ScanStatus.PENDING, None)
    own = await client.get(body["url"], headers=ann.headers)
    assert own.status_code == 200
    assert own.headers["cache-control"] == "private, no-cache"  # never kept by a shared cache while held
    assert (await client.get(body["url"], headers=root.headers)).status_code == 200
    for viewer in (bob.headers, {}):
        assert (await client.get(body["url"], headers=viewer)).status_code == 404
        assert (await client.get(body["thumbnail_url"], headers=viewer)).status_code == 404

    # The scan queued at upload failed (clamd is down); the periodic run scans it once clamd is back.
    await runtime.tasks.drain()
    assert await rescan_uploads(runtime.tasks.context) == 0
    assert (await stored(runtime, body["id"])).scan_status is ScanStatus.PENDING
    clamd_stopped.resume()
    assert await rescan_uploads(runtime.tasks.context) == 0
    row = await stored(runtime, body["id"])
    assert row.scan_status is ScanStatus.CLEAN
    assert row.scanned_with is not None
    shown = await client.get(body["url"], headers=bob.headers)
    assert shown.status_code == 200
    assert shown.headers["cache-control"] == "public, max-age=31536000, immutable"


async def test_a_held_picture_is_scanned_by_its_queued_task_once_clamd_answers(
    client: httpx.AsyncClient, runtime: Runtime, clamd: ClamdServer
) -> None:
    ann = await account(client, runtime)
    clamd.pause()
    try:
        held = await upload(client, ann, picture(), "avatar", "me.jpg")
        assert held.status_code == 201, held.text
        await runtime.tasks.drain()
    finally:
        clamd.resume()
    assert (await stored(runtime, held.json()["id"])).scan_status is ScanStatus.PENDING
    await scan_held_upload(runtime.tasks.context, upload_id=held.json()["id"])
    assert (await stored(runtime, held.json()["id"])).scan_status is ScanStatus.CLEAN


@pytest.fixture
async def silent_clamd() -> AsyncIterator[str]:
    """A listener on loopback that accepts connections and never answers: a hung clamd."""
    server = await asyncio.start_server(lambda reader, writer: None, "127.0.0.1", 0)
    sockets: list[socket.socket] = list(server.sockets)
    port = sockets[0].getsockname()[1]
    try:
        yield f"tcp://127.0.0.1:{port}"
    finally:
        server.close()


async def test_a_clamd_that_does_not_answer_in_time_counts_as_unreachable(
    client: httpx.AsyncClient, runtime: Runtime, silent_clamd: str
) -> None:
    runtime.settings.clamav_url = silent_clamd
    runtime.settings.clamav_timeout_seconds = 0.3
    ann = await account(client, runtime)
    response = await upload(client, ann, docx(), "cv", "cv.docx")
    assert response.status_code == 503, response.text
    assert response.json()["error"]["code"] == "scanner_unavailable"
    metrics = (await client.get("/metrics")).text
    assert metric(metrics, "hmb_upload_scanner_unavailable_total", purpose="cv", outcome="refused") >= 1
    assert await upload_rows(runtime) == 0


async def test_refuse_and_hold_follow_the_settings(
    client: httpx.AsyncClient, runtime: Runtime, clamd_stopped: ClamdServer
) -> None:
    runtime.settings.clamav_unavailable_documents = "hold"
    runtime.settings.clamav_unavailable_pictures = "refuse"
    ann = await account(client, runtime)
    assert (await upload(client, ann, picture(), "avatar", "me.jpg")).status_code == 503
    held = await upload(client, ann, pdf(b"A CV"), "cv", "cv.pdf")
    assert held.status_code == 201, held.text
    assert (await stored(runtime, held.json()["id"])).scan_status is ScanStatus.PENDING


# --- re-scans ------------------------------------------------------------------------------------


async def accepted_before_the_signature(client: httpx.AsyncClient, runtime: Runtime, owner: Account) -> dict[str, str]:
    response = await upload(client, owner, pdf(EICAR), "cv", "cv.pdf")
    assert response.status_code == 201, response.text
    body: dict[str, str] = response.json()
    return body


async def test_a_rescan_after_new_signatures_quarantines_a_stored_file(
    client: httpx.AsyncClient, runtime: Runtime, signatures_without_eicar: ClamdServer
) -> None:
    ann, root = await account(client, runtime, "ann"), await account(client, runtime, "root")
    await make_admin(runtime, "root@example.com")
    cv = await accepted_before_the_signature(client, runtime, ann)
    clean = await upload(client, ann, docx(), "cv", "clean.docx")
    assert (await client.get(cv["url"], headers=ann.headers)).status_code == 200
    context = runtime.tasks.context

    # The same signatures: one complete pass, recorded; the next run has nothing to do.
    assert await rescan_uploads(context) == 0
    async with runtime.database.sessionmaker() as session:
        passes = (await session.execute(select(ScheduledRun).where(ScheduledRun.name == RUN_NAME))).scalars().all()
    assert len(passes) == 1

    version = signatures_without_eicar.load_signatures(TEST_SIGNATURES)  # freshclam brought EICAR
    assert await rescan_uploads(context) == 1
    row = await stored(runtime, cv["id"])
    assert (row.scan_status, row.signature, row.scanned_with) == (ScanStatus.QUARANTINED, EICAR_FOUND, version)
    assert row.quarantined_at is not None
    other = await stored(runtime, clean.json()["id"])
    assert (other.scan_status, other.scanned_with) == (ScanStatus.CLEAN, version)

    assert (await client.get(cv["url"], headers=ann.headers)).status_code == 404  # its owner too
    assert (await client.get(cv["url"])).status_code == 303  # a file: log in first, then 404
    staff_view = await client.get(cv["url"], headers=root.headers)
    assert staff_view.status_code == 200
    assert staff_view.headers["cache-control"] == "private, no-store"
    metrics = (await client.get("/metrics")).text
    assert metric(metrics, "hmb_uploads_infected_total", purpose="cv", stage="rescan") >= 1
    assert await rescan_uploads(context) == 0  # done once per signature database


async def test_a_rescan_goes_through_more_than_one_batch(
    client: httpx.AsyncClient, runtime: Runtime, signatures_without_eicar: ClamdServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("hiremebahamas.uploads.rescan.BATCH", 2)
    ann = await account(client, runtime)
    ids = [(await accepted_before_the_signature(client, runtime, ann))["id"] for _ in range(5)]
    signatures_without_eicar.load_signatures(TEST_SIGNATURES)
    assert await rescan_uploads(runtime.tasks.context) == 5
    for upload_id in ids:
        assert (await stored(runtime, upload_id)).scan_status is ScanStatus.QUARANTINED


async def test_a_rescan_with_clamd_stopped_changes_nothing_and_runs_again_later(
    client: httpx.AsyncClient, runtime: Runtime, signatures_without_eicar: ClamdServer
) -> None:
    ann = await account(client, runtime)
    cv = await accepted_before_the_signature(client, runtime, ann)
    signatures_without_eicar.load_signatures(TEST_SIGNATURES)
    signatures_without_eicar.pause()
    try:
        assert await rescan_uploads(runtime.tasks.context) == 0
        assert (await stored(runtime, cv["id"])).scan_status is ScanStatus.CLEAN
        async with runtime.database.sessionmaker() as session:
            assert (await session.execute(select(ScheduledRun))).first() is None  # no pass recorded
    finally:
        signatures_without_eicar.resume()
    assert await rescan_uploads(runtime.tasks.context) == 1
    assert (await stored(runtime, cv["id"])).scan_status is ScanStatus.QUARANTINED
