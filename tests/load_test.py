"""Locust load test: a realistic mix of visitors and members on a demo dataset.

    locust -f tests/load_test.py --headless -u 1000 -r 50 -t 60s --host http://127.0.0.1:PORT --csv out

The accounts and ids to use come from the JSON file named by HMB_LOAD_DATA (written by
`python -m bench.locust_run`, which starts the stack, runs locust at 100, 500 and 1,000 users and
reports). Members sign in once, in on_start, with DEMO_PASSWORD; API calls carry the bearer
token and pages the session cookie, as the web app and API clients do.

Not a pytest module: pytest collects only test_*.py (pyproject.toml), so it never imports this file.
"""

from __future__ import annotations

import itertools
import json
import os
import random
from pathlib import Path
from typing import Any

from locust import HttpUser, between, task

from hiremebahamas.demo import DEMO_PASSWORD

_DATA: dict[str, Any] = json.loads(Path(os.environ.get("HMB_LOAD_DATA", "load-data.json")).read_text())
_numbers = itertools.count()


def _pick(kind: str) -> Any:
    return random.choice(_DATA[kind])


class Visitor(HttpUser):
    """Anonymous: the landing page, the job list, job, company and profile pages, search with
    filters and paging."""

    weight = 5
    wait_time = between(1, 3)

    @task(3)
    def home(self) -> None:
        self.client.get("/", name="/")

    @task(3)
    def job_list(self) -> None:
        self.client.get("/api/jobs", name="/api/jobs")
        self.client.get("/jobs", name="/jobs")

    @task(5)
    def job_page(self) -> None:
        self.client.get(_pick("job_paths"), name="/jobs/[job]")

    @task(2)
    def company_page(self) -> None:
        self.client.get(f"/companies/{_pick('company_slugs')}", name="/companies/[slug]")

    @task(2)
    def profile_page(self) -> None:
        self.client.get(f"/u/{_pick('usernames')}", name="/u/[username]")

    @task(3)
    def search(self) -> None:
        query = f"q={_pick('job_words')}"
        if random.random() < 0.5:
            query += f"&{_pick('filters')}"
        self.client.get(f"/jobs?{query}", name="/jobs?q=[word]")
        page = self.client.get(f"/api/jobs?{query}", name="/api/jobs?q=[word]&filters").json()
        for _ in range(random.randint(0, 3)):  # some visitors read further pages
            if not page.get("next_cursor"):
                break
            page = self.client.get(
                f"/api/jobs?{query}", params={"cursor": page["next_cursor"]}, name="/api/jobs?cursor=[next]"
            ).json()


class _Member(HttpUser):
    abstract = True
    accounts = "seekers"
    auth: dict[str, str]
    session: dict[str, str]

    def on_start(self) -> None:
        email = _pick(self.accounts)
        response = self.client.post(
            "/api/auth/login", json={"email": email, "password": DEMO_PASSWORD}, name="/api/auth/login"
        )
        self.auth = {"Authorization": f"Bearer {response.json()['access_token']}"}
        # Production's cookies are Secure, which the client would not send back over http.
        cookies = [header.split(";", 1)[0] for header in response.raw.headers.getlist("Set-Cookie")]
        self.session = {"Cookie": "; ".join(cookies)}
        self.client.cookies.clear()


class Seeker(_Member):
    """Signed in: the feed, job views, liking, commenting, applying, notifications."""

    weight = 4
    wait_time = between(1, 3)

    @task(5)
    def feed(self) -> None:
        self.client.get("/api/feed", headers=self.auth, name="/api/feed")

    @task(3)
    def home_signed_in(self) -> None:
        self.client.get("/", headers=self.session, name="/ (signed in)")

    @task(4)
    def job_view(self) -> None:
        self.client.get(f"/api/jobs/{_pick('job_ids')}", headers=self.auth, name="/api/jobs/[id]")

    @task(2)
    def me(self) -> None:
        self.client.get("/api/users/me", headers=self.auth, name="/api/users/me")

    @task(2)
    def notifications(self) -> None:
        self.client.get("/api/notifications", headers=self.auth, name="/api/notifications")

    @task(3)
    def like(self) -> None:
        self.client.post(f"/api/posts/{_pick('post_ids')}/like", headers=self.auth, name="/api/posts/[id]/like")

    @task(1)
    def comment(self) -> None:
        self.client.post(
            f"/api/posts/{_pick('post_ids')}/comments",
            json={"body": f"Congratulations! ({next(_numbers)})"},
            headers=self.auth,
            name="/api/posts/[id]/comments",
        )

    @task(1)
    def apply(self) -> None:
        # Simulated users outnumber the demo accounts, so two may apply to one job as the same
        # account: the answer to that is 409, which is right, not a failure.
        with self.client.post(
            f"/api/jobs/{_pick('job_ids')}/apply",
            json={"cover_letter": "I would love to join your team; my experience fits the role."},
            headers=self.auth,
            name="/api/jobs/[id]/apply",
            catch_response=True,
        ) as response:
            if response.status_code in (201, 409):
                response.success()


class PaidMember(_Member):
    """On a paid tier (no monthly limits): posting and messaging, and reading conversations."""

    weight = 1
    wait_time = between(1, 3)
    accounts = "paid"
    conversation: str

    def on_start(self) -> None:
        super().on_start()
        conversations = self.client.get("/api/conversations", headers=self.auth, name="/api/conversations").json()
        self.conversation = conversations["items"][0]["id"] if conversations["items"] else ""

    @task(3)
    def feed(self) -> None:
        self.client.get("/api/feed", headers=self.auth, name="/api/feed")

    @task(2)
    def post(self) -> None:
        body = {"body": f"Hiring season in Nassau is here. ({next(_numbers)})"}
        self.client.post("/api/posts", json=body, headers=self.auth, name="/api/posts")

    @task(3)
    def message(self) -> None:
        if not self.conversation:
            return
        self.client.post(
            f"/api/conversations/{self.conversation}/messages",
            json={"body": f"Is the position still open? ({next(_numbers)})"},
            headers=self.auth,
            name="/api/conversations/[id]/messages",
        )

    @task(2)
    def conversations(self) -> None:
        self.client.get("/api/conversations", headers=self.auth, name="/api/conversations")
