"""Closed-loop load generator: C virtual users, each on its own keep-alive HTTP/1.1 connection,
sending its next request as soon as the previous answer has been read in full.

The default client is a minimal HTTP/1.1 client on asyncio streams (uvloop): on a 2-core
machine the generator shares the CPU with the server, and httpx costs ~1 ms of client CPU per
request (and far more with one pool shared by 50 users), which would measure httpx instead of
the app. `--client httpx` runs the same load through one `httpx.AsyncClient` for comparison.
"""

from __future__ import annotations

import asyncio
import json
import math
import time
from array import array
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import Any, Protocol
from urllib.parse import urlsplit

import httpx

REQUEST_TIMEOUT_SECONDS = 30.0
RAMP_UP_SECONDS = 1.0
_IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


@dataclass(frozen=True)
class Call:
    """One request, as a scenario describes it."""

    method: str
    path: str
    headers: Mapping[str, str] = field(default_factory=dict)
    json: Any = None

    def body(self) -> bytes:
        return b"" if self.json is None else json.dumps(self.json, separators=(",", ":")).encode()


class Exhausted(Exception):
    """A scenario has no next request to send (each one uses up data): the virtual user stops."""


class ServerDisconnected(ConnectionError):
    """The connection closed before a whole response arrived."""

    def __init__(self, message: str, *, retryable: bool = False) -> None:
        super().__init__(message)
        self.retryable = retryable
        """Nothing of the answer arrived, on a connection that had served requests before."""


class Sender(Protocol):
    async def send(self, call: Call) -> int:
        """Send `call`, read the whole response, return its status; raise on transport errors."""
        ...

    async def close(self) -> None: ...


class Http1Connection:
    """One keep-alive HTTP/1.1 connection, reopened after the server closes it.

    A request that fails on a reused idle connection before any byte of the answer arrived is
    sent once more on a new connection when it is idempotent, as browsers and HTTP libraries
    do (RFC 9112 §9.3.1): the server may close an idle connection just as a request leaves.
    """

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self._host_header = f"{host}:{port}"
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self.retries = 0

    def _encode(self, call: Call) -> bytes:
        body = call.body()
        lines = [f"{call.method} {call.path} HTTP/1.1", f"Host: {self._host_header}", "User-Agent: hmb-bench"]
        lines.extend(f"{name}: {value}" for name, value in call.headers.items())
        if call.json is not None:
            lines.append("Content-Type: application/json")
        if body or call.method not in _IDEMPOTENT:
            lines.append(f"Content-Length: {len(body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body

    async def send(self, call: Call) -> int:
        request = self._encode(call)
        try:
            return await self._exchange(request)
        except ServerDisconnected as exc:
            if not (exc.retryable and call.method in _IDEMPOTENT):
                raise
        self.retries += 1
        return await self._exchange(request)

    async def _exchange(self, request: bytes) -> int:
        reused = self._reader is not None
        if self._reader is None or self._writer is None:
            self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        reader, writer = self._reader, self._writer
        try:
            writer.write(request)
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except (asyncio.IncompleteReadError, ConnectionResetError) as exc:
                partial = isinstance(exc, asyncio.IncompleteReadError) and bool(exc.partial)
                raise ServerDisconnected("closed before the response", retryable=reused and not partial) from exc
            status, keep_alive = await _read_response(reader, head)
        except BaseException:
            await self.close()
            raise
        if not keep_alive:
            await self.close()
        return status

    async def close(self) -> None:
        writer, self._reader, self._writer = self._writer, None, None
        if writer is not None:
            writer.close()


async def _read_response(reader: asyncio.StreamReader, head: bytes) -> tuple[int, bool]:
    """Read the body that follows `head`; return the status and whether the connection stays open."""
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name:
            headers[name.strip().lower()] = value.strip()
    keep_alive = headers.get("connection", "").lower() != "close"
    try:
        if status in (204, 304):
            pass
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
                await reader.readexactly(size + 2)
            while await reader.readuntil(b"\r\n") != b"\r\n":  # trailers
                pass
        elif "content-length" in headers:
            await reader.readexactly(int(headers["content-length"]))
        else:
            await reader.read()  # delimited by the server closing the connection
            keep_alive = False
    except asyncio.IncompleteReadError as exc:
        raise ServerDisconnected("closed in the middle of the response") from exc
    return status, keep_alive


def make_httpx_client(base_url: str, pool_size: int) -> httpx.AsyncClient:
    """A keep-alive httpx client (for seeding, and `--client httpx`).

    Cookies are never stored: virtual users are stateless API clients (a session cookie from
    one login would turn later requests into cookie-authenticated, CSRF-checked ones). Proxy
    variables are ignored: the target is always loopback.
    """
    return httpx.AsyncClient(
        base_url=base_url,
        limits=httpx.Limits(max_connections=pool_size, max_keepalive_connections=pool_size, keepalive_expiry=60),
        timeout=httpx.Timeout(REQUEST_TIMEOUT_SECONDS),
        cookies=CookieJar(policy=DefaultCookiePolicy(allowed_domains=[])),
        trust_env=False,
        follow_redirects=False,
    )


class HttpxSender:
    """Every virtual user shares one httpx.AsyncClient (pool sized to the concurrency)."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def send(self, call: Call) -> int:
        content = call.body() if call.json is not None else None
        headers = {**call.headers, "Content-Type": "application/json"} if content else call.headers
        response = await self.client.request(call.method, call.path, headers=headers, content=content)
        return response.status_code

    async def close(self) -> None:
        pass


# --------------------------------------------------------------------------
# statistics


@dataclass
class Recorder:
    """What the virtual users saw during the measured window."""

    latencies: array[float] = field(default_factory=lambda: array("d"))
    statuses: Counter[int] = field(default_factory=Counter)
    exceptions: Counter[str] = field(default_factory=Counter)

    def record(self, seconds: float, status: int | None, exception: str | None = None) -> None:
        self.latencies.append(seconds)
        if status is not None:
            self.statuses[status] += 1
        if exception is not None:
            self.exceptions[exception] += 1


@dataclass(frozen=True)
class Stats:
    requests: int
    seconds: float
    """Length of the measured window (warm-up excluded), until the last answer arrived."""
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    mean_ms: float
    errors: int
    """Responses outside 2xx/3xx, plus requests that raised (timeouts, refused connections)."""
    statuses: dict[str, int]
    exceptions: dict[str, int]
    retries: int
    """Idempotent requests re-sent once because the server had just closed the idle connection."""
    all_requests: int
    """Requests answered or failed during the whole run, warm-up included (for CPU per request)."""

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds > 0 else 0.0

    @property
    def error_rate(self) -> float:
        return self.errors / self.requests if self.requests else 1.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "seconds": round(self.seconds, 3),
            "rps": round(self.rps, 1),
            "latency_ms": {
                "p50": round(self.p50_ms, 2),
                "p95": round(self.p95_ms, 2),
                "p99": round(self.p99_ms, 2),
                "max": round(self.max_ms, 2),
                "mean": round(self.mean_ms, 2),
            },
            "errors": self.errors,
            "error_rate": round(self.error_rate, 6),
            "statuses": self.statuses,
            "exceptions": self.exceptions,
            "retries": self.retries,
            "all_requests": self.all_requests,
        }


def percentile(ordered: list[float], p: float) -> float:
    """Nearest-rank percentile of an ascending list (p in 0..100); 0 for an empty list."""
    if not ordered:
        return 0.0
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def summarise(recorder: Recorder, seconds: float, retries: int, all_requests: int) -> Stats:
    ordered = sorted(recorder.latencies)
    requests = len(ordered)
    failed_statuses = sum(count for status, count in recorder.statuses.items() if not 200 <= status < 400)
    return Stats(
        requests=requests,
        seconds=seconds,
        p50_ms=percentile(ordered, 50) * 1000,
        p95_ms=percentile(ordered, 95) * 1000,
        p99_ms=percentile(ordered, 99) * 1000,
        max_ms=(ordered[-1] if ordered else 0.0) * 1000,
        mean_ms=(sum(ordered) / requests if requests else 0.0) * 1000,
        errors=failed_statuses + sum(recorder.exceptions.values()),
        statuses={str(status): count for status, count in sorted(recorder.statuses.items())},
        exceptions=dict(recorder.exceptions),
        retries=retries,
        all_requests=all_requests,
    )


# --------------------------------------------------------------------------
# the closed loop


async def run_load(
    base_url: str,
    next_call: Callable[[], Call],
    *,
    concurrency: int,
    duration: float,
    warmup: float,
    client: str = "raw",
) -> Stats:
    """Run `concurrency` virtual users for `warmup + duration` seconds; measure only requests
    sent after the warm-up (which opens the connections and fills the server's caches)."""
    target = urlsplit(base_url)
    host, port = target.hostname or "127.0.0.1", target.port or 80
    shared = make_httpx_client(base_url, concurrency) if client == "httpx" else None
    senders: list[Sender] = [
        HttpxSender(shared) if shared is not None else Http1Connection(host, port) for _ in range(concurrency)
    ]
    recorder = Recorder()
    sent = [0]
    loop_start = time.perf_counter()
    measure_from = loop_start + warmup
    stop_at = measure_from + duration

    async def virtual_user(index: int, sender: Sender) -> None:
        send: Callable[[Call], Awaitable[int]] = sender.send
        # Users arrive one by one during the warm-up, not in one burst: gunicorn's workers share
        # one listening socket and a burst of connections tends to be accepted by one worker,
        # which then serves every keep-alive connection while the other idles.
        await asyncio.sleep(index * min(warmup / 2, RAMP_UP_SECONDS) / concurrency)
        while (started := time.perf_counter()) < stop_at:
            status: int | None = None
            exception: str | None = None
            try:
                call = next_call()
            except Exhausted:
                return
            try:
                async with asyncio.timeout(REQUEST_TIMEOUT_SECONDS):
                    status = await send(call)
            except (httpx.HTTPError, OSError, asyncio.LimitOverrunError, ValueError) as exc:
                exception = type(exc).__name__
            sent[0] += 1
            if started >= measure_from:
                recorder.record(time.perf_counter() - started, status, exception)
            if exception is not None:
                await asyncio.sleep(0.01)  # a dead server must not turn this into a busy loop

    try:
        await asyncio.gather(*(virtual_user(index, sender) for index, sender in enumerate(senders)))
        seconds = time.perf_counter() - measure_from
    finally:
        for sender in senders:
            await sender.close()
        if shared is not None:
            await shared.aclose()
    retries = sum(sender.retries for sender in senders if isinstance(sender, Http1Connection))
    return summarise(recorder, seconds, retries, sent[0])
