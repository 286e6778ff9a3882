"""PNG plots of a training run against optimizer steps: the grammar model's loss and dev F0.5
(:func:`plot_history`), the code model's training and held-out loss on one chart
(:func:`plot_losses`)."""

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


def plot_losses(history: dict[str, list[dict[str, Any]]], out: Path) -> None:
    """``loss.png``: training loss and held-out loss (``{"loss": [...], "heldout": [...]}``)
    on one chart, in nats per token."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return
    fig, ax = plt.subplots(figsize=(6, 3.5))
    if history["loss"]:
        ax.plot(
            [h["step"] for h in history["loss"]],
            [h["loss"] for h in history["loss"]],
            label="train",
        )
    if history["heldout"]:
        ax.plot(
            [h["step"] for h in history["heldout"]],
            [h["loss"] for h in history["heldout"]],
            "o-",
            label="held-out",
        )
    ax.set_xlabel("step")
    ax.set_ylabel("loss (nats/token)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(out / "loss.png", dpi=100)
    plt.close(fig)
