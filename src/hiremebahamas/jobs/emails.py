"""The emails the marketplace sends. Links are absolute, built from BASE_URL."""

from __future__ import annotations

from hiremebahamas.config import Settings
from hiremebahamas.core.email import OutgoingEmail
from hiremebahamas.core.templating import render_text
from hiremebahamas.jobs.postings.cards import JobCard, job_path
from hiremebahamas.jobs.postings.labels import APPLICATION_STATUS_LABELS
from hiremebahamas.models import ApplicationStatus, Company, Job, JobApplication, User


def absolute(settings: Settings, path: str) -> str:
    return f"{settings.base_url.rstrip('/')}{path}"


def _email(
    user: User, subject: str, template: str, headers: dict[str, str] | None = None, **context: object
) -> OutgoingEmail:
    context = {"user": user, "subject": subject, **context}
    return OutgoingEmail(
        to=user.email,
        subject=subject,
        text=render_text(f"jobs/emails/{template}.txt", **context),
        html=render_text(f"jobs/emails/{template}.html", **context),
        headers=headers or {},
    )


def application_received(
    settings: Settings, member: User, applicant: User, job: Job, company: Company, application: JobApplication
) -> OutgoingEmail:
    return _email(
        member,
        f"New application for {job.title}",
        "application_received",
        applicant=applicant,
        job=job,
        company=company,
        link=absolute(settings, f"/jobs/{job.id}/applicants"),
    )


def application_status_changed(
    settings: Settings, seeker: User, job: Job, company: Company, status: ApplicationStatus
) -> OutgoingEmail:
    label = APPLICATION_STATUS_LABELS[status]
    return _email(
        seeker,
        f"Your application for {job.title} at {company.name}: {label}",
        "application_status_changed",
        job=job,
        company=company,
        status=status.value,
        status_label=label,
        link=absolute(settings, "/applications"),
        job_link=absolute(settings, job_path(job)),
    )


def job_alert(
    settings: Settings,
    user: User,
    description: str,
    cards: list[JobCard],
    *,
    unsubscribe_page: str,
    unsubscribe_one_click: str,
    digest: bool,
) -> OutgoingEmail:
    count = len(cards)
    if digest:
        subject = f"{count} new job{'s' if count != 1 else ''}: {description}"
    else:
        subject = f"New job: {cards[0].job.title} at {cards[0].company.name}"
    jobs = [(card, absolute(settings, card.url)) for card in cards]
    # RFC 8058 one-click unsubscribe: mail clients POST to this address, no sign-in needed.
    headers = {
        "List-Unsubscribe": f"<{unsubscribe_one_click}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    return _email(
        user,
        subject,
        "job_alert",
        headers,
        description=description,
        jobs=jobs,
        digest=digest,
        unsubscribe=unsubscribe_page,
        manage=absolute(settings, "/jobs/alerts"),
    )
