"""Full garbage collections at idle moments (server/lsp/collector.py), on a fake clock."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from server.lsp.collector import NEVER, IdleCollector


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Node:
    """Something that can be part of a reference cycle and be watched with a weakref."""

    def __init__(self) -> None:
        self.other: Node | None = None


@pytest.fixture
def setup() -> Iterator[tuple[IdleCollector, Clock, list[bool]]]:
    clock = Clock()
    busy = [False]
    collector = IdleCollector(
        lambda: busy[0], idle_s=1.0, min_interval_s=30.0, max_interval_s=600.0, clock=clock
    )
    before = gc.get_threshold()
    try:
        yield collector, clock, busy
    finally:
        collector.uninstall()
        gc.unfreeze()
        assert gc.get_threshold() == before


def old_cycle() -> weakref.ref[Node]:
    """A reference cycle that reached the oldest generation before it became garbage: only a
    full pass frees it."""
    a, b = Node(), Node()
    a.other, b.other = b, a
    gc.collect(1)  # a and b survive generations 0 and 1: now in generation 2
    gc.collect(1)
    return weakref.ref(a)


def test_install_freezes_start_up_and_stops_automatic_full_passes(
    setup: tuple[IdleCollector, Clock, list[bool]],
) -> None:
    collector, _, _ = setup
    collector.install()
    assert gc.get_threshold()[2] == NEVER
    assert gc.get_freeze_count() > 0
    assert collector.status()["idleFullCollections"] is True
    assert collector.status()["fullAutomatic"] == 0  # install's own pass is not automatic


def test_a_full_pass_waits_for_an_idle_moment(
    setup: tuple[IdleCollector, Clock, list[bool]],
) -> None:
    collector, clock, busy = setup
    collector.install()
    garbage = old_cycle()
    busy[0] = True
    for _ in range(20):  # 100 s of work going on: no full pass
        clock.now += 5
        assert not collector.tick()
    gc.collect(1)
    assert garbage() is not None  # young passes do not reach it
    busy[0] = False
    assert not collector.tick()  # idle, but not for a second yet
    clock.now += 1.5
    assert collector.tick()
    assert garbage() is None
    status = collector.status()
    assert status["fullAtIdle"] == 1 and status["fullForced"] == 0
    assert status["collections"][2] >= 2  # install's pass and this one, both timed
    assert status["pauseMs"][2] > 0.0 and status["maxPauseMs"][2] > 0.0
    clock.now += 5  # idle still, but a pass ran 5 s ago
    assert not collector.tick()


def test_under_load_that_never_stops_a_full_pass_is_forced_at_the_backstop(
    setup: tuple[IdleCollector, Clock, list[bool]],
) -> None:
    collector, clock, busy = setup
    collector.install()
    garbage = old_cycle()
    busy[0] = True
    clock.now += 599
    assert not collector.tick()
    clock.now += 2
    assert collector.tick()
    assert garbage() is None
    assert collector.status()["fullForced"] == 1


def test_nothing_happens_before_install_and_a_pass_not_ours_is_counted_as_automatic(
    setup: tuple[IdleCollector, Clock, list[bool]],
) -> None:
    collector, clock, _ = setup
    clock.now += 10_000
    assert not collector.tick()  # start-up not done: the automatic schedule stands
    collector.install()
    gc.collect()  # someone else's full pass
    assert collector.status()["fullAutomatic"] == 1
