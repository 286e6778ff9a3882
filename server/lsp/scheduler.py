"""Per-document debouncing: one pending check per document, the newest one wins.

A burst of keystrokes schedules a check per keystroke; each new schedule cancels the one still
waiting, so only the last runs. A check already running in the worker is not interrupted here
(the checker polls a stop flag instead), and its result is dropped if the document moved on.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


class Debouncer:
    def __init__(self) -> None:
        self._tasks: dict[str, asyncio.Task[None]] = {}
        #: The most documents ever pending at once (``quill.status`` reports it: a queue that
        #: only grows is a server falling behind).
        self.peak = 0

    def schedule(self, key: str, delay_s: float, job: Callable[[], Awaitable[None]]) -> None:
        """Run ``job`` after ``delay_s`` unless another schedule for ``key`` comes first."""
        old = self._tasks.pop(key, None)
        if old is not None and not old.done():
            old.cancel()
        task = asyncio.ensure_future(self._run(key, delay_s, job))
        self._tasks[key] = task
        self.peak = max(self.peak, len(self._tasks))

    async def _run(self, key: str, delay_s: float, job: Callable[[], Awaitable[None]]) -> None:
        try:
            if delay_s > 0:
                await asyncio.sleep(delay_s)
            await job()
        except asyncio.CancelledError:
            pass
        except Exception:  # a bug in one check must not take the server down
            log.exception("check for %s failed", key)
        finally:
            current = asyncio.current_task()
            if self._tasks.get(key) is current:
                del self._tasks[key]

    def cancel(self, key: str) -> None:
        task = self._tasks.pop(key, None)
        if task is not None and not task.done():
            task.cancel()

    @property
    def pending(self) -> int:
        return sum(1 for t in self._tasks.values() if not t.done())
