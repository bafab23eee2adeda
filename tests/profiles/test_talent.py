"""GET /api/talent: available-for-hire people by text, skill and island, best match or newest."""

from __future__ import annotations

from datetime import timedelta

import httpx

from hiremebahamas.core.runtime import Runtime
from tests.profiles.factory import member


def _names(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [item["username"] for item in response.json()["items"]]


async def test_directory_lists_available_verified_members_newest_first(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    await member(runtime, "old", updated_ago=timedelta(days=3), available_for_hire=True)
    await member(
        runtime, "new", updated_ago=timedelta(hours=1), available_for_hire=True, skills=["plumbing"], island="abaco"
    )
    await member(runtime, "busy", available_for_hire=False, headline="Not looking")
    await member(runtime, "unverified", verified=False, available_for_hire=True)
    await member(runtime, "suspended", active=False, available_for_hire=True)
    await member(runtime, "blank")
    response = await client.get("/api/talent")
    assert _names(response) == ["new", "old"]
    item = response.json()["items"][0]
    assert item["skills"] == ["plumbing"]
    assert item["island_label"] == "Abaco"
    assert item["available_for_hire"] is True
    assert response.json()["next_cursor"] is None


async def test_text_skill_and_island_filters(client: httpx.AsyncClient, runtime: Runtime) -> None:
    await member(
        runtime,
        "chef",
        first_name="Marco",
        headline="Head chef",
        island="exuma",
        skills=["cooking"],
        available_for_hire=True,
    )
    await member(
        runtime,
        "baker",
        bio="I bake bread and cakes",
        island="abaco",
        skills=["baking", "cooking"],
        available_for_hire=True,
    )
    await member(
        runtime, "coder", headline="Python developer", island="exuma", skills=["python", "sql"], available_for_hire=True
    )
    assert sorted(_names(await client.get("/api/talent?q=cooking"))) == ["baker", "chef"]
    assert _names(await client.get("/api/talent?q=BREAD")) == ["baker"]
    assert _names(await client.get("/api/talent?q=marco")) == ["chef"]
    assert _names(await client.get("/api/talent?skill=Python")) == ["coder"]
    assert _names(await client.get("/api/talent?skill=pyth")) == []  # a skill filter is an exact tag
    assert sorted(_names(await client.get("/api/talent?island=exuma"))) == ["chef", "coder"]
    assert _names(await client.get("/api/talent?island=exuma&skill=cooking")) == ["chef"]
    assert _names(await client.get("/api/talent?q=plumber")) == []
    assert _names(await client.get("/api/talent?q=%25")) == []  # LIKE wildcards are literal text
    assert _names(await client.get("/api/talent?q=_")) == []


async def test_best_match_orders_by_matching_terms(client: httpx.AsyncClient, runtime: Runtime) -> None:
    # Newest first would give one, two, three; best match ranks by how much matched.
    await member(runtime, "three", skills=["python", "sql"], updated_ago=timedelta(days=3), available_for_hire=True)
    await member(runtime, "two", headline="python and sql", updated_ago=timedelta(days=2), available_for_hire=True)
    await member(runtime, "one", bio="some python", updated_ago=timedelta(days=1), available_for_hire=True)
    assert _names(await client.get("/api/talent?q=python sql")) == ["three", "two", "one"]
    assert _names(await client.get("/api/talent?q=python sql&sort=newest")) == ["one", "two", "three"]


async def test_pages_follow_on_without_gaps_or_repeats(client: httpx.AsyncClient, runtime: Runtime) -> None:
    for n in range(7):
        skills = ["welding"] + (["rigging"] if n % 2 else [])
        await member(
            runtime, f"welder-{n}", skills=skills, updated_ago=timedelta(minutes=n % 3), available_for_hire=True
        )
    for query in ("q=welding rigging", "sort=newest", "q=welding"):
        expected = _names(await client.get(f"/api/talent?{query}&limit=100"))
        assert len(expected) == 7
        seen: list[str] = []
        cursor = ""
        while True:
            body = (await client.get(f"/api/talent?{query}&limit=3&cursor={cursor}")).json()
            seen += [item["username"] for item in body["items"]]
            if not body["next_cursor"]:
                break
            cursor = body["next_cursor"]
        assert seen == expected, query


async def test_visibility_and_blocks_apply(client: httpx.AsyncClient, runtime: Runtime) -> None:
    await member(runtime, "open", available_for_hire=True)
    await member(runtime, "shy", visibility="members", available_for_hire=True)
    blocker = await member(runtime, "blocker", available_for_hire=True)
    viewer = await member(runtime, "viewer")
    await client.post("/api/users/viewer/block", headers=blocker.headers)
    assert sorted(_names(await client.get("/api/talent"))) == ["blocker", "open"]
    assert sorted(_names(await client.get("/api/talent", headers=viewer.headers))) == ["open", "shy"]


async def test_bad_talent_queries_are_refused(client: httpx.AsyncClient) -> None:
    for query, field in (
        ("island=atlantis", "island"),
        ("sort=random", "sort"),
        ("cursor=nonsense", "cursor"),
        ("limit=0", "limit"),
        ("q=" + "x" * 201, "q"),
    ):
        response = await client.get(f"/api/talent?{query}")
        assert response.status_code == 422, query
        assert field in response.json()["error"]["fields"], query
