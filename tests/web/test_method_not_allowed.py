"""A 405 names every method the path serves, not only those of the first route that matched it."""

from __future__ import annotations

import httpx


async def test_allow_lists_the_methods_of_every_route_at_the_path(client: httpx.AsyncClient) -> None:
    response = await client.request("PUT", "/api/users/me")

    assert response.status_code == 405
    assert response.headers["allow"] == "GET, PATCH"
    assert response.json()["error"]["code"] == "method_not_allowed"


async def test_allow_on_a_page_path(client: httpx.AsyncClient) -> None:
    response = await client.request("DELETE", "/jobs/alerts")

    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"
