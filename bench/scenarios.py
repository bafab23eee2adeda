"""What the benchmark measures: one small function per scenario, with its targets (issue 9).

A scenario is a decorated function that describes the next request of a virtual user; adding
one is a few lines:

    @scenario("GET /api/jobs?q=<word>: full-text job search, anonymous", min_rps=1500)
    def jobs_search(data: Subjects) -> Call:
        return Call("GET", f"/api/jobs?q={random.choice(data.job_words)}")

It is called once per request, so keep it cheap: pick from `data`, do not compute. A GET that
needs no state between requests (`wrk=True`, the default for GET) can be sent by wrk: it is
sampled into a list of requests wrk cycles through at random.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass

from bench.dataset import Subjects
from bench.load import Call, Exhausted
from hiremebahamas.demo import DEMO_PASSWORD

READ_P99_MS = 100.0
WRITE_P99_MS = 250.0
HEALTH_SHARE_OF_CEILING = 0.30
DEEP_PAGE_SHARE = 0.80
"""Page 5 through the cursor: within 20 % of page 1's throughput."""

ScenarioFunction = Callable[[Subjects], Call]


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    next_call: ScenarioFunction
    kind: str
    """"read", "write" (p99 targets differ) or "report" (figures only, judged on errors)."""
    min_rps: float | None = None
    wrk: bool = True
    """May be sent by wrk (a GET with no state between requests)."""
    max_concurrency: int | None = None
    max_duration: float | None = None

    @property
    def p99_target_ms(self) -> float | None:
        return {"read": READ_P99_MS, "write": WRITE_P99_MS}.get(self.kind)


SCENARIOS: dict[str, Scenario] = {}
"""In run order: reads first, then writes (which change what later reads would see)."""


def scenario(
    description: str,
    *,
    kind: str = "read",
    min_rps: float | None = None,
    wrk: bool | None = None,
    max_concurrency: int | None = None,
    max_duration: float | None = None,
) -> Callable[[ScenarioFunction], ScenarioFunction]:
    """Register the decorated function as a scenario named after it."""

    def register(function: ScenarioFunction) -> ScenarioFunction:
        SCENARIOS[function.__name__] = Scenario(
            name=function.__name__,
            description=description,
            next_call=function,
            kind=kind,
            min_rps=min_rps,
            wrk=kind == "read" if wrk is None else wrk,
            max_concurrency=max_concurrency,
            max_duration=max_duration,
        )
        return function

    return register


# --- reads, anonymous ---------------------------------------------------------------------------


@scenario("GET /health: liveness, touches nothing; what the middleware stack costs over the ceiling")
def health(data: Subjects) -> Call:
    return Call("GET", "/health")


@scenario("GET /ready: one `SELECT 1` on a pooled connection and a Redis PING")
def ready(data: Subjects) -> Call:
    return Call("GET", "/ready")


@scenario("GET / anonymous: the landing page")
def home_anonymous(data: Subjects) -> Call:
    return Call("GET", "/")


@scenario("GET /api/jobs anonymous, page 1", min_rps=2500)
def jobs_list(data: Subjects) -> Call:
    return Call("GET", "/api/jobs")


@scenario("GET /api/jobs?q=<word>: full-text search, anonymous", min_rps=1500)
def jobs_search(data: Subjects) -> Call:
    return Call("GET", f"/api/jobs?q={random.choice(data.job_words)}")


@scenario("GET /api/jobs?island=…&employment_type=…: filtered list, anonymous", min_rps=2500)
def jobs_filtered(data: Subjects) -> Call:
    return Call("GET", f"/api/jobs?{random.choice(data.filters)}")


@scenario("GET /api/jobs?island=…&employment_type=…&sort=salary: filtered, by salary", min_rps=2500)
def jobs_by_salary(data: Subjects) -> Call:
    return Call("GET", f"/api/jobs?{random.choice(data.filters)}&sort=salary")


@scenario("GET /api/jobs?…&cursor=…: page 5 of a search through next_cursor (target: within 20 % of page 1)")
def jobs_page5(data: Subjects) -> Call:
    return Call("GET", data.deep_page)


@scenario("GET /jobs/<id>-<slug>: job page (HTML), anonymous", min_rps=1500)
def job_page(data: Subjects) -> Call:
    return Call("GET", random.choice(data.job_paths))


@scenario("GET /jobs?q=<word>: search page (HTML), anonymous", min_rps=1000)
def jobs_search_page(data: Subjects) -> Call:
    return Call("GET", f"/jobs?q={random.choice(data.job_words)}")


@scenario("GET /companies/<slug>: company page (HTML), anonymous", min_rps=1500)
def company_page(data: Subjects) -> Call:
    return Call("GET", f"/companies/{random.choice(data.company_slugs)}")


@scenario("GET /u/<username>: profile page (HTML), anonymous", min_rps=1500)
def profile_page(data: Subjects) -> Call:
    return Call("GET", f"/u/{random.choice(data.usernames)}")


@scenario("GET /talent?q=<word>: talent directory search (HTML), anonymous")
def talent_search(data: Subjects) -> Call:
    return Call("GET", f"/talent?q={random.choice(data.talent_words)}")


# --- reads, signed in ---------------------------------------------------------------------------


@scenario("GET /api/users/me, a seeker's bearer token: the account and its profile", min_rps=3000)
def me(data: Subjects) -> Call:
    return Call("GET", "/api/users/me", headers=data.seeker().auth)


@scenario("GET /api/feed of the account that follows the most people (>= 5,000 on large)", min_rps=1500)
def feed_heavy_follower(data: Subjects) -> Call:
    return Call("GET", "/api/feed", headers=data.heavy_follower.auth)


@scenario("GET /api/feed of a follower of the most followed account (>= 50,000 on large)", min_rps=1500)
def feed_celebrity_follower(data: Subjects) -> Call:
    return Call("GET", "/api/feed", headers=data.celebrity_follower.auth)


@scenario("GET / signed in (session cookie): the feed page", min_rps=600)
def home_signed_in(data: Subjects) -> Call:
    return Call("GET", "/", headers=data.seeker().session)


@scenario("GET /api/notifications, a seeker's")
def notifications(data: Subjects) -> Call:
    return Call("GET", "/api/notifications", headers=data.seeker().auth)


@scenario("GET /api/conversations of a member on a paid tier")
def conversations(data: Subjects) -> Call:
    account, _ = random.choice(data.messagers)
    return Call("GET", "/api/conversations", headers=account.auth)


# --- writes -------------------------------------------------------------------------------------

_numbers = itertools.count()


@scenario(
    "POST /api/conversations/<id>/messages: send a message (paid tier: no monthly limit)", kind="write", min_rps=600
)
def send_message(data: Subjects) -> Call:
    account, conversation = random.choice(data.messagers)
    body = {"body": f"Is the position still open? ({next(_numbers)})"}
    return Call("POST", f"/api/conversations/{conversation}/messages", headers=account.auth, json=body)


@scenario("POST /api/posts/<id>/comments by a seeker", kind="write", min_rps=600)
def comment(data: Subjects) -> Call:
    body = {"body": f"Congratulations! ({next(_numbers)})"}
    return Call("POST", f"/api/posts/{random.choice(data.post_ids)}/comments", headers=data.seeker().auth, json=body)


@scenario("POST /api/posts/<id>/like by a seeker (idempotent: a repeat counts once)", kind="write", min_rps=600)
def like(data: Subjects) -> Call:
    return Call("POST", f"/api/posts/{random.choice(data.post_ids)}/like", headers=data.seeker().auth)


@scenario("POST /api/posts by a Pro member (no monthly limit)", kind="write", min_rps=600)
def post(data: Subjects) -> Call:
    body = {"body": f"Hiring season in Nassau is here. ({next(_numbers)})"}
    return Call("POST", "/api/posts", headers=data.pro.auth, json=body)


@scenario("POST /api/jobs/<id>/apply: each request a new application (seeker, open job)", kind="write")
def apply(data: Subjects) -> Call:
    pair = data.applications.take()
    if pair is None:
        raise Exhausted("every (seeker, open job) pair has applied")
    seeker, job_id = pair
    body = {"cover_letter": "I would love to join your team; my experience fits the role."}
    return Call("POST", f"/api/jobs/{job_id}/apply", headers=seeker.auth, json=body)


@scenario(
    "POST /api/auth/login: argon2id verify (19 MiB, 2 passes) + new session rows; no target",
    kind="report",
    max_concurrency=8,
    max_duration=10,
)
def login(data: Subjects) -> Call:
    seeker = data.seeker()
    return Call("POST", "/api/auth/login", json={"email": seeker.email, "password": DEMO_PASSWORD})
