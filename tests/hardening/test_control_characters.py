"""Control characters in any input: never a server error, never stored: a body carrying one is
refused, naming the field; a form cleans it away.

A NUL in text was a 500 on PostgreSQL ("invalid byte sequence for encoding UTF8: 0x00") in
nineteen request types, seven of them anonymous; these are those requests.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import Field, ValidationError
from sqlalchemy import select

from hiremebahamas.core.runtime import Runtime
from hiremebahamas.core.text import TEXT_PATTERN, InputModel, MultiLine, clean_line, clean_text
from hiremebahamas.models import Comment, Message, Post, Profile, Report, User
from tests.messaging.people import member

NUL = "\u0000"


def test_form_text_loses_controls_and_keeps_line_breaks() -> None:
    assert clean_text("a\x00b\x07c\x1bd\x7fe\x85f") == "abcdef"
    assert clean_text("one\r\ntwo\rthree\n\tfour") == "one\ntwo\nthree\n\tfour"
    assert clean_text("evil\u202egnp.exe \u2066x\u2069") == "evilgnp.exe x"


def test_a_line_has_no_breaks_and_invisible_is_empty() -> None:
    assert clean_line(" Ann\r\nRolle\tJr ") == "Ann Rolle Jr"
    assert clean_line("\u200b\u200d\ufeff \u2060") == ""
    assert clean_line("\u200bAnn") == "\u200bAnn"  # visible text stays as typed


class _Named(InputModel):
    name: Annotated[str, Field(min_length=2, max_length=8)]
    note: MultiLine = ""


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=12))
def test_the_schema_states_exactly_what_a_text_field_accepts(text: str) -> None:
    """What the published pattern and lengths allow is what validation accepts, for any text,
    so a client that checks against the schema is never surprised."""
    stated = _Named.model_json_schema()["properties"]["name"]
    allowed = bool(re.search(stated["pattern"], text)) and stated["minLength"] <= len(text) <= stated["maxLength"]
    try:
        _Named(name=text)
    except ValidationError:
        accepted = False
    else:
        accepted = True
    assert accepted == allowed
    assert _Named.model_json_schema()["properties"]["note"]["pattern"] == TEXT_PATTERN


def test_kept_text_is_tidied_after_its_checks() -> None:
    kept = _Named(name=" Ann\tRo ", note="one\r\ntwo")
    assert (kept.name, kept.note) == ("Ann Ro", "one\ntwo")
    with pytest.raises(ValidationError, match="U\\+202E"):
        _Named(name="evil\u202egnp")


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/api/auth/login", {"email": f"ann{NUL}@example.com", "password": "x"}),
        ("POST", "/api/auth/password-reset/request", {"email": f"ann{NUL}@example.com"}),
        ("GET", "/api/users/%00", None),
        ("GET", "/api/companies/%00", None),
        ("GET", "/api/talent?q=%00", None),
        ("GET", "/api/jobs?q=a%00b", None),
        ("GET", "/talent?q=%00", None),
        ("GET", "/jobs?q=%00", None),
        ("GET", "/u/ann%00", None),
    ],
)
async def test_anonymous_requests_with_nul_are_refused_clearly(
    client: httpx.AsyncClient, method: str, path: str, body: dict[str, Any] | None
) -> None:
    response = await client.request(method, path, json=body)
    assert response.status_code < 500, response.text
    assert response.status_code != 200 or path.startswith("/api/auth")
    if path.startswith("/api/") and response.status_code == 400:
        assert response.json()["error"]["code"] == "bad_request"
        assert "control characters" in response.json()["error"]["message"]


async def test_registration_with_nul_is_refused_naming_the_fields(client: httpx.AsyncClient, runtime: Runtime) -> None:
    body = {
        "email": f"ann{NUL}@example.com",
        "password": "coral-reef-sunrise-42",
        "first_name": f"A{NUL}nn\u202e",
        "last_name": "Rolle\r\n",
        "account_type": "job_seeker",
    }
    response = await client.post("/api/auth/register", json=body)
    assert response.status_code == 422, response.text
    assert set(response.json()["error"]["fields"]) == {"email", "first_name"}
    assert "U+0000" in response.json()["error"]["fields"]["first_name"]

    clean = {**body, "email": "ann@example.com", "first_name": " Ann "}
    assert (await client.post("/api/auth/register", json=clean)).status_code == 201
    async with runtime.database.sessionmaker() as session:
        user = (await session.execute(select(User))).scalar_one()
    assert (user.email, user.first_name, user.last_name) == ("ann@example.com", "Ann", "Rolle")


async def test_zero_width_names_are_refused(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(runtime, "Ann")
    response = await client.patch("/api/users/me", json={"first_name": "\u200b\u200b"}, headers=ann.headers)
    assert response.status_code == 422, response.text
    assert "first_name" in response.json()["error"]["fields"]


async def test_signed_in_writes_with_controls_are_refused_and_store_nothing(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    ann, bob = await member(runtime, "Ann"), await member(runtime, "Bob")
    post = await client.post("/api/posts", json={"body": "Hello\r\nworld"}, headers=ann.headers)
    assert post.status_code == 201, post.text
    post_id = post.json()["post"]["id"]
    writes: list[tuple[str, dict[str, Any], str, dict[str, str]]] = [
        ("PATCH", {"headline": f"Chef{NUL}Baker"}, "/api/users/me", ann.headers),
        ("PATCH", {"bio": "Line one\r\nLine two\x1b"}, "/api/users/me", ann.headers),
        ("POST", {"body": f"Hello{NUL}"}, "/api/posts", ann.headers),
        ("POST", {"body": f"Nice{NUL}"}, f"/api/posts/{post_id}/comments", bob.headers),
        ("POST", {"recipient": ann.username, "body": f"Hi{NUL}"}, "/api/conversations", bob.headers),
        ("POST", {"target_type": "post", "target_id": post_id, "reason": "Spam\u202e"}, "/api/reports", bob.headers),
    ]
    for method, body, path, headers in writes:
        response = await client.request(method, path, json=body, headers=headers)
        assert response.status_code == 422, (path, response.text)
        field = next(name for name in body if name not in ("recipient", "target_type", "target_id"))
        assert "control character" in response.json()["error"]["fields"][field]

    profile = {"headline": "Chef\r\nBaker ", "bio": "Line one\r\nLine two"}
    assert (await client.patch("/api/users/me", json=profile, headers=ann.headers)).status_code == 200
    async with runtime.database.sessionmaker() as session:
        stored_profile = (await session.execute(select(Profile).where(Profile.user_id == ann.id))).scalar_one()
        assert (stored_profile.headline, stored_profile.bio) == ("Chef Baker", "Line one\nLine two")
        assert (await session.execute(select(Post.body))).scalar_one() == "Hello\nworld"
        for model in (Comment, Message, Report):
            assert (await session.execute(select(model))).first() is None


async def test_page_forms_with_nul_do_not_fail(client: httpx.AsyncClient, runtime: Runtime) -> None:
    from tests.helpers import submit

    response = await submit(client, "/login", {"email": f"ann{NUL}@example.com", "password": "whatever-it-is"})
    assert response.status_code < 500
    assert "Something went wrong" not in response.text
