"""The public checks of `hiremebahamas smoke URL`: what anyone may read, and nothing written.

Health and readiness, TLS and HSTS (for an https URL), the security headers, a job search and a
job page with its JSON-LD, the sitemap, a versioned static file's caching, the live-event
WebSocket's handshake, and the Stripe webhook refusing an unsigned call. A check with nothing to
look at (no open job yet, a plain-http URL) says so as "skip", which is not a failure.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx
import websockets
from websockets.exceptions import ConnectionClosed, InvalidStatus

Outcome = Literal["pass", "fail", "skip"]
# A year: what browsers' preload lists ask of HSTS, and what the app sends.
HSTS_MIN_AGE = 31_536_000
_JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.DOTALL)
_STATIC = re.compile(r'(?:href|src)="(/static/[^"?]+\?v=[^"]+)"')
# The close code /ws answers an anonymous connection with (realtime/ws.py).
_NOT_SIGNED_IN = 4401


@dataclass(frozen=True)
class Result:
    check: str
    outcome: Outcome
    detail: str


class Failed(Exception):
    """A check's finding that fails it."""


class Skipped(Exception):
    """A check with nothing to look at here."""


class Smoke:
    def __init__(self, base_url: str, client: httpx.AsyncClient) -> None:
        self.base_url = base_url.rstrip("/")
        self.client = client
        self.job_url: str | None = None

    async def get(self, path: str) -> httpx.Response:
        return await self.client.get(urljoin(self.base_url + "/", path.lstrip("/")))

    async def health(self) -> str:
        response = await self.get("/health")
        expect(response.status_code == 200, f"/health answered {response.status_code}")
        return "200"

    async def ready(self) -> str:
        response = await self.get("/ready")
        body = response.json() if response.headers.get("content-type", "").startswith("application/json") else {}
        expect(response.status_code == 200, f"/ready answered {response.status_code}: {body.get('checks', body)}")
        checks = ", ".join(f"{name} {state}" for name, state in body.get("checks", {}).items())
        replicas = body.get("replicas", {})
        if replicas:
            fit = sum(1 for replica in replicas.values() if replica.get("in_rotation"))
            checks += f", {fit} of {len(replicas)} replicas in rotation"
        return checks

    async def tls(self) -> str:
        if urlsplit(self.base_url).scheme != "https":
            raise Skipped("plain http: no TLS to check (use the public https URL)")
        response = await self.get("/")  # the connection itself verified the certificate
        hsts = response.headers.get("strict-transport-security", "")
        age = re.search(r"max-age=(\d+)", hsts)
        expect(age is not None and int(age.group(1)) >= HSTS_MIN_AGE, f"Strict-Transport-Security is {hsts!r}")
        return f"certificate valid, {hsts}"

    async def security_headers(self) -> str:
        headers = (await self.get("/")).headers
        problems = []
        if headers.get("x-content-type-options", "").lower() != "nosniff":
            problems.append("X-Content-Type-Options is not nosniff")
        policy = headers.get("content-security-policy", "")
        if "default-src" not in policy:
            problems.append("no Content-Security-Policy")
        if "frame-ancestors" not in policy and "x-frame-options" not in headers:
            problems.append("framing is not refused")
        if "referrer-policy" not in headers:
            problems.append("no Referrer-Policy")
        if "server" in headers:
            problems.append(f"Server header says {headers['server']!r}")
        expect(not problems, "; ".join(problems))
        return "CSP, nosniff, framing refused, Referrer-Policy, no Server header"

    async def job_search(self) -> str:
        response = await self.get("/api/jobs?limit=1")
        expect(response.status_code == 200, f"GET /api/jobs answered {response.status_code}")
        items = response.json().get("items")
        expect(isinstance(items, list), "GET /api/jobs has no list of items")
        if items:
            self.job_url = str(items[0]["url"])
        return f"{len(items)} job on the first page" if items else "answers; no open job yet"

    async def job_page(self) -> str:
        if self.job_url is None:
            raise Skipped("no open job to look at")
        response = await self.get(self.job_url)
        expect(response.status_code == 200, f"{self.job_url} answered {response.status_code}")
        documents = [json.loads(found) for found in _JSON_LD.findall(response.text)]
        kinds = {document.get("@type") for document in documents if isinstance(document, dict)}
        expect("JobPosting" in kinds, f"{self.job_url} has no JobPosting JSON-LD")
        return f"{urlsplit(self.job_url).path} with JobPosting JSON-LD"

    async def sitemap(self) -> str:
        response = await self.get("/sitemap.xml")
        expect(response.status_code == 200, f"/sitemap.xml answered {response.status_code}")
        expect("xml" in response.headers.get("content-type", ""), "/sitemap.xml is not XML")
        expect("<urlset" in response.text or "<sitemapindex" in response.text, "/sitemap.xml lists nothing")
        return f"{response.text.count('<loc>')} addresses"

    async def static_files(self) -> str:
        page = await self.get("/")
        found = _STATIC.search(page.text)
        if found is None:
            raise Failed("the home page links no versioned static file")
        response = await self.get(found.group(1))
        caching = response.headers.get("cache-control", "")
        expect(response.status_code == 200, f"{found.group(1)} answered {response.status_code}")
        expect("immutable" in caching and "max-age=31536000" in caching, f"Cache-Control is {caching!r}")
        return f"{urlsplit(found.group(1)).path}: {caching}"

    async def websocket(self) -> str:
        parts = urlsplit(self.base_url)
        url = urlunsplit(("wss" if parts.scheme == "https" else "ws", parts.netloc, "/ws", "", ""))
        try:
            async with websockets.connect(url, open_timeout=10, close_timeout=5) as socket:
                await asyncio.wait_for(socket.recv(), timeout=10)
        except ConnectionClosed as closed:
            code = closed.rcvd.code if closed.rcvd is not None else None
            expect(code == _NOT_SIGNED_IN, f"/ws closed with {code}, not {_NOT_SIGNED_IN} (not signed in)")
            return f"handshake accepted, anonymous connection closed with {code}"
        except InvalidStatus as refused:
            raise Failed(f"/ws refused the handshake: {refused.response.status_code}") from None
        raise Failed("/ws kept an anonymous connection open")

    def checks(self) -> list[tuple[str, Callable[[], Awaitable[str]]]]:
        return [
            ("health", self.health),
            ("ready", self.ready),
            ("TLS and HSTS", self.tls),
            ("security headers", self.security_headers),
            ("job search", self.job_search),
            ("job page", self.job_page),
            ("sitemap", self.sitemap),
            ("static files", self.static_files),
            ("WebSocket", self.websocket),
            ("Stripe webhook", self.webhook),
        ]

    async def webhook(self) -> str:
        url = urljoin(self.base_url + "/", "api/subscriptions/webhook")
        response = await self.client.post(url, content=b"{}", headers={"content-type": "application/json"})
        expect(response.status_code == 400, f"an unsigned webhook call answered {response.status_code}, not 400")
        return "an unsigned call is refused with 400"


def expect(condition: bool, problem: str) -> None:
    if not condition:
        raise Failed(problem)
