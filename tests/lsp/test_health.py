"""The health monitor that ``quill.status`` reports: event-loop stalls and the check queue."""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor

from server.lsp.health import Health, LoopMonitor
from server.lsp.scheduler import Debouncer


def test_a_late_wake_up_is_a_stall_and_only_the_recent_ones_are_kept() -> None:
    monitor = LoopMonitor(step_s=0.05, threshold_s=0.1, keep=3)
    for k in range(10):
        monitor.record(0.001, k)
    monitor.record(0.25, 10)
    for k in range(5):
        monitor.record(0.2 + k / 100, 11 + k)
    status = monitor.status()
    assert status["ticks"] == 16 and status["stalls"] == 6
    assert status["maxLagMs"] == 250.0
    assert [s["atS"] for s in status["recentStalls"]] == [13, 14, 15]  # bounded


async def test_blocking_the_loop_is_seen_and_whether_it_was_busy() -> None:
    monitor = LoopMonitor(step_s=0.01, threshold_s=0.1)
    monitor.start()
    await asyncio.sleep(0.05)
    time.sleep(0.3)  # the loop's thread waits (as for the GIL): a stall with little CPU
    await asyncio.sleep(0.05)
    cpu = time.thread_time()
    while time.thread_time() - cpu < 0.2:  # a handler computing on the loop: CPU ~ the lag
        pass
    await asyncio.sleep(0.05)
    assert monitor.running
    monitor.stop()
    status = monitor.status()
    assert status["stalls"] == 2 and 250 <= status["maxLagMs"] < 5000
    waited, busy = status["recentStalls"]
    assert waited["cpuMs"] < 100 and busy["cpuMs"] >= 199
    assert status["stalledCpuMs"] >= 200


async def test_the_queue_counts_pending_checks_and_their_peak() -> None:
    debouncer = Debouncer()
    health = Health(debouncer, ThreadPoolExecutor(max_workers=1), lambda: {"regions": 3})
    release = asyncio.Event()

    async def job() -> None:
        await release.wait()

    for k in range(5):
        debouncer.schedule(f"doc{k}", 0, job)
    debouncer.schedule("doc0", 0, job)  # the newest schedule replaces the pending one
    await asyncio.sleep(0)
    assert health.status()["checkQueue"]["pending"] == 5
    release.set()
    await asyncio.sleep(0.01)
    queue = health.status()["checkQueue"]
    assert queue["pending"] == 0 and queue["pendingMax"] == 5
    assert queue["workerQueue"] == 0
    assert health.status()["caches"] == {"regions": 3}
