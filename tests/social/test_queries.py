"""Lists run a constant number of queries however many people they show."""

from __future__ import annotations

import httpx

from hiremebahamas.core.runtime import Runtime
from tests.helpers import counted_queries
from tests.profiles.factory import member


async def _queries_for(client: httpx.AsyncClient, runtime: Runtime, url: str, headers: dict[str, str]) -> int:
    with counted_queries(runtime) as log:
        response = await client.get(url, headers=headers)
    assert response.status_code == 200, response.text
    return log.count


async def test_followers_list_queries_do_not_grow_with_the_page(client: httpx.AsyncClient, runtime: Runtime) -> None:
    await member(runtime, "star")
    viewer = await member(runtime, "viewer")
    for n in range(20):
        fan = await member(runtime, f"fan-{n}", headline="Fan", island="exuma", skills=["fishing"])
        await client.post("/api/users/star/follow", headers=fan.headers)
    small = await _queries_for(client, runtime, "/api/users/star/followers?limit=3", viewer.headers)
    large = await _queries_for(client, runtime, "/api/users/star/followers?limit=20", viewer.headers)
    assert small == large > 1
    page = (await client.get("/api/users/star/followers?limit=20", headers=viewer.headers)).json()
    assert len(page["items"]) == 20
    anonymous_small = await _queries_for(client, runtime, "/api/users/star/followers?limit=3", {})
    anonymous_large = await _queries_for(client, runtime, "/api/users/star/followers?limit=20", {})
    assert anonymous_small == anonymous_large


async def test_talent_search_queries_do_not_grow_with_the_page(client: httpx.AsyncClient, runtime: Runtime) -> None:
    viewer = await member(runtime, "viewer")
    for n in range(20):
        await member(
            runtime, f"cook-{n}", available_for_hire=True, headline="Line cook", skills=["cooking", f"dish {n}"]
        )
    for query in ("q=cook", "skill=cooking&sort=newest"):
        small = await _queries_for(client, runtime, f"/api/talent?{query}&limit=3", viewer.headers)
        large = await _queries_for(client, runtime, f"/api/talent?{query}&limit=20", viewer.headers)
        assert small == large, query
    page = (await client.get("/api/talent?q=cook&limit=20", headers=viewer.headers)).json()
    assert len(page["items"]) == 20
    assert all(len(item["skills"]) == 2 for item in page["items"])
