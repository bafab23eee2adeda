"""The gzip layer on its own: which bodies it compresses, and what it leaves alone."""

from __future__ import annotations

import gzip
from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from hiremebahamas.core.compression import CompressionMiddleware, accepts_gzip

BIG = b"<p>Conch salad, johnnycake and guava duff.</p>\n" * 100


async def page(_request: Request) -> Response:
    return Response(BIG, media_type="text/html", headers={"ETag": '"abc"'})


async def picture(_request: Request) -> Response:
    return Response(BIG, media_type="image/png")


async def already_compressed(_request: Request) -> Response:
    return Response(gzip.compress(BIG), media_type="application/json", headers={"Content-Encoding": "gzip"})


async def streamed(_request: Request) -> StreamingResponse:
    async def chunks() -> AsyncIterator[bytes]:
        yield BIG
        yield BIG

    return StreamingResponse(chunks(), media_type="text/html")


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    routes = [
        Route("/page", page),
        Route("/picture", picture),
        Route("/compressed", already_compressed),
        Route("/streamed", streamed),
    ]
    app = CompressionMiddleware(Starlette(routes=routes))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
        yield client


async def test_a_whole_text_body_is_gzipped_and_its_etag_made_weak(client: httpx.AsyncClient) -> None:
    response = await client.get("/page", headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert response.headers["vary"] == "Accept-Encoding"
    assert response.headers["etag"] == 'W/"abc"'
    assert response.content == BIG


@pytest.mark.parametrize("path", ["/picture", "/streamed"])
async def test_media_and_streams_are_left_alone(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path, headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert "content-encoding" not in response.headers
    assert "vary" not in response.headers


async def test_an_already_encoded_body_is_not_compressed_twice(client: httpx.AsyncClient) -> None:
    response = await client.get("/compressed", headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert response.content == BIG  # one decoding gives the original


@pytest.mark.parametrize(
    ("offer", "accepted"),
    [
        ("gzip", True),
        ("gzip, deflate, br", True),
        ("br;q=1.0, gzip;q=0.8", True),
        ("*", True),
        ("identity", False),
        ("gzip;q=0", False),
        ("*, gzip;q=0", False),
        ("", False),
    ],
)
def test_accept_encoding_is_read_with_its_qualities(offer: str, accepted: bool) -> None:
    assert accepts_gzip(offer) is accepted
