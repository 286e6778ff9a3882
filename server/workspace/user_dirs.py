"""Where Quill keeps the user's own files: the XDG base directories, one rule for all.

Configuration (the user dictionary, trusted model directories) and caches (the completion
index's snapshot) live in the user's directories, never in a workspace: a workspace can be a
repository cloned from anyone.
"""

from __future__ import annotations

import os
from pathlib import Path


def _xdg(variable: str, default: str) -> Path:
    """``$variable/quill``, or ``~/default/quill`` when it is unset or relative (the XDG Base
    Directory rule: a relative path is invalid and ignored)."""
    base = os.environ.get(variable) or ""
    root = Path(base) if base and Path(base).is_absolute() else Path.home() / default
    return root / "quill"


def user_config_dir() -> Path:
    """``$XDG_CONFIG_HOME/quill`` (``~/.config/quill`` when unset or relative)."""
    return _xdg("XDG_CONFIG_HOME", ".config")


def user_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/quill`` (``~/.cache/quill`` when unset or relative)."""
    return _xdg("XDG_CACHE_HOME", ".cache")
