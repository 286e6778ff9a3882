"""PNG plots of a training run: loss and development F0.5 against optimizer steps."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


def plot_history(history: dict[str, list[dict[str, Any]]], out_dir: Path) -> list[Path]:
    """``loss.png`` and ``dev_f05.png`` from ``{"loss": [{"step", "loss"}], "dev": [...]}``."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        log.warning("matplotlib is not installed: no plots")
        return []
    written = []
    for key, field, title, name in (
        ("loss", "loss", "training loss", "loss.png"),
        ("dev", "f05", "dev F0.5 (tag level, %)", "dev_f05.png"),
    ):
        points = history.get(key) or []
        if not points:
            continue
        fig, ax = plt.subplots(figsize=(6, 3.5), dpi=100)
        ax.plot(
            [p["step"] for p in points],
            [p[field] for p in points],
            marker="." if key == "dev" else None,
        )
        ax.set_xlabel("optimizer step")
        ax.set_title(title)
        ax.grid(alpha=0.3)
        fig.tight_layout()
        path = out_dir / name
        fig.savefig(path)
        plt.close(fig)
        written.append(path)
    return written
