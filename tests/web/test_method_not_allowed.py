"""A 405 names every method the path serves, not only those of the first route that matched it."""

from __future__ import annotations

import httpx


async def test_allow_lists_the_methods_of_every_route_at_the_path(client: httpx.AsyncClient) -> None:
    response = await client.request("PUT", "/api/users/me")

    assert response.status_code == 405
    assert response.headers["allow"] == "DELETE, GET, PATCH"  # DELETE: the account deletion (docs/privacy.md)
    assert response.json()["error"]["code"] == "method_not_allowed"


async def test_allow_on_a_page_path(client: httpx.AsyncClient) -> None:
    response = await client.request("DELETE", "/jobs/alerts")

    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"


async def test_a_literal_path_is_not_taken_for_an_id(client: httpx.AsyncClient) -> None:
    """/api/jobs/for-you is not a job: another method there is 405, before any sign-in."""
    for method, path, allow in (
        ("PATCH", "/api/jobs/for-you", "GET"),
        ("DELETE", "/api/applications/mine", "GET"),
        ("DELETE", "/api/saved-searches/unsubscribe", "GET, POST"),
        ("OPTIONS", "/api/saved-searches/unsubscribe", "GET, POST"),
    ):
        response = await client.request(method, path)
        assert response.status_code == 405, (method, path)
        assert response.headers["allow"] == allow, (method, path)


async def test_an_id_that_is_not_one_names_nothing(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/posts/not-an-id")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
