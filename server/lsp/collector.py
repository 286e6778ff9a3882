"""Python's full garbage collections, moved to the moments the server is idle.

CPython's cyclic collector runs a full (generation 2) pass whenever enough objects have
survived the younger generations. With 200 open documents the checker's caches hold a few
hundred thousand tracked objects, and each full pass took 100-170 ms, every few seconds while
editing, in whichever thread happened to allocate: it holds the GIL throughout, so every one
was an event-loop stall (the load benchmark's stalls, measured with ``gc.callbacks``).

So :class:`IdleCollector`:

* freezes what start-up loaded (the lexicon, the models' Python objects), which lives as long
  as the process: ``gc.freeze`` moves it out of every later pass;
* takes full passes out of the automatic schedule (generations 0 and 1 still run as usual:
  they only look at young objects and take a millisecond or two, and most cyclic garbage dies
  young there);
* runs a full pass itself when the server has been idle for :data:`IDLE_S` (no check pending,
  none waiting for the worker) and :data:`MIN_INTERVAL_S` have passed since the last one, or,
  under load that never stops, after :data:`MAX_INTERVAL_S` (a backstop: cycles that reached
  the old generation are freed within minutes, whatever the load).

Every collection's pause is counted by generation (``quill.status`` → ``gc``), so a stall
that a collection caused can be told from one that a handler caused.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from typing import Any

#: This long without pending work counts as idle.
IDLE_S = 1.0
#: Full passes at idle at most this often.
MIN_INTERVAL_S = 30.0
#: And at least this often, idle or not.
MAX_INTERVAL_S = 600.0
#: A generation-2 threshold no count of generation-1 passes reaches: no automatic full pass.
NEVER = 1 << 30


class IdleCollector:
    """Full garbage collections when nothing waits (see the module docstring).

    ``busy`` says whether work is pending; :meth:`tick` is called often (the loop monitor's
    50 ms tick) from the event loop's thread, with the time from a monotonic clock."""

    def __init__(
        self,
        busy: Callable[[], bool],
        *,
        idle_s: float = IDLE_S,
        min_interval_s: float = MIN_INTERVAL_S,
        max_interval_s: float = MAX_INTERVAL_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.busy = busy
        self.idle_s = idle_s
        self.min_interval_s = min_interval_s
        self.max_interval_s = max_interval_s
        self.clock = clock
        self.installed = False
        self._saved_threshold: tuple[int, int, int] | None = None
        self._last_full = clock()
        self._busy_at = clock()
        self._ours = False
        self._started: float | None = None
        #: Collections by generation, their total and longest pause (ms), and full passes
        #: that ran on the automatic schedule (none once installed) or that we ran.
        self.counts = [0, 0, 0]
        self.pause_ms = [0.0, 0.0, 0.0]
        self.max_pause_ms = [0.0, 0.0, 0.0]
        self.automatic_full = 0
        self.idle_full = 0
        self.forced_full = 0

    def install(self) -> None:
        """Freeze what is loaded now and take over full passes (once start-up is done)."""
        if not self.installed:
            gc.callbacks.append(self._on_gc)
            self.installed = True
        self._full_pass()
        gc.freeze()
        g0, g1, g2 = gc.get_threshold()
        if self._saved_threshold is None:
            self._saved_threshold = (g0, g1, g2)
        gc.set_threshold(g0, g1, NEVER)

    def uninstall(self) -> None:
        """Give full passes back to the automatic schedule (the tests do, after each)."""
        if self.installed:
            gc.callbacks.remove(self._on_gc)
            self.installed = False
        if self._saved_threshold is not None:
            gc.set_threshold(*self._saved_threshold)
            self._saved_threshold = None

    def tick(self) -> bool:
        """Run a full pass if it is time to; whether one ran."""
        if not self.installed:
            return False
        now = self.clock()
        if self.busy():
            self._busy_at = now
        since = now - self._last_full
        idle = now - self._busy_at >= self.idle_s
        if idle and since >= self.min_interval_s:
            self.idle_full += 1
        elif since >= self.max_interval_s:
            self.forced_full += 1
        else:
            return False
        self._full_pass()
        return True

    def _full_pass(self) -> None:
        """A full collection that :meth:`_on_gc` does not count as automatic."""
        self._ours = True
        try:
            gc.collect()
        finally:
            self._ours = False
            self._last_full = self.clock()

    def _on_gc(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
            return
        if self._started is None:
            return
        ms = 1000 * (time.perf_counter() - self._started)
        self._started = None
        generation = int(info.get("generation", 0))
        self.counts[generation] += 1
        self.pause_ms[generation] += ms
        self.max_pause_ms[generation] = max(self.max_pause_ms[generation], ms)
        if generation == 2 and not self._ours:
            self.automatic_full += 1

    def status(self) -> dict[str, Any]:
        return {
            "idleFullCollections": self.installed,
            "collections": list(self.counts),
            "pauseMs": [round(x, 1) for x in self.pause_ms],
            "maxPauseMs": [round(x, 1) for x in self.max_pause_ms],
            "fullAtIdle": self.idle_full,
            "fullForced": self.forced_full,
            "fullAutomatic": self.automatic_full,
            "frozenObjects": gc.get_freeze_count(),
        }
