"""How the running server is coping: event-loop stalls and the check queue, for ``quill.status``.

Checks and completions run in worker threads so that the event loop always answers; anything
that does block the loop (a slow handler, a large publication, a lock held by a worker)
delays every message behind it, keystrokes included. Such a stall is invisible from outside
until it is long, so the server measures it itself, always: :class:`LoopMonitor` is an asyncio
task that sleeps :data:`STEP_S` and records how late it wakes up. A wake-up more than
:data:`STALL_S` late is a stall. It costs one wake-up per 50 ms, nothing else.

The queue is the scheduler's: how many documents have a check scheduled, waiting for the
worker or running (:class:`~server.lsp.scheduler.Debouncer`), and the most ever seen; and how
many jobs wait for the checker's worker thread (sampled at every tick). A queue that grows
with the load and never drains is what the load benchmark (``python -m benchmarks load``)
looks for. The pending checks are bounded by the open documents (one each); the worker's
queue also holds jobs already cancelled by a newer edit until the worker reaches (and skips)
them, so under overload it is bounded by the edit rate times one pass over the documents.
The caches' sizes are reported too, to see the memory that editing adds stop at their bounds.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from .collector import IdleCollector
from .scheduler import Debouncer

#: How long the monitor sleeps between two looks at the clock.
STEP_S = 0.05
#: A wake-up this much later than asked is a stall.
STALL_S = 0.1
#: The most recent stalls kept for the status (older ones are only counted).
RECENT_STALLS = 20


@dataclass(frozen=True)
class Stall:
    """One late wake-up: when it ended (seconds since the monitor started), how late it was,
    and how much CPU the event loop's thread used meanwhile. CPU close to the lag: the loop
    itself ran something long (a handler that blocks); little CPU: it was waiting, for the GIL
    held by a worker thread or for a core the machine did not give it."""

    at_s: float
    lag_ms: float
    cpu_ms: float


class LoopMonitor:
    """Measures the event loop's lag from the inside: an asyncio task that sleeps ``step_s``
    and records how much later than that it woke up."""

    def __init__(
        self,
        step_s: float = STEP_S,
        threshold_s: float = STALL_S,
        keep: int = RECENT_STALLS,
    ) -> None:
        self.step_s = step_s
        self.threshold_s = threshold_s
        self.ticks = 0
        self.stalls = 0
        self.max_lag_s = 0.0
        self.stalled_s = 0.0
        #: CPU time the loop's thread used during the stalls (see :class:`Stall`).
        self.stalled_cpu_s = 0.0
        self.recent: deque[Stall] = deque(maxlen=keep)
        self._started = 0.0
        self._task: asyncio.Task[None] | None = None
        #: Called at every tick (sampling queues costs nothing extra this way).
        self.on_tick: list[Callable[[], object]] = []

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        """Start watching the running loop (again, if it was stopped); needs a running loop."""
        if self.running:
            return
        self._started = time.monotonic()
        self._task = asyncio.get_running_loop().create_task(self._watch(), name="quill-health")

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None

    async def _watch(self) -> None:
        while True:
            before, cpu = time.monotonic(), time.thread_time()
            await asyncio.sleep(self.step_s)
            now = time.monotonic()
            self.record(now - before - self.step_s, now - self._started, time.thread_time() - cpu)
            for callback in self.on_tick:
                with contextlib.suppress(Exception):  # a sampler's bug must not stop the watch
                    callback()

    def record(self, lag_s: float, at_s: float, cpu_s: float = 0.0) -> None:
        """Account for one wake-up ``lag_s`` late, the loop's thread having used ``cpu_s`` of
        CPU since the previous one (the task's body, kept apart for tests)."""
        self.ticks += 1
        self.max_lag_s = max(self.max_lag_s, lag_s)
        if lag_s > self.threshold_s:
            self.stalls += 1
            self.stalled_s += lag_s
            self.stalled_cpu_s += cpu_s
            self.recent.append(
                Stall(round(at_s, 3), round(1000 * lag_s, 1), round(1000 * cpu_s, 1))
            )

    def status(self) -> dict[str, Any]:
        return {
            "monitoring": self.running,
            "stallThresholdMs": round(1000 * self.threshold_s),
            "ticks": self.ticks,
            "stalls": self.stalls,
            "maxLagMs": round(1000 * self.max_lag_s, 1),
            "stalledMs": round(1000 * self.stalled_s, 1),
            "stalledCpuMs": round(1000 * self.stalled_cpu_s, 1),
            "recentStalls": [
                {"atS": s.at_s, "lagMs": s.lag_ms, "cpuMs": s.cpu_ms} for s in self.recent
            ],
        }


class Health:
    """The loop monitor and the check queue of one server, reported by ``quill.status``."""

    def __init__(
        self,
        debouncer: Debouncer,
        executor: ThreadPoolExecutor,
        caches: Callable[[], dict[str, int]] | None = None,
    ) -> None:
        self.debouncer = debouncer
        self.executor = executor
        #: The sizes of the checker's caches (entries and characters; they are bounded).
        self.caches = caches
        self.monitor = LoopMonitor()
        self.worker_queue_max = 0
        self.monitor.on_tick.append(self._sample)
        #: Full garbage collections at idle moments (installed once start-up is done).
        self.collector = IdleCollector(self.busy)
        self.monitor.on_tick.append(self.collector.tick)

    def start(self) -> None:
        self.monitor.start()

    def worker_queue(self) -> int:
        """Jobs waiting for the checker's worker thread (not the one it is running)."""
        queue = getattr(self.executor, "_work_queue", None)
        return int(queue.qsize()) if queue is not None else 0

    def busy(self) -> bool:
        """Whether a check is scheduled, waiting for the worker or running."""
        return self.debouncer.pending > 0 or self.worker_queue() > 0

    def _sample(self) -> None:
        self.worker_queue_max = max(self.worker_queue_max, self.worker_queue())

    def status(self) -> dict[str, Any]:
        return {
            "eventLoop": self.monitor.status(),
            "checkQueue": {
                "pending": self.debouncer.pending,
                "pendingMax": self.debouncer.peak,
                "workerQueue": self.worker_queue(),
                "workerQueueMax": self.worker_queue_max,
            },
            "caches": self.caches() if self.caches is not None else {},
            "gc": self.collector.status(),
        }
