"""A closing summary of the Schemathesis probes: each distinct failure once, with each operation
it was found on and the request that shows it there (the full reports above are long)."""

from __future__ import annotations

import re
from collections import defaultdict

import pytest

_TITLE = re.compile(r"^\s*(?:\| )?- (ST\d+ .+)$", re.MULTILINE)
_CURL = re.compile(r"^\s*(?:\| )?\s*(curl .+)$", re.MULTILINE)
_STATUS = re.compile(r"^\s*(?:\| )?\s*\[(\d{3})\] ", re.MULTILINE)
_OPERATION = re.compile(r"\[((?:GET|PUT|POST|PATCH|DELETE|HEAD|OPTIONS) [^\]]+)\]")
_ENGINE = re.compile(r"\[(sqlite|postgresql)\]")
_WHO = {"test_as_job_seeker": "job seeker", "test_as_employer": "employer", "test_anonymous": "anonymous"}


# failure title -> operation (and who asked) -> the status and the request that showed it
_FOUND: dict[str, dict[str, str]] = defaultdict(dict)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if not report.failed or "Schemathesis found" not in report.longreprtext:
        return
    operation = _OPERATION.search(report.nodeid)
    engine = _ENGINE.search(report.nodeid)
    who = next((name for test, name in _WHO.items() if f"::{test}[" in report.nodeid), "?")
    label = f"{operation.group(1) if operation else report.nodeid} ({who}, {engine.group(1) if engine else '?'})"
    curl = _CURL.search(report.longreprtext)
    status = _STATUS.search(report.longreprtext)
    example = f"{status.group(1) if status else '?'} for {curl.group(1) if curl else '?'}"
    for title in _TITLE.findall(report.longreprtext):
        _FOUND[title][label] = example


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not _FOUND:
        return
    terminalreporter.section("probe findings: each distinct failure, where, and a request that shows it")
    for title, where in sorted(_FOUND.items(), key=lambda item: -len(item[1])):
        terminalreporter.line(f"{title}: {len(where)} operations")
        for label, example in where.items():
            terminalreporter.line(f"    {label}: {example}")
