"""Presets: named recipes for a model's ``all`` step, as field values per step over the
arguments' defaults (``{"data": {...}, "train": {...}, "export": {...}}``). Each model keeps
its own (:mod:`training.grammar.presets`, :mod:`training.code.presets`)."""

from __future__ import annotations

from typing import Any

#: Step name -> field values for that step's arguments.
Preset = dict[str, dict[str, Any]]


def choose(presets: dict[str, Preset], name: str, kind: str) -> Preset:
    """The preset called ``name``; an unknown name ends the command with the known ones."""
    if name not in presets:
        raise SystemExit(f"unknown {kind} {name!r}; known: {', '.join(presets)}")
    return presets[name]
