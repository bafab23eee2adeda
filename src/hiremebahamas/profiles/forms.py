"""Turning the profile edit page's form fields into the API's input models, and back."""

from __future__ import annotations

import re
from typing import Any

from hiremebahamas.models import Profile, User
from hiremebahamas.profiles.schemas import MAX_LINKS
from hiremebahamas.profiles.skills import normalise_skills

LINK_ROWS = MAX_LINKS
_SKILL_SEPARATORS = re.compile(r"[,\n]")


def split_skills(text: str) -> list[str]:
    """The form takes skills as one comma-separated line."""
    return [part for part in _SKILL_SEPARATORS.split(text) if part.strip()]


def profile_form(user: User, profile: Profile, skills: list[str]) -> dict[str, Any]:
    """The edit form's values for the current state."""
    links = list(profile.links) + [{"label": "", "url": ""}] * LINK_ROWS
    return {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "username": user.username,
        "headline": profile.headline,
        "bio": profile.bio,
        "island": profile.island.value if profile.island else "",
        "skills": ", ".join(skills),
        "available_for_hire": profile.available_for_hire,
        "visibility": profile.visibility.value,
        "links": [{"label": link.get("label", ""), "url": link.get("url", "")} for link in links[:LINK_ROWS]],
    }


def filled_link_rows(form: dict[str, Any]) -> list[int]:
    """Which of the form's link rows were filled in (blank rows are not links)."""
    return [i for i, link in enumerate(form["links"]) if link["url"].strip() or link["label"].strip()]


def submitted_profile(form: dict[str, Any]) -> dict[str, Any]:
    """The form's values as PATCH /api/users/me would take them (ValidationFailed for skills the
    service would refuse)."""
    links = [{**form["links"][i], "url": form["links"][i]["url"].strip()} for i in filled_link_rows(form)]
    return {
        "first_name": form["first_name"],
        "last_name": form["last_name"],
        "username": form["username"].strip(),  # a form forgives what the API refuses
        "headline": form["headline"],
        "bio": form["bio"],
        "island": form["island"] or None,
        # Tidied here so a page shows the service's words about them, not the schema's.
        "skills": normalise_skills(split_skills(form["skills"])),
        "available_for_hire": form["available_for_hire"],
        "visibility": form["visibility"],
        "links": links,
    }


def link_errors(errors: dict[str, str], form: dict[str, Any]) -> dict[str, str]:
    """Point "links.<n>.<field>" (n counts filled rows only) at the form row it came from, as
    "link_<field>_<row>", and give the links fieldset the first message."""
    rows = filled_link_rows(form)
    for key, message in list(errors.items()):
        parts = key.split(".")
        if parts[0] != "links":
            continue
        errors.setdefault("links", message)
        if len(parts) == 3 and parts[1].isdigit() and int(parts[1]) < len(rows):
            errors[f"link_{parts[2]}_{rows[int(parts[1])]}"] = message
    return errors
