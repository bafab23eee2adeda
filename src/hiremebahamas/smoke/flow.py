"""The signed-in part of `hiremebahamas smoke URL`: a member's whole path on a deployed instance,
with two throwaway accounts that the staff API verifies and then deletes.

Given an admin's access token (SMOKE_STAFF_TOKEN, never a command-line argument, which shells
and process lists keep), it registers two job seekers under `--email-domain` (example.com by
default: nothing is delivered there), marks their emails verified through the staff API, signs
both in, posts as one and reads the post as the other, uploads a profile picture, sends a
message that the other receives live on /ws, subscribes to Pro (paid through the embedded
checkout when the instance runs without Stripe; with Stripe, only the checkout session is
opened, since paying needs a browser) and at last deletes both accounts through the staff API
(signed out and hidden at once, erased after the grace period), also when a step failed.
"""

from __future__ import annotations

import asyncio
import io
import json
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx
import websockets
from PIL import Image

from hiremebahamas.smoke.checks import Skipped, expect

REASON = "Throwaway account of the post-deploy smoke test."
LIVE_WAIT_SECONDS = 10.0
# Reads of what someone else wrote may come from a replica: a few seconds behind at most
# (DATABASE_REPLICA_MAX_LAG_SECONDS takes a slower one out of the rotation).
REPLICA_TRIES, REPLICA_WAIT_SECONDS = 10, 0.5


@dataclass
class Member:
    email: str
    password: str
    username: str = ""
    token: str = ""

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class SignedInFlow:
    base_url: str
    client: httpx.AsyncClient
    staff_token: str
    email_domain: str = "example.com"
    members: list[Member] = field(default_factory=list)
    # Nothing is made unless the token can delete it again.
    staff_ok: bool = False

    def url(self, path: str) -> str:
        return urljoin(self.base_url.rstrip("/") + "/", path.lstrip("/"))

    @property
    def staff(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.staff_token}"}

    async def _read_back(self, path: str, member: Member, found: Callable[[httpx.Response], bool]) -> bool:
        """Whether `member` reads `path` answered 200 and `found` within a few seconds: what
        someone else wrote may be read from a replica a moment behind."""
        for _ in range(REPLICA_TRIES):
            response = await self.client.get(self.url(path), headers=member.headers)
            if response.status_code == 200 and found(response):
                return True
            await asyncio.sleep(REPLICA_WAIT_SECONDS)
        return False

    def _pair(self) -> tuple[Member, Member]:
        if len(self.members) < 2 or not all(member.token for member in self.members):
            raise Skipped("needs the two throwaway accounts signed in")
        return self.members[0], self.members[1]

    async def staff_access(self) -> str:
        response = await self.client.get(self.url("/api/admin/users?q=smoke-"), headers=self.staff)
        expect(response.status_code == 200, f"the staff API answered {response.status_code} to SMOKE_STAFF_TOKEN")
        self.staff_ok = True
        return "SMOKE_STAFF_TOKEN may use the staff API"

    async def sign_up(self) -> str:
        if not self.staff_ok:
            raise Skipped("needs a staff token that works, to delete what it makes")
        run = secrets.token_hex(4)
        for side in ("a", "b"):
            member = Member(f"smoke-{run}-{side}@{self.email_domain}", secrets.token_urlsafe(18))
            body = {
                "email": member.email,
                "password": member.password,
                "first_name": "Smoke",
                "last_name": f"Test {side.upper()}",
                "account_type": "job_seeker",
                "accept_terms": True,
            }
            response = await self.client.post(self.url("/api/auth/register"), json=body)
            expect(response.status_code == 201, f"registering answered {response.status_code}: {response.text[:200]}")
            member.username = str(response.json()["user"]["username"])
            self.members.append(member)
        return f"{self.members[0].username} and {self.members[1].username}"

    async def verify(self) -> str:
        if len(self.members) < 2:
            raise Skipped("needs the two throwaway accounts")
        for member in self.members:
            path = f"/api/admin/users/{member.username}/verify-email"
            response = await self.client.post(self.url(path), headers=self.staff)
            expect(response.status_code == 200, f"verifying {member.username} answered {response.status_code}")
        return "both marked verified through the staff API"

    async def log_in(self) -> str:
        if len(self.members) < 2:
            raise Skipped("needs the two throwaway accounts")
        for member in self.members:
            body = {"email": member.email, "password": member.password}
            response = await self.client.post(self.url("/api/auth/login"), json=body)
            expect(response.status_code == 200, f"signing {member.username} in answered {response.status_code}")
            member.token = str(response.json()["access_token"])
        return "both signed in"

    async def post(self) -> str:
        author, reader = self._pair()
        body = {"body": "Smoke test after a deploy: this post is deleted with its account."}
        response = await self.client.post(self.url("/api/posts"), json=body, headers=author.headers)
        expect(response.status_code == 201, f"posting answered {response.status_code}: {response.text[:200]}")
        post_id = str(response.json()["post"]["id"])
        read = await self._read_back(f"/api/posts/{post_id}", reader, lambda post: post_id in post.text)
        expect(read, "the other member does not find the post")
        return f"post {post_id} written and read by the other member"

    async def upload(self) -> str:
        member, _ = self._pair()
        picture = io.BytesIO()
        Image.new("RGB", (64, 64), (0, 119, 182)).save(picture, format="PNG")
        files = {"file": ("smoke.png", picture.getvalue(), "image/png")}
        response = await self.client.post(
            self.url("/api/uploads"), data={"purpose": "avatar"}, files=files, headers=member.headers
        )
        expect(response.status_code == 201, f"uploading answered {response.status_code}: {response.text[:200]}")
        stored = await self.client.get(self.url(str(response.json()["url"])), headers=member.headers)
        expect(stored.status_code == 200, f"the uploaded picture answered {stored.status_code}")
        return f"profile picture stored, {len(stored.content)} bytes served back"

    async def message(self) -> str:
        sender, recipient = self._pair()
        parts = urlsplit(self.base_url)
        ws_url = urlunsplit(("wss" if parts.scheme == "https" else "ws", parts.netloc, "/ws", "", ""))
        text = f"Smoke test message {secrets.token_hex(3)}"
        async with websockets.connect(ws_url, subprotocols=["bearer", recipient.token], open_timeout=10) as socket:  # type: ignore[list-item]
            body = {"recipient": recipient.username, "body": text}
            response = await self.client.post(self.url("/api/conversations"), json=body, headers=sender.headers)
            sent = response.status_code in (200, 201)
            expect(sent, f"sending answered {response.status_code}: {response.text[:200]}")
            await asyncio.wait_for(_receive_message(socket, text), timeout=LIVE_WAIT_SECONDS)
        in_inbox = await self._read_back("/api/conversations", recipient, lambda inbox: text in inbox.text)
        expect(in_inbox, "the message is not in the recipient's inbox")
        return "sent, received live on /ws and in the inbox"

    async def subscribe(self) -> str:
        member, _ = self._pair()
        body = {"tier": "pro", "interval": "month"}
        response = await self.client.post(self.url("/api/subscriptions/checkout"), json=body, headers=member.headers)
        expect(response.status_code == 200, f"checkout answered {response.status_code}: {response.text[:200]}")
        checkout = str(response.json()["url"])
        if urlsplit(checkout).netloc not in ("", urlsplit(self.base_url).netloc):
            raise Skipped(f"Stripe checkout opened at {urlsplit(checkout).netloc}; paying it needs a browser")
        paid = await self.client.post(self.url(checkout), headers=member.headers)
        expect(paid.status_code in (200, 303), f"paying the embedded checkout answered {paid.status_code}")
        plan = await self.client.get(self.url("/api/subscriptions/me"), headers=member.headers)
        tier = plan.json().get("tier") if plan.status_code == 200 else None
        expect(tier == "pro", f"after paying the plan is {tier!r}, not pro")
        return "Pro through the embedded checkout"

    async def clean_up(self) -> str:
        if not self.members:
            raise Skipped("no throwaway account was made")
        problems = []
        for member in self.members:
            path = f"/api/admin/users/{member.username}/delete"
            response = await self.client.post(self.url(path), json={"reason": REASON}, headers=self.staff)
            if response.status_code != 202:
                problems.append(f"deleting {member.username} answered {response.status_code}")
                continue
            body = {"email": member.email, "password": member.password}
            again = await self.client.post(self.url("/api/auth/login"), json=body)
            if again.status_code == 200:
                problems.append(f"{member.username} can still sign in after its deletion")
        expect(not problems, "; ".join(problems))
        return f"{len(self.members)} accounts deleted (signed out and hidden now, erased after the grace period)"

    def checks(self) -> list[tuple[str, Callable[[], Awaitable[str]]]]:
        """In order; the last cleans up whatever the others did."""
        return [
            ("staff token", self.staff_access),
            ("sign up", self.sign_up),
            ("verify (staff API)", self.verify),
            ("log in", self.log_in),
            ("post and read", self.post),
            ("upload", self.upload),
            ("message, live", self.message),
            ("subscribe", self.subscribe),
            ("clean up", self.clean_up),
        ]


async def _receive_message(socket: websockets.ClientConnection, text: str) -> None:
    while True:
        frame = json.loads(await socket.recv())
        if frame.get("type") == "message.created" and text in json.dumps(frame.get("data")):
            return
        if frame.get("type") == "ping":
            await socket.send(json.dumps({"type": "pong", "data": {}}))
