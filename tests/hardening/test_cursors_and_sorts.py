"""Tampered cursors and sort orders without the words they rank by: 422 or a page, never a 500."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import datetime

import httpx
import pytest

from hiremebahamas.core.cursors import decode_cursor, encode_cursor
from hiremebahamas.core.errors import ValidationFailed
from hiremebahamas.core.runtime import Runtime
from tests.messaging.people import member


def _raw(values: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


NAIVE = "2026-11-30T12:00:00"
AWARE = "2026-11-30T12:00:00+00:00"
SOME_ID = str(uuid.uuid4())
TAMPERED = [
    "not-base64!!",
    _raw({"a": 1}),
    _raw([AWARE]),
    _raw([NAIVE, SOME_ID]),
    _raw([AWARE, "not-a-uuid"]),
    _raw([[1], SOME_ID]),
    _raw([True, NAIVE, SOME_ID]),
    _raw([0, NAIVE, SOME_ID]),
    _raw(["newest", 0, NAIVE, SOME_ID]),
    _raw(["salary", 0, "lots", SOME_ID]),
    _raw(["relevance", 0, None, SOME_ID]),
    base64.urlsafe_b64encode(b"\xff\xfe").decode(),
]


def test_the_codec_round_trips_and_refuses_what_it_did_not_make() -> None:
    at = datetime.fromisoformat(AWARE)
    assert decode_cursor(encode_cursor(3, at, uuid.UUID(SOME_ID)), int, datetime, uuid.UUID) == (
        3,
        at,
        uuid.UUID(SOME_ID),
    )
    for cursor in TAMPERED:
        with pytest.raises(ValidationFailed):
            decode_cursor(cursor, int, datetime, uuid.UUID)


@pytest.mark.parametrize(
    "path",
    ["/api/feed", "/api/talent", "/api/talent?q=chef", "/api/jobs", "/api/jobs?sort=salary", "/api/notifications"],
)
async def test_every_list_turns_a_tampered_cursor_into_422(
    client: httpx.AsyncClient, runtime: Runtime, path: str
) -> None:
    ann = await member(runtime, "Ann")
    for cursor in TAMPERED:
        response = await client.get(path, params={"cursor": cursor}, headers=ann.headers)
        assert response.status_code == 422, (cursor, response.text)
        assert response.json()["error"]["fields"] == {"cursor": "Not a cursor from this list."}


@pytest.mark.parametrize("path", ["/api/talent?sort=best", "/talent?sort=best", "/api/talent?sort=best&q=%20"])
async def test_best_match_without_words_is_newest_first(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 200, response.text


async def test_a_talent_page_cursor_from_best_match_without_words_works(client: httpx.AsyncClient) -> None:
    first = await client.get("/api/talent", params={"sort": "best", "limit": 1})
    assert first.status_code == 200, first.text
    cursor = encode_cursor(0, datetime.fromisoformat(AWARE), uuid.UUID(SOME_ID))
    second = await client.get("/api/talent", params={"sort": "best", "cursor": cursor})
    assert second.status_code == 200, second.text


@pytest.mark.parametrize("query", ["=null", "cursor=&=1", "limit=5&=x"])
async def test_a_parameter_without_a_name_is_a_bad_address(
    client: httpx.AsyncClient, runtime: Runtime, query: str
) -> None:
    ann = await member(runtime, "Ann")
    for path in ("/api/feed", "/api/conversations", "/api/jobs"):
        response = await client.get(f"{path}?{query}", headers=ann.headers)
        assert response.status_code == 400, (path, response.text)
        assert "without a name" in response.json()["error"]["message"]
    assert (await client.get("/api/feed?cursor=", headers=ann.headers)).status_code == 200  # a blank value is fine
