"""The operator checklist's seven end-to-end flows, written once against the driver interface
(tests/browsers/driver.py) and run by every engine at every size of the matrix.

A flow takes its target's Cast. Flows of one target run in order and build on each other (the
seeker registered by the first one posts, messages, applies and subscribes); a flow run on its
own (pytest -k) first does, through the same steps, what it builds on.
"""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

from PIL import Image

from tests.browsers.cast import Cast
from tests.browsers.driver import Window, button, css, field, heading, link, region, text
from tests.e2e.flows import EMAIL_TIMEOUT, JOB_DESCRIPTION, Person, new_person

MAIN = css("main")
NAV = css('nav[aria-label="Main"]')
MESSAGES = css("[data-message-id]")
FREE_MESSAGES = 10
"""Messages a month the Free plan sends in conversations you started (docs/billing.md)."""


# --------------------------------------------------------------------------
# steps


def open_menu(window: Window[Any]) -> None:
    """On a narrow screen the main navigation folds behind a Menu button: open it."""
    menu = button("Menu").inside(css("header"))
    if window.count(menu):
        window.click(menu)
        window.wait_for(css("[data-nav-toggle][aria-expanded=true]"))


def fill_register_form(window: Window[Any], person: Person) -> None:
    choice = "Hire people" if person.account_type == "employer" else "Find a job"
    window.click(field(choice).inside(css("fieldset", "I want to")))
    window.fill(field("First name"), person.first_name)
    window.fill(field("Last name"), person.last_name)
    window.fill(field("Email address"), person.email)
    window.fill(field("Password"), person.password)
    window.click(field("I accept the Terms of Service and the Privacy Policy"))
    window.click(button("Create account"))
    window.wait_for(heading("Check your inbox"))


def confirm_email(window: Window[Any], person: Person) -> None:
    """Open the confirmation email in the dev outbox (waiting for it) and follow its link."""
    subject = link("Confirm your email for HireMeBahamas").inside(css("tr", person.email))
    deadline = time.monotonic() + EMAIL_TIMEOUT
    window.goto("/dev/outbox")
    while not window.count(subject):
        if time.monotonic() > deadline:
            raise AssertionError(f"no confirmation email to {person.email} after {EMAIL_TIMEOUT:.0f}s")
        time.sleep(0.2)
        window.goto("/dev/outbox")
    # Opened by its address: the outbox is a developer's page standing in for the mail app, and its
    # table is not laid out for a phone.
    window.goto(window.attribute(subject, "href") or "")
    window.wait_for(text(f"To: {person.email}"))
    window.click(link(re.compile(r"^https?://[^/\s]+/verify-email\b")).inside(css("article")))
    # In the browser that registered, confirming also signs in (and says so on the home page).
    window.wait_for(text(f"{person.email} is confirmed").inside(MAIN))


def fill_login_form(window: Window[Any], person: Person) -> None:
    """Fill the form on /login (the page must be open), submit it, and land on the home page."""
    window.fill(field("Email address"), person.email)
    window.fill(field("Password"), person.password)
    window.click(button("Log in").inside(MAIN))
    window.wait_for(heading(f"Welcome, {person.first_name}"))


def log_in(window: Window[Any], person: Person) -> None:
    window.goto("/login")
    fill_login_form(window, person)


def signed_up(window: Window[Any], person: Person) -> None:
    """Registered and confirmed in this window's browser, which is then signed in."""
    window.goto("/register")
    fill_register_form(window, person)
    confirm_email(window, person)
    window.wait_for(button("Log out").inside(NAV), visible=False)


def username_of(window: Window[Any]) -> str:
    href = window.attribute(link("Profile").inside(NAV), "href")
    assert href is not None
    assert href.startswith("/u/"), href
    return href.removeprefix("/u/")


def seeker(cast: Cast) -> Window[Any]:
    """The target's seeker, registered and logged in (by the first flow, or now)."""
    if cast.seeker is None:
        cast.close_window("seeker")  # a fresh one: an earlier attempt may have left it anywhere
        register_verify_log_in(cast)
    return cast.window("seeker")


def friend(cast: Cast) -> Window[Any]:
    """The friend the seeker writes to, logged in on this target (registered once per session)."""
    window = cast.window("friend")
    people = cast.people
    if people.friend is None:
        people.friend = new_person("Bianca", "Moss")
        signed_up(window, people.friend)
        people.friend_username = username_of(window)
    else:
        log_in(window, people.friend)
    return window


def employer(cast: Cast) -> Window[Any]:
    """The employer with a live job, logged in on this target: the company page, the Business
    plan its first posting needs and the job are made once per session."""
    window = cast.window("employer")
    people = cast.people
    if people.employer is not None:
        log_in(window, people.employer)
        return window
    person = people.employer = new_person("Bea", "Bain", account_type="employer")
    people.job_marker = "zq" + uuid.uuid4().hex[:8]  # a word only this run's job contains
    people.job_title = f"Conch Chef {people.job_marker}"
    signed_up(window, person)
    window.goto("/companies/new")
    window.fill(field("Company name"), f"Conch Shack {people.job_marker}")
    window.choose(field("Island"), "New Providence")
    window.click(button("Create company page"))
    window.wait_for(heading(f"Conch Shack {people.job_marker}"))
    fill_job_form(window, people.job_title)
    # A Free plan's Publish keeps the job as a draft and leads to Business; paid, it is live.
    window.wait_for(heading("Publishing jobs needs the Business plan"))
    window.click(button(re.compile(r"^Choose Business .*/month$")))
    window.click(button(re.compile(r"^Pay ")))
    window.wait_for(text("Your job is live."))
    return window


def fill_job_form(window: Window[Any], title: str) -> None:
    window.goto("/jobs/new")
    window.fill(field("Job title"), title)
    window.fill(field("Description"), JOB_DESCRIPTION)
    window.choose(field("Island"), "New Providence")
    window.choose(field("Job type"), "Full-time")
    window.choose(field("Category"), "Hospitality and tourism")
    window.fill(field("From"), "38000")
    window.fill(field("To"), "45000")
    window.choose(field("Per"), "per year")
    window.fill(field("Skills"), "cooking, food safety")
    window.click(button(re.compile(r"^Publish")))


def send(window: Window[Any], message: str) -> None:
    """Send `message` in the open conversation."""
    window.fill(field("Your message"), message)
    window.click(button("Send"))


def mark_not_reloaded(window: Window[Any]) -> None:
    window.evaluate("window.__notReloaded = true;")


def assert_not_reloaded(window: Window[Any]) -> None:
    assert window.evaluate("return window.__notReloaded === true;"), f"{window.label}: the page was reloaded"


def conversation(cast: Cast) -> str:
    """The seeker's conversation with the friend (started now if the messaging flow did not)."""
    if not cast.conversation:
        message_seen_live(cast)
    return cast.conversation


# --------------------------------------------------------------------------
# the seven flows


def register_verify_log_in(cast: Cast) -> None:
    window = cast.window("seeker")
    person = new_person(cast.seeker_first_name, "Ferguson")
    window.goto("/")
    open_menu(window)
    window.click(link("Join now").inside(NAV))
    window.wait_for(heading("Join HireMeBahamas"))
    fill_register_form(window, person)
    window.wait_for(text(person.email).inside(MAIN))

    confirm_email(window, person)  # signs in: this browser registered
    window.wait_for(button("Log out").inside(NAV), visible=False)
    # Logging in again, from a browser of its own.
    returning = cast.window("returning")
    returning.goto("/login")
    returning.wait_for(heading("Log in"))
    fill_login_form(returning, person)
    assert returning.text(css('[role="status"]', "Welcome back")) == f"Welcome back, {person.first_name}."
    cast.close_window("returning")
    window.wait_for(button("Log out").inside(NAV), visible=False)
    cast.seeker = person


def post_like_comment(cast: Cast) -> None:
    window = seeker(cast)
    assert cast.seeker is not None
    words = f"Now hiring servers in Exuma {uuid.uuid4().hex[:6]}"
    window.goto("/")
    window.fill(field("Your post"), words)
    window.click(button("Post"))
    window.wait_for(css('[role="status"]', "Your post is live."))
    post = css("article", words)
    window.wait_for(heading(f"{cast.seeker.first_name} {cast.seeker.last_name}").inside(post))

    window.wait_for(css('button[aria-pressed="false"]', "Like").inside(post))
    window.click(button("Like").inside(post))
    window.wait_for(css('button[aria-pressed="true"]', "Like").inside(post))
    window.wait_for(text("1 like", exact=True).inside(post))

    window.click(link("0 comments").inside(post))
    window.wait_for(heading(f"Post by {cast.seeker.first_name} {cast.seeker.last_name}"))
    window.fill(field("Write a comment"), "Great place to work!")
    window.click(button("Comment"))
    window.wait_for(heading("Comments (1)"))
    window.wait_for(css("#comments li", "Great place to work!"), count=1)
    window.goto("/")
    window.wait_for(link("1 comment").inside(post))


def upload_profile_picture(cast: Cast) -> None:
    window = seeker(cast)
    assert cast.seeker is not None
    name = f"{cast.seeker.first_name} {cast.seeker.last_name}"
    picture = cast.files / "beach.png"
    Image.new("RGB", (640, 480), (0, 119, 139)).save(picture)

    window.goto("/profile/edit")
    window.upload(field("Choose a picture").inside(region("Profile picture")), picture)
    window.click(button("Upload picture").inside(region("Profile picture")))
    window.wait_for(css('[role="status"]', "Your profile picture was updated."))

    window.goto(f"/u/{username_of(window)}")
    avatar = css(f'img[alt="Profile picture of {name}"]')
    window.wait_for(avatar)
    src = window.attribute(avatar, "src") or ""
    assert re.fullmatch(r"/media/[0-9a-f-]+/thumb", src), src
    # The picture really loads, and it is the re-encoded thumbnail, not the original.
    window.wait_until(
        f"const img = document.querySelector('img[alt=\"Profile picture of {name}\"]');"
        " return img.complete && img.naturalWidth === 256;",
        "the 256 px thumbnail to load",
    )


def message_seen_live(cast: Cast) -> None:
    window = seeker(cast)
    assert cast.seeker is not None
    reader = friend(cast)
    words = f"Hi Bianca, is the chef job still open? ({cast.label})"
    reader.goto("/messages")
    reader.wait_for(heading("Messages"))
    mark_not_reloaded(reader)

    window.goto(f"/messages/new?to={cast.people.friend_username}")
    window.fill(field("Message"), words)
    window.click(button("Send"))
    assert cast.people.friend is not None
    window.wait_for(heading(f"{cast.people.friend.first_name} {cast.people.friend.last_name}"))
    window.wait_for(text(words))
    cast.conversation = "/messages/" + window.url().split("/messages/")[1].split("#")[0]

    # The friend's inbox updates by itself: the conversation, its message and the nav badge.
    reader.wait_for(link(f"{cast.seeker.first_name} {cast.seeker.last_name}", exact=False))
    reader.wait_for(text(words))
    reader.wait_for(css('[data-live-badge="notifications"]').inside(NAV), visible=False)
    assert_not_reloaded(reader)


def apply_employer_notified(cast: Cast) -> None:
    window = seeker(cast)
    assert cast.seeker is not None
    boss = employer(cast)
    people = cast.people
    boss.goto("/notifications")
    boss.wait_for(heading("Notifications"))
    mark_not_reloaded(boss)

    window.goto(f"/jobs?q={people.job_marker}")
    window.click(link(people.job_title))
    window.wait_for(heading(people.job_title))
    window.fill(field("Cover letter"), "Ten years on the line at Arawak Cay.")
    # The CV choice opens or folds the file field, which moves the form: once the page's script
    # has laid it out (the upload field open, the default), choose, and be sure it took.
    window.wait_for(field("CV file"))
    window.click(css("label[for=cv-none]"))
    if window.count(css("#cv-none:checked")) == 0:
        # Firefox on a phone now and then takes the label's click while the form still moves
        # (seen in 1 of 4 full runs); clicking the radio itself is what a person does next.
        window.click(css("#cv-none"))
    window.wait_for(css("#cv-none:checked"))
    window.click(button("Send application"))
    window.wait_for(css(".application-stage", "Applied"))  # back on the job, at its stage
    window.goto("/applications")
    window.wait_for(heading("My applications"))
    window.wait_for(text("Applied", exact=True).inside(css("tr", people.job_title)))

    # The employer's notification list updates by itself.
    boss.wait_for(link(f"{cast.seeker.first_name} {cast.seeker.last_name} applied to {people.job_title}."))
    assert_not_reloaded(boss)


def subscribe_pro(cast: Cast) -> None:
    window = seeker(cast)
    path = conversation(cast)
    window.goto(path)
    sent = window.count(MESSAGES)
    # Free: the eleventh message in a conversation you started this month is refused.
    for number in range(sent + 1, FREE_MESSAGES + 1):
        send(window, f"Message {number}")
        window.wait_for(MESSAGES, count=number)
    send(window, f"Message {FREE_MESSAGES + 1}")
    window.wait_for(text(re.compile(r"Upgrade to Pro \(\$9\.99/month\)")))
    window.wait_for(MESSAGES, count=FREE_MESSAGES)

    window.goto("/pricing")
    window.click(button("Choose Pro · $9.99/month").inside(region("Pro")))
    window.wait_for(heading("HireMeBahamas Pro"))
    window.click(button("Pay $9.99/month"))
    window.wait_for(heading(re.compile(r"^Your plan: Pro")))
    cast.pro = True

    # The limit is lifted at once.
    window.goto(path)
    send(window, f"Message {FREE_MESSAGES + 1}")
    window.wait_for(MESSAGES, count=FREE_MESSAGES + 1)


def cancel_downgrade_at_period_end(cast: Cast) -> None:
    window = seeker(cast)
    if not cast.pro:
        subscribe_pro(cast)
    window.goto("/account/billing")
    window.click(link("Cancel plan"))
    window.wait_for(heading("Cancel Pro?"))
    window.click(button("Yes, cancel Pro"))
    status = window.text(css(".plan-status", "Pro until"))
    assert re.match(r"Pro until \d{1,2} \w{3} \d{4}\.", status), status
    window.wait_for(button("Reactivate Pro"))
    me = window.evaluate("return (await fetch('/api/subscriptions/me')).json();")
    assert (me["tier"], me["cancel_at_period_end"]) == ("pro", True), me

    # Still Pro until the period ends: the limit stays lifted.
    window.goto(conversation(cast))
    count = window.count(MESSAGES)
    send(window, "One more before the period ends")
    window.wait_for(MESSAGES, count=count + 1)


FLOWS = (
    register_verify_log_in,
    post_like_comment,
    upload_profile_picture,
    message_seen_live,
    apply_employer_notified,
    subscribe_pro,
    cancel_downgrade_at_period_end,
)
