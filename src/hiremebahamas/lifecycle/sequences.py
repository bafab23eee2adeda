"""The welcome sequences, declared in one place: for each account type, its steps in order,
each with its delay after joining, its words, where its button leads, and the goal that makes
it pointless (lifecycle/goals.py: the step is skipped for whoever already did it).

Adding a step is adding a `Step(...)` line here: the runner (welcome.py), the template
(mail/lifecycle/step.jinja) and the sent log take it from there. `{first_name}` in the texts is
the reader's first name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from hiremebahamas.lifecycle import goals
from hiremebahamas.models import AccountType


@dataclass(frozen=True)
class Step:
    key: str
    delay: timedelta
    subject: str
    heading: str
    paragraphs: tuple[str, ...]
    # The button: its label and the site's path it opens.
    action: tuple[str, str]
    goal: goals.Goal | None = None
    # Whether the email lists open jobs that match the reader's skills.
    shows_matching_jobs: bool = False


SEEKER = (
    Step(
        "welcome",
        timedelta(0),
        "Welcome to HireMeBahamas, {first_name}",
        "Welcome, {first_name}!",
        (
            "HireMeBahamas is where Bahamian employers post jobs and find people to hire.",
            "In the next few days we will send you a few short tips to get the most out of it.",
        ),
        ("Find a job", "/jobs"),
    ),
    Step(
        "profile",
        timedelta(days=2),
        "Complete your profile so employers can find you",
        "Let employers find you",
        (
            "Employers search the talent directory for people who are available for hire.",
            "Write a headline, add your skills and turn on “available for hire”: it takes two minutes.",
        ),
        ("Complete your profile", "/profile/edit"),
        goal=goals.profile_ready,
    ),
    Step(
        "jobs",
        timedelta(days=5),
        "Jobs that match your skills",
        "Jobs that match your skills",
        ("Here are open jobs that ask for skills on your profile.",),
        ("See jobs for you", "/jobs/for-you"),
        goal=goals.applied,
        shows_matching_jobs=True,
    ),
    Step(
        "alert",
        timedelta(days=10),
        "Never miss a job: set a job alert",
        "Never miss a job",
        (
            "Save a search as a job alert and we will email you new jobs that match it,"
            " daily or as soon as they are posted.",
        ),
        ("Set a job alert", "/jobs/alerts"),
        goal=goals.has_job_alert,
    ),
)

EMPLOYER = (
    Step(
        "welcome",
        timedelta(0),
        "Welcome to HireMeBahamas, {first_name}",
        "Welcome, {first_name}!",
        (
            "HireMeBahamas is where Bahamian employers find people to hire.",
            "In the next few days we will send you a few short tips to find your next hire.",
        ),
        ("Get started", "/companies/new"),
    ),
    Step(
        "company",
        timedelta(days=2),
        "Create your company page",
        "Create your company page",
        (
            "Candidates look at who is hiring."
            " A company page with your logo and a few words about you earns their trust.",
        ),
        ("Create your company page", "/companies/new"),
        goal=goals.has_company,
    ),
    Step(
        "first_job",
        timedelta(days=4),
        "Post your first job",
        "Post your first job",
        (
            "Post jobs with the Business plan:"
            " they appear in search, in job alerts and on the jobs page of your company.",
            "Applications arrive in one place, where you can move candidates along.",
        ),
        ("Post a job", "/jobs/new"),
        goal=goals.posted_job,
    ),
    Step(
        "talent",
        timedelta(days=10),
        "Search the talent directory",
        "Find people before they apply",
        (
            "The talent directory lists people who are available for hire, by skill and island."
            " Message the ones you like.",
        ),
        ("Search the talent directory", "/talent"),
    ),
)

SEQUENCES: dict[AccountType, tuple[Step, ...]] = {AccountType.JOB_SEEKER: SEEKER, AccountType.EMPLOYER: EMPLOYER}


def step_key(account_type: AccountType, step: Step) -> str:
    """The step's name in the sent log."""
    return f"welcome:{account_type.value}:{step.key}"


def find_step(key: str) -> tuple[AccountType, Step] | None:
    for account_type, steps in SEQUENCES.items():
        for step in steps:
            if step_key(account_type, step) == key:
                return account_type, step
    return None
