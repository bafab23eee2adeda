"""What the operator sees: a progress bar per table while loading, a summary table at the end."""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, Task, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from hiremebahamas.demo.writer import TableStats


class RateColumn(ProgressColumn):
    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.0f} rows/s" if speed else "", style="progress.data.speed")


def progress_bars(console: Console) -> Progress:
    return Progress(
        TextColumn("{task.description:<26}"),
        BarColumn(),
        MofNCompleteColumn(),
        RateColumn(),
        TimeElapsedColumn(),
        console=console,
    )


def summary(stats: dict[str, TableStats], total_seconds: float) -> Table:
    """One line per table: rows, and seconds spent writing them; the total is wall-clock time,
    generating the rows included."""
    table = Table(title="Demo data loaded", box=box.SIMPLE)
    table.add_column("table")
    table.add_column("rows", justify="right")
    table.add_column("write seconds", justify="right")
    for name, stat in stats.items():
        table.add_row(name, f"{stat.rows:,}", f"{stat.seconds:.2f}")
    table.add_row("total", f"{sum(s.rows for s in stats.values()):,}", f"{total_seconds:.1f}", style="bold")
    return table
