"""Who to follow: shared skills first, then the same island; never yourself, people you follow,
blocked people or unverified accounts."""

from __future__ import annotations

import httpx

from hiremebahamas.core.runtime import Runtime
from tests.helpers import counted_queries
from tests.profiles.factory import member


def _names(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [item["username"] for item in response.json()["items"]]


async def test_suggestions(client: httpx.AsyncClient, runtime: Runtime) -> None:
    me = await member(runtime, "me", island="exuma", skills=["python", "sql", "django"])
    await member(runtime, "two-skills", skills=["python", "sql"], island="abaco")
    await member(runtime, "one-skill", skills=["django"])
    await member(runtime, "islander", island="exuma")
    await member(runtime, "elsewhere", island="bimini", skills=["cooking"])
    followed = await member(runtime, "followed", skills=["python"])
    await member(runtime, "blocked", skills=["python"])
    blocker = await member(runtime, "blocker", island="exuma")
    await member(runtime, "unverified", verified=False, skills=["python"])
    await member(runtime, "suspended", active=False, island="exuma")
    await client.post("/api/users/followed/follow", headers=me.headers)
    await client.post("/api/users/blocked/block", headers=me.headers)
    await client.post("/api/users/me/block", headers=blocker.headers)
    assert _names(await client.get("/api/users/me/suggestions", headers=me.headers)) == [
        "two-skills",
        "one-skill",
        "islander",
    ]
    assert followed  # following them took them out of the list


async def test_no_island_and_no_skills_means_no_suggestions(client: httpx.AsyncClient, runtime: Runtime) -> None:
    me = await member(runtime, "me")
    await member(runtime, "someone", island="exuma", skills=["python"])
    assert _names(await client.get("/api/users/me/suggestions", headers=me.headers)) == []
    assert (await client.get("/api/users/me/suggestions")).status_code == 401


async def test_at_most_ten(client: httpx.AsyncClient, runtime: Runtime) -> None:
    me = await member(runtime, "me", island="andros")
    for n in range(12):
        await member(runtime, f"neighbour-{n}", island="andros")
    assert len(_names(await client.get("/api/users/me/suggestions", headers=me.headers))) == 10


async def test_the_ranking_is_remembered_and_the_people_are_fresh(client: httpx.AsyncClient, runtime: Runtime) -> None:
    me = await member(runtime, "me", skills=["python", "sql"])
    await member(runtime, "two-skills", skills=["python", "sql"])
    await member(runtime, "one-skill", skills=["sql"])
    assert _names(await client.get("/api/users/me/suggestions", headers=me.headers)) == ["two-skills", "one-skill"]
    await client.post("/api/users/two-skills/follow", headers=me.headers)
    with counted_queries(runtime) as log:
        again = await client.get("/api/users/me/suggestions", headers=me.headers)
    assert _names(again) == ["one-skill"]  # followed a moment ago: gone at once
    assert not [statement for statement in log.statements if "GROUP BY" in statement]  # not ranked again
    await client.patch("/api/users/me", json={"skills": ["cooking"]}, headers=me.headers)
    with counted_queries(runtime) as log:
        assert _names(await client.get("/api/users/me/suggestions", headers=me.headers)) == []
    assert [statement for statement in log.statements if "GROUP BY" in statement]  # a new profile: ranked again
