"""The operator's and the employer's figures in a real browser: the analytics dashboard with
its charts (images that load) and CSV that holds the page's numbers; a job page's view counted
by its beacon on the employer's statistics page; and the plans-and-skills pages (sqladmin) that
must work under the site's Content-Security-Policy and refuse nothing a real form sends."""

from __future__ import annotations

import csv
import io
import re
import uuid

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import NewPage
from tests.e2e.flows import (
    create_company,
    fill_job_form,
    new_person,
    signed_up,
    upgrade_to_business,
    username_of,
)
from tests.live_server import LiveServer

pytestmark = pytest.mark.e2e


def _admin(page: Page, server: LiveServer) -> None:
    signed_up(page, new_person("Ada", "Admin"))
    server.cli("grant-role", "--username", username_of(page), "--role", "admin")


def _images_loaded(page: Page) -> list[str]:
    """The src of every chart image that failed to load (naturalWidth 0)."""
    failed: list[str] = page.eval_on_selector_all(
        "img[src^='/admin/analytics/charts/']",
        "images => images.filter(image => !image.complete || image.naturalWidth === 0).map(image => image.src)",
    )
    return failed


def test_the_dashboard_shows_the_figures_and_its_csv_holds_them(new_page: NewPage, live_server: LiveServer) -> None:
    marker = uuid.uuid4().hex[:8]
    employer = new_page()
    signed_up(employer, new_person("Bea", "Boss", account_type="employer"))
    create_company(employer, f"Coral Reef Resort {marker}")
    title = f"Line cook {marker}"
    fill_job_form(employer, title)
    upgrade_to_business(employer)  # a Business subscription: MRR at once
    expect(employer.get_by_role("heading", name=title, level=1)).to_be_visible()
    job_path = employer.url.removeprefix(live_server.url)

    # A visitor reads the job: the page's beacon counts the view.
    visitor = new_page()
    with visitor.expect_response(lambda r: r.url.endswith("/views") and r.request.method == "POST") as beacon:
        visitor.goto(job_path)
    assert beacon.value.status == 204

    # The employer's statistics.
    employer.get_by_role("link", name="Statistics").click()
    expect(employer.get_by_role("heading", name="Statistics", level=1)).to_be_visible()
    views = employer.locator(".card").filter(has=employer.get_by_role("heading", name="Views", exact=True))
    expect(views.locator("strong")).to_have_text("1")

    admin = new_page()
    _admin(admin, live_server)
    admin.goto("/admin/analytics?days=7")
    expect(admin.get_by_role("heading", name="Analytics", level=1)).to_be_visible()
    revenue = admin.locator(".card").filter(has=admin.get_by_role("heading", name="Revenue"))
    mrr_text = revenue.locator("strong").first.inner_text()
    mrr_cents = round(float(mrr_text.removeprefix("$").replace(",", "")) * 100)
    assert mrr_cents >= 4999, mrr_text  # at least the Business plan bought above
    admin.wait_for_load_state("networkidle")
    assert admin.locator("img[src^='/admin/analytics/charts/']").count() == 3
    assert _images_loaded(admin) == []
    expect(admin.get_by_role("heading", name="Retention by sign-up week")).to_be_visible()
    expect(admin.get_by_role("heading", name="Funnel by week")).to_be_visible()

    # The CSV behind the cards says the same.
    with admin.expect_download() as download:
        admin.get_by_role("link", name="Summary as CSV").click()
    path = download.value.path()
    assert path is not None
    summary = dict(csv.reader(io.StringIO(path.read_text())))
    assert int(summary["mrr_cents"]) == mrr_cents
    assert int(summary["active_subscriptions.business"]) >= 1

    # Another period is one click away.
    admin.get_by_role("link", name="90 days").click()
    expect(admin.get_by_role("link", name="90 days")).to_have_attribute("aria-current", "page")


def test_admins_edit_skills_on_the_data_pages(new_page: NewPage, live_server: LiveServer) -> None:
    admin = new_page()
    _admin(admin, live_server)
    admin.goto("/admin")
    admin.get_by_role("link", name=re.compile("Plans and skills")).click()
    expect(admin).to_have_url(re.compile(r"/admin/data"))
    admin.goto("/admin/data/skill/create")
    name = f"reef survey {uuid.uuid4().hex[:6]}"
    admin.locator("input[name='name']").fill(name)
    admin.get_by_role("button", name="Save", exact=True).click()
    admin.goto("/admin/data/skill/list")
    expect(admin.get_by_text(name)).to_be_visible()
    live_server.cli("seed-tiers")  # the plans as rows to edit (the code's seed stands in until then)
    admin.goto("/admin/data/tier/list")
    expect(admin.get_by_role("cell", name="Business").first).to_be_visible()
    admin.goto("/admin/audit")
    expect(admin.get_by_role("cell", name="skill.create").first).to_be_visible()
