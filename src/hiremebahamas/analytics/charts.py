"""The dashboard's charts as SVG documents, drawn by pygal on the server.

The page shows each as an <img>, next to a table of the same numbers: an image runs no script,
so the charts need nothing from the page's Content-Security-Policy, and the page reads the same
without images. pygal's own script (tooltips) is left out.
"""

from __future__ import annotations

from datetime import date

import pygal
from pygal.style import Style

_STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1d3a4f",
    foreground_strong="#0b2233",
    foreground_subtle="#6b7f8e",
    colors=("#0a8ea0", "#f2b632", "#6a4c93", "#d1495b", "#2e933c"),
    font_family="system-ui, sans-serif",
)
# truncate_label=-1: pygal shortens labels to "…" when it thinks they are crowded.
_SIZE = {"width": 760, "height": 260, "style": _STYLE, "js": [], "show_dots": False, "truncate_label": -1}


def _labels(days: list[date]) -> list[str]:
    return [f"{day:%d %b}" for day in days]


def _every(days: list[date]) -> list[str]:
    """Some of the day labels, so they stay readable at 365 days."""
    step = max(1, len(days) // 8)
    return [label for n, label in enumerate(_labels(days)) if n % step == 0]


def line(title: str, days: list[date], series: dict[str, list[int]], *, money: bool = False) -> str:
    """One line per series; with `money`, the values are cents, drawn in dollars."""
    chart = pygal.Line(title=title, show_legend=len(series) > 1, x_labels_major_count=8, **_SIZE)
    chart.x_labels = _labels(days)
    chart.x_labels_major = _every(days)
    chart.show_minor_x_labels = False
    if money:
        chart.value_formatter = lambda dollars: f"${dollars:,.0f}"
    for name, values in series.items():
        chart.add(name, [value / 100 for value in values] if money else values)
    return str(chart.render(is_unicode=True))


def stacked_bars(title: str, days: list[date], series: dict[str, list[int]]) -> str:
    """Gains above the axis, losses below (MRR movements, in dollars)."""
    chart = pygal.StackedBar(title=title, x_labels_major_count=8, **_SIZE)
    chart.x_labels = _labels(days)
    chart.x_labels_major = _every(days)
    chart.show_minor_x_labels = False
    chart.value_formatter = lambda dollars: f"${dollars:,.0f}"
    for name, values in series.items():
        chart.add(name, [value / 100 for value in values])
    return str(chart.render(is_unicode=True))
