"""What a check costs, stage by stage, for ``quill.status``.

A keystroke reaches the squiggles through several stages, and a slow one hides behind the
total: the wait for the worker thread (behind the background grammar's current sentence),
finding the regions (extract), spelling, grammar, putting the findings together (assemble:
merging, dropping accepted words), turning them into the wire form (serialise) and handing
them to the writer (write). The server times each stage of every foreground check (the ones
a person waits for: an edit, an opened document, a pull) and keeps the last
:data:`WINDOW` of each, so ``quill.status`` shows the median and the 90th percentile.
"""

from __future__ import annotations

from collections import deque
from typing import Any

#: The stages, in the order a check goes through them.
STAGES = ("wait", "extract", "spelling", "grammar", "assemble", "serialise", "write")
#: Checks remembered per stage.
WINDOW = 200


def _percentile(ordered: list[float], share: float) -> float:
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


class StageTimes:
    """The last :data:`WINDOW` durations (ms) of each stage."""

    def __init__(self, window: int = WINDOW) -> None:
        self._times: dict[str, deque[float]] = {s: deque(maxlen=window) for s in STAGES}

    def add(self, stage: str, ms: float) -> None:
        self._times[stage].append(ms)

    def add_engine(self, extra: dict[str, float]) -> None:
        """The engine's own stages of one check (``CheckStats.extra``), those it ran."""
        for stage in ("extract", "spelling", "grammar", "assemble"):
            ms = extra.get(f"{stage}_ms")
            if ms is not None:
                self.add(stage, ms)

    def status(self) -> dict[str, Any]:
        """Per stage: checks timed, median and 90th percentile (ms)."""
        out: dict[str, Any] = {}
        for stage, times in self._times.items():
            ordered = sorted(times)
            if ordered:
                out[stage] = {
                    "n": len(ordered),
                    "medianMs": round(_percentile(ordered, 0.5), 1),
                    "p90Ms": round(_percentile(ordered, 0.9), 1),
                }
        return out
