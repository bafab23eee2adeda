"""The kinds of notification, how each reads in the list, and which may be emailed.

Types are dotted names chosen by the domain that notifies: `follow.created`, `post.liked`,
`post.commented`, `post.mentioned`, `message.created`, `application.created`,
`application.withdrawn`, `application.status_changed`, `subscription.<event>`,
`billing.tier_comped`, `billing.tier_comp_ended`. An unknown type still shows, with a generic
text.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

MESSAGE_CREATED = "message.created"
JOB_TAKEN_DOWN = "job.taken_down"
TIER_COMPED = "billing.tier_comped"
TIER_COMP_ENDED = "billing.tier_comp_ended"
REPORT_RESOLVED = "moderation.report_resolved"
CONTENT_REMOVED = "moderation.content_removed"
WARNING = "moderation.warning"
# Emails that are not about a notification: the welcome sequence, the weekly digest, and
# newsletters and announcements (marketing: only to those who opted in).
WELCOME = "lifecycle.welcome"
DIGEST = "digest.weekly"
MARKETING = "marketing_email"


@dataclass(frozen=True)
class NotificationKind:
    type: str
    # Shown on the email preferences page.
    label: str
    # Only these can be emailed; people may turn each off (or, for marketing, on).
    emailable: bool = False
    # Whether it is emailed before the person chooses: marketing email waits for an opt-in.
    email_default: bool = True


KINDS: dict[str, NotificationKind] = {
    kind.type: kind
    for kind in (
        NotificationKind("application.created", "Someone applies to a job you hire for", emailable=True),
        NotificationKind("application.status_changed", "Your application moves on (or is closed)", emailable=True),
        NotificationKind(MESSAGE_CREATED, "A message is still unread after 15 minutes", emailable=True),
        NotificationKind("subscription.updated", "Changes to your subscription and payments", emailable=True),
        NotificationKind(WELCOME, "You have just joined: tips for your first days", emailable=True),
        NotificationKind(DIGEST, "A week has passed: a digest of what is new for you", emailable=True),
        NotificationKind(
            MARKETING, "HireMeBahamas has product news or an announcement", emailable=True, email_default=False
        ),
        NotificationKind("application.withdrawn", "An applicant withdraws"),
        NotificationKind("follow.created", "Someone follows you"),
        NotificationKind("post.liked", "Someone likes your post"),
        NotificationKind("post.commented", "Someone comments on your post"),
        NotificationKind("post.mentioned", "Someone mentions you"),
        NotificationKind(JOB_TAKEN_DOWN, "Moderators take down a job you posted"),
        NotificationKind(TIER_COMPED, "The team gives you a paid plan for free"),
        NotificationKind(TIER_COMP_ENDED, "A plan the team gave you ends early"),
        NotificationKind(REPORT_RESOLVED, "Moderators deal with something you reported"),
        NotificationKind(CONTENT_REMOVED, "Moderators remove something you wrote"),
        NotificationKind(WARNING, "Moderators warn you"),
    )
}


def preference_type(type_: str) -> str:
    """The preference a type is governed by: every `subscription.*` event shares one."""
    return "subscription.updated" if type_.startswith("subscription.") else type_


def emailable_kinds() -> list[NotificationKind]:
    return [kind for kind in KINDS.values() if kind.emailable]


def is_emailable(type_: str) -> bool:
    kind = KINDS.get(preference_type(type_))
    return kind is not None and kind.emailable


@dataclass(frozen=True)
class Described:
    text: str
    url: str | None


Describer = Callable[[str, Mapping[str, Any]], Described]


def _status(data: Mapping[str, Any]) -> str:
    """The stage's label as the jobs domain wrote it (jobs/postings/labels.py); notifications
    from before it did carry only the raw value, shown capitalised."""
    if label := data.get("status_label"):
        return str(label)
    return str(data.get("status", "updated")).replace("_", " ").capitalize()


def _post_url(data: Mapping[str, Any]) -> str | None:
    return f"/posts/{data['post_id']}" if data.get("post_id") else None


_DESCRIBERS: dict[str, Describer] = {
    "follow.created": lambda actor, data: Described(
        f"{actor} started following you.", f"/u/{data.get('username', '')}"
    ),
    "post.liked": lambda actor, data: Described(f"{actor} liked your post.", _post_url(data)),
    "post.commented": lambda actor, data: Described(f"{actor} commented on your post.", _post_url(data)),
    "post.mentioned": lambda actor, data: Described(f"{actor} mentioned you.", _post_url(data)),
    MESSAGE_CREATED: lambda actor, data: Described(
        f"{actor} sent you a message.",
        f"/messages/{data['conversation_id']}" if data.get("conversation_id") else "/messages",
    ),
    "application.created": lambda actor, data: Described(
        f"{actor} applied to {data.get('job_title', 'your job')}.",
        f"/jobs/{data['job_id']}/applicants" if data.get("job_id") else None,
    ),
    "application.withdrawn": lambda actor, data: Described(
        f"{actor} withdrew their application for {data.get('job_title', 'your job')}.",
        f"/jobs/{data['job_id']}/applicants" if data.get("job_id") else None,
    ),
    "application.status_changed": lambda actor, data: Described(
        f"Your application for {data.get('job_title', 'a job')} is now: {_status(data)}.",
        "/applications",
    ),
    REPORT_RESOLVED: lambda _actor, data: Described(
        "Thank you: moderators looked into what you reported"
        + (" and took action." if data.get("action") == "actioned" else " and found it within the rules."),
        None,
    ),
    CONTENT_REMOVED: lambda _actor, data: Described(
        f"Moderators removed your {data.get('kind', 'content')}" + (f": {data['note']}" if data.get("note") else "."),
        data.get("url") or None,
    ),
    WARNING: lambda _actor, data: Described(
        "A warning from the moderators" + (f": {data['note']}" if data.get("note") else "."), data.get("url") or None
    ),
    JOB_TAKEN_DOWN: lambda _actor, data: Described(
        f"Moderators took down {data.get('job_title', 'a job you posted')}: {data.get('reason', '')}",
        f"/jobs/{data['job_id']}" if data.get("job_id") else None,
    ),
    TIER_COMPED: lambda _actor, data: Described(
        f"You have {data.get('tier_name', 'a paid plan')} for free until {data.get('until', 'further notice')}"
        f", courtesy of the HireMeBahamas team.",
        "/account/billing",
    ),
    TIER_COMP_ENDED: lambda _actor, data: Described(
        f"The complimentary {data.get('tier_name', 'plan')} the team gave you has ended.", "/account/billing"
    ),
}


def describe(type_: str, actor_name: str | None, data: Mapping[str, Any]) -> Described:
    """What the notification says, and where it leads."""
    describer = _DESCRIBERS.get(type_)
    if describer is not None:
        return describer(actor_name or "Someone", data)
    if type_.startswith("subscription."):
        return Described(str(data.get("message") or "Your subscription changed."), "/account/billing")
    return Described(str(data.get("message") or "Something happened."), None)
