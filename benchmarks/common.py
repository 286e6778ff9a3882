"""Shared plumbing: paths, the normalised :class:`Finding`, offset conversions, timed commands.

Every tool reports positions its own way (UTF-8 bytes, UTF-16 code units, code points of the
line or of the whole file, 0- or 1-based). The suites only ever compare :class:`Finding`
objects, whose columns are 0-based code-point offsets within a 1-based line, so each
conversion lives in exactly one place (here and in :mod:`benchmarks.peers`) and is tested.

Commands are run with :func:`run_command`, which measures the wall time and the peak resident
memory of that one child, so the numbers of different tools come from the same clock and the
same accounting. The peak RSS comes from ``/usr/bin/time -f %M``: a child forked straight from
this (large) Python process inherits its memory high-water mark across ``exec``, so ``wait4``
on it would report at least the harness's own size; ``time`` is small, and what it forks is
measured cleanly.
"""

from __future__ import annotations

import bisect
import contextlib
import datetime as _dt
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks"
PEERS_DIR = BENCH / ".peers"
SHARED = ROOT.parent / "shared"
DATA = SHARED / "data"

#: Scratch space for generated corpora. Outside the repository on purpose: Quill's CLI looks
#: for a workspace root (``.git``) above the current directory and honours ``.gitignore``, and
#: CSpell looks for configuration files upwards; neither should see this project.
WORK = Path(os.environ.get("QUILL_BENCH_WORK", Path(tempfile.gettempdir()) / "quill-bench"))


def portable(value: Any) -> Any:
    """``value`` (a suite's results) with this machine's paths written portably: the
    repository as relative paths, the work directory as ``$QUILL_BENCH_WORK``."""
    if isinstance(value, str):
        return (
            value.replace(f"{ROOT}/", "")
            .replace(str(ROOT), ".")
            .replace(str(WORK), "$QUILL_BENCH_WORK")
        )
    if isinstance(value, dict):
        return {portable(k): portable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [portable(v) for v in value]
    return value


#: Environment for every child: one thread where a tool lets us choose (2 shared cores, and
#: sequential runs, so no tool gets a parallelism advantage the others are denied).
CHILD_ENV_OVERRIDES = {
    "RUST_BACKTRACE": "0",
    "RAYON_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "NO_COLOR": "1",
    "PYTHONPATH": str(ROOT),
    "PYTHONDONTWRITEBYTECODE": "1",
    "LC_ALL": "C.UTF-8",
}


def child_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(CHILD_ENV_OVERRIDES)
    if extra:
        env.update(extra)
    return env


@dataclass(frozen=True)
class Finding:
    """One flagged word, whatever the tool.

    ``line`` is 1-based. ``col_start``/``col_end`` are 0-based code-point offsets within that
    line (end exclusive), or ``None`` when the tool gives no column (codespell). ``rule`` is
    the tool's rule or kind when it has one (Quill's rule id, Harper's lint kind).
    """

    path: str
    line: int
    col_start: int | None
    col_end: int | None
    text: str
    suggestions: tuple[str, ...] = ()
    rule: str = ""

    def overlaps(self, line: int, start: int, end: int) -> bool:
        """Does this finding cover any of ``[start, end)`` on ``line``? Column-less findings
        never do (callers match those by word instead)."""
        if self.line != line or self.col_start is None or self.col_end is None:
            return False
        return self.col_start < end and start < self.col_end


# -- offsets ------------------------------------------------------------------------------------
class LineIndex:
    """Line starts of a text split at ``\\n`` (the convention every tool here agrees on; the
    corpora are written with ``\\n`` line ends only)."""

    def __init__(self, text: str):
        self.text = text
        self.starts = [0]
        pos = text.find("\n")
        while pos != -1:
            self.starts.append(pos + 1)
            pos = text.find("\n", pos + 1)

    def line_col(self, offset: int) -> tuple[int, int]:
        """1-based line and 0-based code-point column of a code-point offset of the text."""
        line = bisect.bisect_right(self.starts, offset) - 1
        return line + 1, offset - self.starts[line]

    def line_text(self, line: int) -> str:
        """The text of a 1-based line, without its line end ('' past the end)."""
        if line < 1 or line > len(self.starts):
            return ""
        start = self.starts[line - 1]
        end = self.starts[line] - 1 if line < len(self.starts) else len(self.text)
        return self.text[start:end]

    @property
    def line_count(self) -> int:
        return len(self.starts) - (1 if self.text.endswith("\n") else 0)


def utf16_to_cp(line: str, utf16_col: int) -> int:
    """Code-point column of a 0-based UTF-16 column of ``line`` (CSpell counts UTF-16 units)."""
    units = 0
    for index, char in enumerate(line):
        if units >= utf16_col:
            return index
        units += 2 if ord(char) > 0xFFFF else 1
    return len(line)


def bytes_to_cp(line: str, byte_col: int) -> int:
    """Code-point column of a 0-based UTF-8 byte offset within ``line`` (typos' byte_offset)."""
    return len(line.encode("utf-8")[:byte_col].decode("utf-8", errors="ignore"))


def count_lines(text: str) -> int:
    return text.count("\n") + (0 if not text or text.endswith("\n") else 1)


# -- running commands ---------------------------------------------------------------------------
TIME_BIN = "/usr/bin/time"
_RSS_TAG = "QUILL_BENCH_MAX_RSS_KB="


@dataclass
class CommandResult:
    """What one child did: exit status, output, wall seconds and peak RSS (KiB)."""

    argv: list[str]
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    max_rss_kb: int
    timed_out: bool = False


def run_command(
    argv: Sequence[str],
    *,
    cwd: Path | None = None,
    stdin_path: Path | None = None,
    timeout: float = 3600.0,
    env: Mapping[str, str] | None = None,
) -> CommandResult:
    """Run ``argv`` and measure it: wall time from spawn to exit, and the child's own peak RSS
    (through ``/usr/bin/time`` when it exists, else ``wait4``, an overestimate). Output goes to
    temporary files, so a chatty tool cannot block on a pipe and reading its output is not
    counted."""
    wrapped = [TIME_BIN, "-f", f"{_RSS_TAG}%M", *argv] if Path(TIME_BIN).exists() else list(argv)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL  # noqa: SIM115
        try:
            started = time.perf_counter()
            proc = subprocess.Popen(
                wrapped,
                cwd=cwd,
                stdin=stdin,
                stdout=out,
                stderr=err,
                env=dict(env) if env is not None else child_env(),
                start_new_session=True,
            )
            timed_out = threading.Event()

            def kill() -> None:
                timed_out.set()
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)

            timer = threading.Timer(timeout, kill)
            timer.start()
            try:
                _, status, usage = os.wait4(proc.pid, 0)
            finally:
                timer.cancel()
            seconds = time.perf_counter() - started
            proc.returncode = os.waitstatus_to_exitcode(status)
        finally:
            if stdin_path:
                stdin.close()  # type: ignore[union-attr]
        out.seek(0)
        err.seek(0)
        stderr = err.read().decode("utf-8", errors="replace")
        max_rss = int(usage.ru_maxrss)
        if wrapped is not argv and _RSS_TAG in stderr:
            head, _, tail = stderr.rpartition(_RSS_TAG)
            value = tail.strip().split("\n")[0]
            if value.isdigit():
                max_rss = int(value)
            stderr = "".join(
                line
                for line in head.splitlines(keepends=True)
                if not line.startswith(
                    ("Command exited with non-zero status", "Command terminated by signal")
                )
            )
        return CommandResult(
            list(argv),
            proc.returncode,
            out.read().decode("utf-8", errors="replace"),
            stderr,
            seconds,
            max_rss,
            timed_out.is_set(),
        )


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def p90(values: Sequence[float]) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]


# -- describing the run -------------------------------------------------------------------------
def machine_info() -> dict[str, str]:
    """Cores, CPU model, memory, OS and Python: what a reader needs to scale the timings."""
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    return {
        "cores": str(os.cpu_count()),
        "cpu": model,
        "memory": memory,
        "os": platform.platform(),
        "python": sys.version.split()[0],
    }


def now_utc() -> str:
    return _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def quill_revision() -> str:
    """The commit the working tree is based on (read-only ``git rev-parse``; the tree may have
    uncommitted changes by other engineers, which is what gets measured)."""
    try:
        proc = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
        head = proc.stdout.strip() or "unknown"
    except (OSError, subprocess.TimeoutExpired):
        head = "unknown"
    return f"{head} + working tree"


def quill_fingerprint() -> str:
    """A digest of Quill's code and data (``server/``): other engineers change the engine
    while benchmarks run, so each suite records it before and after, and the report says
    when it changed mid-suite."""
    import hashlib

    digest = hashlib.blake2b(digest_size=6)
    for path in sorted((ROOT / "server").rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(ROOT)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


@dataclass
class Table:
    """One result table: rendered to Markdown by :mod:`benchmarks.report`, stored as JSON."""

    title: str
    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "title": self.title,
            "columns": self.columns,
            "rows": self.rows,
            "notes": self.notes,
        }


def fmt(value: float, digits: int = 2) -> str:
    if value != value:  # NaN
        return "n/a"
    return f"{value:.{digits}f}"


def pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "n/a"


def ratio(value: float, reference: float) -> str:
    """``value / reference`` as ``×N``; the reference is Quill, so >1 means slower than Quill."""
    if not reference or value != value or reference != reference:
        return "n/a"
    return f"{value / reference:.2f}×"


def wrap(words: Sequence[str], width: int = 80) -> list[str]:
    """``words`` as lines of at most ``width`` characters (a longer word alone on its line),
    as a person wraps a paragraph of a Markdown document."""
    lines: list[str] = []
    line = ""
    for word in words:
        if line and len(line) + len(word) + 1 > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return [*lines, line]
