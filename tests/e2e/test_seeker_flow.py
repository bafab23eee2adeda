"""A job seeker's everyday flows in a real browser, at desktop (1280 by 800) and phone (390 by 844)
sizes: searching (count, pages back and forth, a clean URL, "did you mean", saving the search,
the first result on the first screen of a phone), the visitors' home page, the profile's
picture and CV saved with "Save profile", a too-large file refused before it is sent, and
commenting from the feed."""

from __future__ import annotations

import re
import sqlite3

import pytest
from playwright.sync_api import FilePayload, Page, ViewportSize, expect

from tests.e2e.conftest import NewPage
from tests.e2e.flows import DESKTOP, MOBILE, field, new_person, signed_up
from tests.live_server import LiveServer
from tests.uploads.files import pdf, picture

pytestmark = pytest.mark.e2e

SIZES = pytest.mark.parametrize("size", [DESKTOP, MOBILE], ids=["desktop", "mobile"])


@pytest.fixture(scope="module")
def job_words(live_server: LiveServer) -> list[str]:
    """The demo marketplace added (twice: more than a page of open jobs), and long words of its
    open jobs' titles."""
    for seed in ("16", "17"):
        live_server.cli("demo-data", "--size", "tiny", "--append", "--seed", seed)
    with sqlite3.connect(live_server.var_dir.parent / "e2e.db") as db:
        titles = [row[0] for row in db.execute("SELECT title FROM jobs WHERE status = 'open'")]
    return sorted({word.lower() for title in titles for word in re.findall(r"[A-Za-z]{7,}", title)})


@SIZES
def test_search_counts_pages_and_suggests(new_page: NewPage, job_words: list[str], size: ViewportSize) -> None:
    page = new_page()
    signed_up(page, new_person("Tia", "Rolle"))  # signed in: no copy kept from before the jobs were added
    page.set_viewport_size(size)
    page.goto("/jobs")
    expect(page.locator(".jobs-count")).to_have_text(re.compile(r"^\d+ jobs · page 1 of \d+$"))
    first = page.locator(".job-card").first
    expect(first.locator(".job-card__logo")).to_be_visible()
    # A new job's posted date reads as a relative time ("just now", "5 min ago").
    posted = re.compile(r"^Posted (just now|\d+ (min|hours?|days?) ago|\d{1,2} \w{3} \d{4})$")
    expect(first.get_by_text(posted)).to_be_visible()
    filters = page.locator("details.jobs-more-filters")
    if size == MOBILE:
        expect(filters).not_to_have_attribute("open", "")  # folded: results come first
        box = first.bounding_box()
        assert box is not None
        assert box["y"] < size["height"], f"the first result starts at {box['y']}px"
        assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
    else:
        expect(filters).to_have_attribute("open", "")
    title = first.get_by_role("heading").inner_text()

    page.get_by_role("link", name="Next page").click()
    expect(page.locator(".jobs-count")).to_have_text(re.compile(r"· page 2 of \d+$"))
    expect(page).to_have_url(re.compile(r"page=2"))
    page.get_by_role("link", name="Previous page").click()
    expect(page.locator(".jobs-count")).to_have_text(re.compile(r"· page 1 of \d+$"))
    expect(page.locator(".job-card").first.get_by_role("heading")).to_have_text(title)

    # The form leaves empty filters out of the URL.
    word = job_words[0]
    field(page, "Keywords").fill(word)
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(rf"/jobs\?q={word}$"))
    expect(page.locator(".job-card").first).to_be_visible()

    # A typo finds the word through "did you mean".
    typo = word[:3] + word[4:]
    field(page, "Keywords").fill(typo)
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="No jobs found")).to_be_visible()
    page.locator("main").get_by_role("link", name=word, exact=True).click()
    expect(page).to_have_url(re.compile(rf"q={word}"))
    expect(page.locator(".job-card").first).to_be_visible()

    page.get_by_role("button", name="Create job alert").click()
    expect(page.get_by_role("status").filter(has_text="Job alert saved")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text(f"“{word}”")


@SIZES
def test_the_visitors_home_page_sells_jobs_first(new_page: NewPage, job_words: list[str], size: ViewportSize) -> None:
    page = new_page()
    page.set_viewport_size(size)
    page.goto("/")
    search = page.get_by_role("search", name="Jobs")
    expect(search).to_be_in_viewport()
    expect(page.locator(".hero-count")).to_have_text(re.compile(r"^\d+ open jobs? on \d+ islands?$"))
    expect(page.get_by_role("heading", name="Latest jobs")).to_be_visible()
    expect(page.get_by_role("link", name="Post a job")).to_be_visible()
    search.get_by_role("searchbox").fill(job_words[0])
    search.get_by_role("button", name="Search jobs").click()
    expect(page).to_have_url(re.compile(rf"/jobs\?q={job_words[0]}$"))
    page.goto("/")
    page.get_by_role("link", name="Post a job").click()
    expect(page.get_by_role("radio", name="Hire people")).to_be_checked()


def test_save_profile_keeps_the_picture_and_cv_and_refuses_a_huge_file(page: Page) -> None:
    person = signed_up(page, new_person("Lia", "Knowles"))
    page.set_viewport_size(MOBILE)
    page.goto("/profile/edit")
    too_big = FilePayload(name="scan.pdf", mimeType="application/pdf", buffer=b"%PDF-1.4\n" + b"0" * (14 * 1024 * 1024))
    cv_field = field(page, "Add your CV")
    cv_field.set_input_files(too_big)
    expect(page.get_by_role("alert").filter(has_text="scan.pdf")).to_have_text(
        "“scan.pdf” is 14 MB: files can be at most 5 MB. Choose a smaller one."
    )
    assert cv_field.evaluate("input => input.files.length") == 0  # never sent
    field(page, "Choose a picture").set_input_files({"name": "me.jpg", "mimeType": "image/jpeg", "buffer": picture()})
    cv_field.set_input_files({"name": "lia-cv.pdf", "mimeType": "application/pdf", "buffer": pdf()})
    field(page, "Headline").fill("Accounts clerk")
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_role("status").filter(has_text="saved")).to_have_text("Your profile was saved.")
    name = f"{person.first_name} {person.last_name}"
    expect(page.get_by_role("img", name=f"Profile picture of {name}")).to_have_attribute(
        "src", re.compile(r"^/media/[0-9a-f-]+/thumb$")
    )
    page.goto("/profile/edit")
    expect(page.get_by_role("region", name="Your CV").get_by_role("link", name="lia-cv.pdf")).to_be_visible()


def test_comment_from_the_feed(page: Page) -> None:
    page.set_viewport_size(DESKTOP)
    signed_up(page, new_person("Ron", "Ferguson"))
    page.goto("/")
    field(page, "Your post").fill("Who is #hiring in Freeport?")
    page.get_by_role("button", name="Post", exact=True).click()
    post = page.get_by_role("article").filter(has_text="Who is #hiring in Freeport?")
    field(post, "Write a comment").fill("Following this")
    post.get_by_role("button", name="Comment").click()
    expect(post.get_by_role("status")).to_contain_text("Comment added: “Following this”")
    expect(page).to_have_url(re.compile(r"/(#.*)?$"))  # still the feed
    expect(field(post, "Write a comment")).to_have_value("")
    post.get_by_role("link", name="#hiring").click()
    expect(page).to_have_url(re.compile(r"/jobs\?q=hiring$"))
