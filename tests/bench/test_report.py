"""The benchmark's arithmetic, without a server: what it reads from /metrics, the wrk script it
writes and how it judges a scenario. (Its figures are never asserted: see docs/benchmarks.md.)"""

from __future__ import annotations

from pathlib import Path

import pytest
from bench.load import Call, Stats
from bench.run import judge, parse_options
from bench.scenarios import SCENARIOS

from bench import metrics, profiling, wrk

EXPOSITION = """\
# HELP hmb_db_queries_total SQL statements sent to the database, by engine role.
# TYPE hmb_db_queries_total counter
hmb_db_queries_total{role="primary"} 120.0
hmb_db_queries_total{role="replica"} 30.0
# HELP hmb_cache_requests_total Cache lookups.
# TYPE hmb_cache_requests_total counter
hmb_cache_requests_total{cache="jobs",result="hit"} 90.0
hmb_cache_requests_total{cache="jobs",result="miss"} 10.0
hmb_cache_requests_total{cache="profiles",result="miss"} 5.0
"""


def test_queries_of_every_role_and_cache_lookups_are_read() -> None:
    later = metrics.parse(EXPOSITION)
    earlier = metrics.parse(EXPOSITION.replace("120.0", "20.0").replace("90.0", "50.0").replace(" 10.0", " 0.0"))
    grown = later - earlier
    assert grown.queries == 100
    assert grown.hit_rates() == {"jobs": 40 / 50}  # profiles: not asked during the scenario
    assert grown.overall_hit_rate() == 40 / 50


def test_no_cache_counters_means_no_hit_rate() -> None:
    assert metrics.parse('hmb_db_queries_total{role="primary"} 3.0\n').overall_hit_rate() is None


def test_the_wrk_script_quotes_what_it_sends() -> None:
    script = wrk.script([Call("GET", '/jobs?q="x"\\', headers={"Cookie": 'a="b"; c=d'})])
    assert r'"/jobs?q=\"x\"\\"' in script
    assert r'["Cookie"] = "a=\"b\"; c=d"' in script
    assert "done = function" in script


def _stats(rps: float, p99_ms: float, errors: int = 0) -> Stats:
    requests = int(rps * 10)
    return Stats(requests, 10.0, 1.0, 2.0, p99_ms, p99_ms, 1.0, errors, {}, {}, 0, requests)


@pytest.mark.parametrize(
    ("name", "stats", "share", "page1", "expected"),
    [
        ("jobs_list", _stats(3000, 50), None, None, []),
        ("jobs_list", _stats(2000, 150), None, None, ["p99 150 ms >= 100 ms", "2000 req/s < 2500"]),
        ("comment", _stats(700, 200), None, None, []),
        ("health", _stats(9000, 10), 0.2, None, ["20% of the ceiling < 30%"]),
        ("jobs_page5", _stats(700, 10), None, 1000.0, ["700 req/s < 80% of page 1's 1000"]),
        ("login", _stats(40, 900, errors=2), None, None, ["2 errors (0.50%), target 0"]),
    ],
)
def test_targets_are_judged_per_scenario(
    name: str, stats: Stats, share: float | None, page1: float | None, expected: list[str]
) -> None:
    assert judge(SCENARIOS[name], stats, share, page1) == expected


WEB = 'process 10:"gunicorn";process 11:"gunicorn";run (uvicorn/server.py:1);'
FOLDED = (
    f"{WEB}get_me (hiremebahamas/profiles/api.py:60);execute (sqlalchemy/orm/session.py:2);"
    "fetch (asyncpg/prepared_stmt.py:3) 6\n"
    f"{WEB}get_me (hiremebahamas/profiles/api.py:61) 2\n"
    'process 20:"python hiremebahamas worker";run (arq/worker.py:5);send (hiremebahamas/core/email.py:9) 2\n'
)


def test_a_profile_is_summed_by_library_by_project_function_and_by_own_code(tmp_path: Path) -> None:
    path = tmp_path / "me.folded"
    path.write_text(FOLDED + "a line that is not a stack\n")
    stacks = profiling.read_folded(path)
    assert sum(stacks.values()) == 10
    summary = profiling.summarise(stacks)
    assert "the task worker 20.0 %" in summary
    for line in ("  60.0 %  sqlalchemy", "  60.0 %  asyncpg", "  20.0 %  arq"):
        assert line in summary
    # Two lines of one function are one row; frames are named by module, not by path.
    assert "  80.0 %  hiremebahamas/profiles/api.py:get_me" in summary
    own = summary.split("self (the function's own code)")[1]
    assert "  60.0 %  asyncpg/prepared_stmt.py:fetch" in own
    assert "process " not in summary


def test_an_empty_profile_says_so(tmp_path: Path) -> None:
    assert "no samples" in profiling.summarise(profiling.read_folded(tmp_path / "missing.folded"))


def test_server_settings_are_given_by_name(tmp_path: Path) -> None:
    options = parse_options(
        ["--set", "DATABASE_POOL_SIZE=30", "--set", "X_Y=a=b", "--output", str(tmp_path / "r.json")]
    )
    assert options.app_settings == {"DATABASE_POOL_SIZE": "30", "X_Y": "a=b"}
    with pytest.raises(SystemExit):
        parse_options(["--set", "database_pool_size=30"])
