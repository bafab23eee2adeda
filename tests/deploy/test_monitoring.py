"""The alert rules and the dashboard under deploy/: valid, firing on what they are about, and
watching metrics the app really exports."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from prometheus_client import REGISTRY

import hiremebahamas.core.db
import hiremebahamas.core.metrics
import hiremebahamas.core.realtime
import hiremebahamas.core.replicas  # noqa: F401 - each defines some of the metrics

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
RULES = DEPLOY / "prometheus" / "alerts.yml"
# Host figures come from node_exporter (or the platform's exporter with its names).
NODE_EXPORTER = {"node_cpu_seconds_total", "node_memory_MemAvailable_bytes", "node_memory_MemTotal_bytes"}
_METRIC = re.compile(r"\b(?:http|hmb|node|background|rate_limited|websocket)_\w+")
_SUFFIXES = {"counter": ("_total",), "histogram": ("_bucket", "_count", "_sum"), "gauge": ("",)}


def _promtool(*arguments: str) -> subprocess.CompletedProcess[str]:
    promtool = shutil.which("promtool")
    assert promtool, "promtool is missing: install the Debian package 'prometheus' (scripts/ensure-system-packages)"
    return subprocess.run(
        [promtool, *arguments], cwd=RULES.parent, capture_output=True, text=True, timeout=60, check=False
    )


def test_the_alert_rules_load() -> None:
    checked = _promtool("check", "rules", RULES.name)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_each_alert_fires_on_what_it_is_about() -> None:
    tested = _promtool("test", "rules", "alerts_test.yml")
    assert tested.returncode == 0, tested.stdout + tested.stderr


def _exported() -> set[str]:
    names: set[str] = set()
    for family in REGISTRY.collect():
        names.update(family.name + suffix for suffix in _SUFFIXES.get(family.type, ("",)))
    return names


def _expressions() -> list[str]:
    rules = yaml.safe_load(RULES.read_text())
    found = [rule["expr"] for group in rules["groups"] for rule in group["rules"]]
    dashboard = json.loads((DEPLOY / "grafana" / "hiremebahamas.json").read_text())
    return found + [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]


@pytest.mark.parametrize("expression", _expressions())
def test_rules_and_panels_watch_metrics_that_exist(expression: str) -> None:
    used = set(_METRIC.findall(expression))
    assert used, expression
    assert used <= _exported() | NODE_EXPORTER, used - _exported() - NODE_EXPORTER


def test_the_dashboard_is_one_grafana_can_import() -> None:
    dashboard = json.loads((DEPLOY / "grafana" / "hiremebahamas.json").read_text())
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    assert dashboard["uid"]
    assert dashboard["schemaVersion"] >= 36
    assert all(panel["datasource"]["uid"] == "${datasource}" for panel in dashboard["panels"])
