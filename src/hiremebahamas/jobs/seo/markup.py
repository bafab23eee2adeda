"""What search engines and feed readers get: schema.org JobPosting JSON-LD on job pages, the
sitemap of open jobs, and Atom feeds of searches.

JobPosting follows Google's job posting guidelines: the required properties (title,
description, datePosted, hiringOrganization, jobLocation — or, for remote work,
applicantLocationRequirements with jobLocationType TELECOMMUTE) and the recommended ones
(validThrough, employmentType, baseSalary, identifier, directApply). Only a live job's page
carries it: an expired or closed posting must not be offered as open.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from xml.etree.ElementTree import Element, SubElement, tostring

from markupsafe import Markup

from hiremebahamas.config import Settings
from hiremebahamas.jobs.emails import absolute
from hiremebahamas.jobs.postings.cards import JobCard
from hiremebahamas.models import EmploymentType, Island, SalaryPeriod

_EMPLOYMENT_TYPES = {
    EmploymentType.FULL_TIME: "FULL_TIME",
    EmploymentType.PART_TIME: "PART_TIME",
    EmploymentType.CONTRACT: "CONTRACTOR",
    EmploymentType.TEMPORARY: "TEMPORARY",
    EmploymentType.INTERNSHIP: "INTERN",
    EmploymentType.SEASONAL: "OTHER",
}
_UNIT_TEXT = {SalaryPeriod.HOUR: "HOUR", SalaryPeriod.MONTH: "MONTH", SalaryPeriod.YEAR: "YEAR"}
# The main town of an island, where there is one people search for.
_LOCALITY = {Island.NEW_PROVIDENCE: "Nassau", Island.GRAND_BAHAMA: "Freeport"}
ATOM_NS = "http://www.w3.org/2005/Atom"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def _place(island: Island) -> dict[str, Any]:
    return {
        "@type": "Place",
        "address": {
            "@type": "PostalAddress",
            "addressLocality": _LOCALITY.get(island, island.label),
            "addressRegion": island.label,
            "addressCountry": "BS",
        },
    }


def _salary(card: JobCard) -> dict[str, Any] | None:
    job = card.job
    if job.salary_period is None or (job.salary_min is None and job.salary_max is None):
        return None
    value: dict[str, Any] = {"@type": "QuantitativeValue", "unitText": _UNIT_TEXT[job.salary_period]}
    if job.salary_min is not None and job.salary_max is not None and job.salary_min != job.salary_max:
        value.update(minValue=job.salary_min, maxValue=job.salary_max)
    else:
        value["value"] = job.salary_max if job.salary_max is not None else job.salary_min
    return {"@type": "MonetaryAmount", "currency": job.currency, "value": value}


def job_posting(settings: Settings, card: JobCard, logo_url: str | None = None) -> dict[str, Any]:
    job, company = card.job, card.company
    organization: dict[str, Any] = {"@type": "Organization", "name": company.name}
    if company.website:
        organization["sameAs"] = company.website
    if logo_url:
        organization["logo"] = absolute(settings, logo_url)
    data: dict[str, Any] = {
        "@context": "https://schema.org/",
        "@type": "JobPosting",
        "title": job.title,
        "description": job.description_html,
        "identifier": {"@type": "PropertyValue", "name": company.name, "value": str(job.id)},
        "datePosted": (job.published_at or job.created_at).isoformat(),
        "validThrough": job.valid_through.isoformat(),
        "employmentType": _EMPLOYMENT_TYPES[job.employment_type],
        "hiringOrganization": organization,
        "directApply": True,
        "url": absolute(settings, card.url),
    }
    if job.remote:
        data["jobLocationType"] = "TELECOMMUTE"
        data["applicantLocationRequirements"] = {"@type": "Country", "name": "Bahamas"}
    if job.island is not None:
        data["jobLocation"] = _place(job.island)
    if salary := _salary(card):
        data["baseSalary"] = salary
    return data


def json_ld(data: dict[str, Any]) -> Markup:
    """JSON for a <script type="application/ld+json"> block. `<`, `>` and `&` are escaped as
    JSON unicode escapes, so no text inside (a job description says `</script>`, say) can end
    the block early; the JSON means the same."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)  # noqa: S704  # nosec B704  # reviewed: markup-significant characters are escaped above


def _xml(root: Element) -> str:
    return tostring(root, encoding="unicode", xml_declaration=True)


def sitemap(settings: Settings, entries: Iterable[tuple[str, datetime | None]]) -> str:
    root = Element("urlset", xmlns=SITEMAP_NS)
    for path, modified in entries:
        url = SubElement(root, "url")
        SubElement(url, "loc").text = absolute(settings, path)
        if modified is not None:
            SubElement(url, "lastmod").text = modified.date().isoformat()
    return _xml(root)


def atom_feed(
    settings: Settings, *, title: str, feed_path: str, page_path: str, cards: list[JobCard], updated: datetime
) -> str:
    root = Element("feed", xmlns=ATOM_NS)
    SubElement(root, "title").text = title
    SubElement(root, "id").text = absolute(settings, feed_path)
    SubElement(root, "updated").text = updated.isoformat()
    SubElement(root, "link", rel="self", type="application/atom+xml", href=absolute(settings, feed_path))
    SubElement(root, "link", rel="alternate", type="text/html", href=absolute(settings, page_path))
    author = SubElement(root, "author")
    SubElement(author, "name").text = "HireMeBahamas"
    for card in cards:
        job = card.job
        entry = SubElement(root, "entry")
        SubElement(entry, "title").text = f"{job.title} — {card.company.name}"
        SubElement(entry, "id").text = f"urn:uuid:{job.id}"
        SubElement(entry, "link", rel="alternate", type="text/html", href=absolute(settings, card.url))
        SubElement(entry, "published").text = (job.published_at or job.created_at).isoformat()
        SubElement(entry, "updated").text = job.updated_at.isoformat()
        entry_author = SubElement(entry, "author")
        SubElement(entry_author, "name").text = card.company.name
        details = [card.location, card.employment_type_label, card.salary or ""]
        SubElement(entry, "summary").text = " · ".join(part for part in details if part) + f"\n\n{card.summary}"
        SubElement(entry, "content", type="html").text = job.description_html
    return _xml(root)
