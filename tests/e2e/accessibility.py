"""axe-core over a page in the browser: every WCAG 2.x A and AA rule and axe's best practices.

The script is evaluated through Playwright rather than added as a <script> element, so the
site's Content-Security-Policy stays as strict as in production while it runs."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
RULE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


@cache
def _axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


def _described(violation: dict[str, Any]) -> str:
    nodes = "\n".join(f"    {node['target']}: {node['failureSummary']}" for node in violation["nodes"][:5])
    return f"  {violation['id']} ({violation['impact']}): {violation['help']}\n{nodes}"


def axe_violations(page: Page) -> list[str]:
    """What axe finds wrong with the page as it is now, one described rule each."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        RULE_TAGS,
    )
    return [_described(violation) for violation in result["violations"]]
