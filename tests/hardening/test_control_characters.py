"""Control characters in any input: never a server error, never stored.

A NUL in text was a 500 on PostgreSQL ("invalid byte sequence for encoding UTF8: 0x00") in
nineteen request types, seven of them anonymous; these are those requests.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import select

from hiremebahamas.core.runtime import Runtime
from hiremebahamas.core.text import clean_line, clean_text
from hiremebahamas.models import Comment, Message, Post, Profile, Report, User
from tests.messaging.people import member

NUL = "\u0000"


def test_text_loses_controls_and_keeps_line_breaks() -> None:
    assert clean_text("a\x00b\x07c\x1bd\x7fe\x85f") == "abcdef"
    assert clean_text("one\r\ntwo\rthree\n\tfour") == "one\ntwo\nthree\n\tfour"
    assert clean_text("evil\u202egnp.exe \u2066x\u2069") == "evilgnp.exe x"


def test_a_line_has_no_breaks_and_invisible_is_empty() -> None:
    assert clean_line("Ann\r\nRolle\tJr") == "Ann Rolle Jr"
    assert clean_line("\u200b\u200d\ufeff \u2060") == ""
    assert clean_line("\u200bAnn") == "\u200bAnn"  # visible text stays as typed


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


async def test_registration_with_nul_registers_the_clean_address(client: httpx.AsyncClient, runtime: Runtime) -> None:
    body = {
        "email": f"ann{NUL}@example.com",
        "password": "coral-reef-sunrise-42",
        "first_name": f"A{NUL}nn\u202e",
        "last_name": "Rolle\r\n",
        "account_type": "job_seeker",
    }
    response = await client.post("/api/auth/register", json=body)
    assert response.status_code == 201, response.text
    async with runtime.database.sessionmaker() as session:
        user = (await session.execute(select(User))).scalar_one()
    assert (user.email, user.first_name, user.last_name) == ("ann@example.com", "Ann", "Rolle")


async def test_zero_width_names_are_refused(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(runtime, "Ann")
    response = await client.patch("/api/users/me", json={"first_name": "\u200b\u200b"}, headers=ann.headers)
    assert response.status_code == 422, response.text
    assert "first_name" in response.json()["error"]["fields"]


async def test_signed_in_writes_with_controls_store_clean_text(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann, bob = await member(runtime, "Ann"), await member(runtime, "Bob")
    profile = {"headline": f"Chef{NUL}\r\nBaker", "bio": f"Line one{NUL}\r\nLine two\x1b"}
    response = await client.patch("/api/users/me", json=profile, headers=ann.headers)
    assert response.status_code == 200, response.text

    post = await client.post("/api/posts", json={"body": f"Hello{NUL}\nworld"}, headers=ann.headers)
    assert post.status_code == 201, post.text
    post_id = post.json()["post"]["id"]
    comment = await client.post(f"/api/posts/{post_id}/comments", json={"body": f"Nice{NUL}"}, headers=bob.headers)
    assert comment.status_code == 201, comment.text
    started = await client.post(
        "/api/conversations", json={"recipient": ann.username, "body": f"Hi{NUL}\r\nAnn"}, headers=bob.headers
    )
    assert started.status_code == 201, started.text
    report = {"target_type": "post", "target_id": post_id, "reason": f"Spam{NUL}\u202e"}
    reported = await client.post("/api/reports", json=report, headers=bob.headers)
    assert reported.status_code in (201, 200), reported.text

    async with runtime.database.sessionmaker() as session:
        stored_profile = (await session.execute(select(Profile).where(Profile.user_id == ann.id))).scalar_one()
        assert (stored_profile.headline, stored_profile.bio) == ("Chef Baker", "Line one\nLine two")
        assert (await session.execute(select(Post.body))).scalar_one() == "Hello\nworld"
        assert (await session.execute(select(Comment.body))).scalar_one() == "Nice"
        assert (await session.execute(select(Message.body))).scalar_one() == "Hi\nAnn"
        assert (await session.execute(select(Report.reason))).scalar_one() == "Spam"


async def test_page_forms_with_nul_do_not_fail(client: httpx.AsyncClient, runtime: Runtime) -> None:
    from tests.helpers import submit

    response = await submit(client, "/login", {"email": f"ann{NUL}@example.com", "password": "whatever-it-is"})
    assert response.status_code < 500
    assert "Something went wrong" not in response.text
