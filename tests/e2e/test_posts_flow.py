"""Post → like → comment, and following someone to see their posts, in a real browser."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import NewPage
from tests.e2e.flows import field, main_nav, new_person, signed_up, username_of

pytestmark = pytest.mark.e2e


def _write_post(page: Page, text: str) -> Locator:
    """Post `text` from the home page's composer; the new post's card."""
    page.goto("/")
    field(page, "Your post").fill(text)
    page.get_by_role("button", name="Post", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="Your post is live.")).to_be_visible()
    post = page.get_by_role("article").filter(has_text=text.splitlines()[0])
    expect(post).to_have_count(1)
    return post


def test_post_like_and_comment(page: Page) -> None:
    person = signed_up(page, new_person("Shanice", "Ferguson"))
    expect(page.get_by_role("heading", name="Your feed", exact=True)).to_be_visible()

    post = _write_post(page, "Now hiring servers in Exuma <b>today</b>\nDetails: https://example.com/jobs")
    expect(post.get_by_role("heading", name=f"{person.first_name} {person.last_name}")).to_be_visible()
    expect(post).to_contain_text("<b>today</b>")  # shown as typed, not as markup
    expect(post.get_by_role("link", name="https://example.com/jobs")).to_have_attribute("rel", "nofollow noopener ugc")

    url_before = page.url
    like = post.get_by_role("button", name="Like")
    expect(like).to_have_attribute("aria-pressed", "false")
    like.click()
    expect(post.get_by_role("button", name="Like")).to_have_attribute("aria-pressed", "true")
    expect(post.get_by_text("1 like", exact=True)).to_be_visible()
    assert page.url == url_before  # htmx swapped the button in place
    page.reload()
    expect(post.get_by_role("button", name="Like")).to_have_attribute("aria-pressed", "true")

    post.get_by_role("link", name="0 comments").click()
    expect(page).to_have_url(re.compile(r"/posts/[0-9a-f-]+#comments$"))
    expect(page.get_by_role("heading", name=f"Post by {person.first_name} {person.last_name}")).to_be_visible()
    field(page, "Write a comment").fill("Great place to work!")
    page.get_by_role("button", name="Comment", exact=True).click()
    expect(page.get_by_role("heading", name="Comments (1)")).to_be_visible()
    comments = page.locator("#comments")
    expect(comments.get_by_role("listitem").filter(has_text="Great place to work!")).to_have_count(1)

    page.goto("/")
    expect(post.get_by_role("link", name="1 comment", exact=True)).to_be_visible()
    expect(post.get_by_text("1 like", exact=True)).to_be_visible()


def test_follow_someone_and_see_their_post(new_page: NewPage) -> None:
    author_page = new_page()
    author = signed_up(author_page, new_person("Dwayne", "Knowles"))
    author_name = username_of(author_page)
    _write_post(author_page, "Looking for a marine mechanic in Abaco")

    reader_page = new_page()
    signed_up(reader_page, new_person("Tamika", "Rolle"))
    reader_page.goto("/")
    expect(reader_page.get_by_role("heading", name="Your feed is quiet")).to_be_visible()
    expect(reader_page.get_by_role("link", name="Find people to follow")).to_have_attribute("href", "/talent")

    reader_page.goto(f"/u/{author_name}")
    reader_page.get_by_role("button", name="Follow", exact=True).click()
    expect(reader_page.get_by_role("button", name="Unfollow")).to_be_visible()

    main_nav(reader_page).get_by_role("link", name="Home").click()
    post = reader_page.get_by_role("article").filter(has_text="Looking for a marine mechanic in Abaco")
    expect(post).to_be_visible()
    expect(post.get_by_role("link", name=f"{author.first_name} {author.last_name}")).to_have_attribute(
        "href", f"/u/{author_name}"
    )
    # The reader may not edit or delete someone else's post.
    expect(post.get_by_role("link", name="Edit post")).to_have_count(0)
    expect(post.get_by_role("button", name="Delete post")).to_have_count(0)


def test_post_with_an_image(page: Page, tmp_path: Path) -> None:
    person = signed_up(page, new_person("Kendra", "Bain"))
    picture = tmp_path / "conch-salad.png"
    Image.new("RGB", (320, 200), (255, 199, 44)).save(picture)

    page.goto("/")
    field(page, "Your post").fill("Lunch special today")
    field(page, "Image (optional)").set_input_files(picture)
    page.get_by_role("button", name="Post", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="Your post is live.")).to_be_visible()

    post = page.get_by_role("article").filter(has_text="Lunch special today")
    image = post.get_by_role("img", name=f"Image shared by {person.first_name} {person.last_name}")
    expect(image).to_be_visible()
    expect(image).to_have_attribute("src", re.compile(r"^/media/[0-9a-f-]+/thumb$"))
    # The picture really loads (a broken image would stay at naturalWidth 0).
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
