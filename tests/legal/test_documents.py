"""The legal documents: packaged text with this installation's figures, and an operator's
replacements from LEGAL_DIR."""

from __future__ import annotations

from pathlib import Path

import pytest

from hiremebahamas.legal.documents import SLUGS, DocumentError, current_terms_version, document, parse
from tests.conftest import make_settings


def test_every_packaged_document_has_a_version_and_the_settings_figures(tmp_path: Path) -> None:
    settings = make_settings(
        var_dir=tmp_path, legal_company_name="Conch Careers Ltd", account_deletion_grace_days=45,
        analytics_retention_days=90, legal_contact_email="help@conch.bs",
    )  # fmt: skip
    for slug in SLUGS:
        found = document(settings, slug)
        assert found.version
        assert found.title
        assert "{{" not in found.html
        assert "Conch Careers Ltd" in found.html
        assert "help@conch.bs" in found.html
    privacy = document(settings, "privacy").html
    assert "erased after 45 days" in privacy
    assert "deleted after 90 days" in privacy
    for processor in ("Stripe", "SendGrid", "Sentry", "Cloudflare R2"):
        assert processor in privacy
    cookies = document(settings, "cookies").html
    for cookie in ("hmb_session", "hmb_csrf", "hmb_flash", "hmb_consent"):
        assert cookie in cookies
    assert "14 days" in document(settings, "refunds").html


def test_a_file_in_legal_dir_replaces_the_packaged_one_and_is_sanitised(tmp_path: Path) -> None:
    (tmp_path / "terms.md").write_text(
        "---\ntitle: Our terms\nversion: 2027-01\neffective: 2027-01-15\n---\n"
        "Hello from {{ company_name }}.\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1))\n"
    )
    settings = make_settings(var_dir=tmp_path, legal_dir=tmp_path, legal_company_name="Nassau Works")
    terms = document(settings, "terms")
    assert (terms.title, terms.version, terms.effective.isoformat()) == ("Our terms", "2027-01", "2027-01-15")
    assert current_terms_version(settings) == "2027-01"
    assert "Hello from Nassau Works." in terms.html
    assert "<script>" not in terms.html
    assert 'href="javascript' not in terms.html
    assert document(settings, "privacy").title == "Privacy Policy"  # not replaced: the packaged one


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("no front matter", "must start with a front matter"),
        ("---\ntitle: T\nversion: 1\n---\nbody", "lacks effective"),
        ("---\ntitle: T\nversion: 1\neffective: soon\n---\nbody", "not YYYY-MM-DD"),
    ],
)
def test_a_document_without_its_front_matter_is_refused(text: str, problem: str) -> None:
    with pytest.raises(DocumentError, match=problem):
        parse("terms", text, {})
