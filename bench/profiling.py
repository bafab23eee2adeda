"""Where a scenario's time goes under load: py-spy samples the server's processes (the gunicorn
workers and the task worker) during the measured window, from outside them, so the code under
test runs unchanged. Issue 9 asks for the profile of every target that is missed.

Each scenario leaves `<name>.folded`, the collapsed stacks (speedscope.app or flamegraph.pl draw
them), and `<name>.txt`: the functions that hold most of the busy samples, counted inclusively (a
function and everything it calls) and by their own code."""

from __future__ import annotations

import collections
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

SAMPLE_RATE = 200
"""Samples a second per process: enough for a 10 s window, light enough not to change it."""
TOP = 40


def executable() -> str | None:
    return shutil.which("py-spy")


@dataclass
class Recording:
    """py-spy recording one process tree; `finish` waits for it and writes the summaries."""

    name: str
    directory: Path
    processes: list[subprocess.Popen[bytes]]

    def finish(self, timeout: float) -> Path:
        for process in self.processes:
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        folded = [self.directory / f"{self.name}-{index}.folded" for index in range(len(self.processes))]
        stacks = collections.Counter[str]()
        for path in folded:
            stacks.update(read_folded(path))
            path.unlink(missing_ok=True)
        (self.directory / f"{self.name}.folded").write_text(
            "".join(f"{stack} {count}\n" for stack, count in stacks.most_common())
        )
        summary = self.directory / f"{self.name}.txt"
        summary.write_text(summarise(stacks))
        return summary


def start(name: str, directory: Path, pids: list[int], *, duration: float) -> Recording:
    """Record each process tree (`--subprocesses`: the gunicorn master's workers) for
    `duration` seconds from now, without pausing them."""
    binary = executable()
    if binary is None:
        raise RuntimeError("--profile needs py-spy (in the dev dependencies: uv sync)")
    directory.mkdir(parents=True, exist_ok=True)
    processes = []
    for index, pid in enumerate(pids):
        command = [binary, "record", "--pid", str(pid), "--subprocesses", "--nonblocking"]
        command += ["--rate", str(SAMPLE_RATE), "--duration", str(max(1, round(duration)))]
        command += ["--format", "raw", "--output", str(directory / f"{name}-{index}.folded")]
        processes.append(
            subprocess.Popen(  # noqa: S603 - py-spy, found on PATH, on our own processes
                command,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
        )
    return Recording(name=name, directory=directory, processes=processes)


def read_folded(path: Path) -> collections.Counter[str]:
    stacks = collections.Counter[str]()
    if not path.exists():
        return stacks
    for line in path.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            stacks[stack] += int(count)
    return stacks


def _frame_name(frame: str) -> str:
    """`handle (hiremebahamas/posts/api.py:41)` -> `hiremebahamas/posts/api.py:handle`: one row per
    function, not per line sampled."""
    function, _, where = frame.partition(" (")
    where = where.rstrip(")")
    filename = where.rsplit(":", 1)[0]
    for marker in ("site-packages/", "src/", "lib/python3"):
        if marker in filename:
            filename = filename.split(marker, 1)[1]
            break
    return f"{filename}:{function}" if filename else function


LIBRARIES = ("sqlalchemy", "asyncpg", "fastapi", "starlette", "pydantic", "jinja2", "redis", "arq", "uvicorn", "orjson")


def summarise(stacks: collections.Counter[str]) -> str:
    total = sum(stacks.values())
    if not total:
        return "no samples (py-spy could not attach, or the window was empty)\n"
    inclusive = collections.Counter[str]()
    own = collections.Counter[str]()
    libraries = collections.Counter[str]()
    task_worker = 0
    for stack, count in stacks.items():
        raw = [frame for frame in stack.split(";") if frame]
        # py-spy names the process (and, with --subprocesses, its parent) before the functions.
        processes = [frame for frame in raw if frame.startswith("process ")]
        if processes and " worker" in processes[-1] and "gunicorn" not in processes[-1]:
            task_worker += count
        frames = [_frame_name(frame) for frame in raw if not frame.startswith(("process ", "thread "))]
        for frame in set(frames):
            inclusive[frame] += count
        for library in {frame.split("/", 1)[0] for frame in frames} & set(LIBRARIES):
            libraries[library] += count
        if frames:
            own[frames[-1]] += count

    def share(count: int) -> str:
        return f"{100 * count / total:6.1f} %"

    lines = [
        f"{total} samples of running code (py-spy leaves out threads that wait); "
        f"the task worker {share(task_worker).strip()}, the web workers the rest",
        "",
        "libraries, inclusive (the samples with any of its functions on the stack)",
    ]
    lines += [f"{share(count)}  {library}" for library, count in libraries.most_common()]
    lines += ["", "the project's functions, inclusive (the function and what it calls)"]
    project = [(frame, count) for frame, count in inclusive.most_common() if frame.startswith("hiremebahamas/")]
    lines += [f"{share(count)}  {frame}" for frame, count in project[:TOP]]
    lines += ["", "self (the function's own code)"]
    lines += [f"{share(count)}  {frame}" for frame, count in own.most_common(TOP)]
    return "\n".join(lines) + "\n"
