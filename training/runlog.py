"""Logging and run records shared by every step: stderr plus a log file, and a metrics JSON.

Logs never go to stdout (``python -m training ... > file`` stays clean, and the server's
stdout is the LSP protocol). Every step writes ``<step>.log`` and ``<step>.json`` into its
output directory so a run can be audited after the fact.
"""

from __future__ import annotations

import json
import logging
import os
import platform
import sys
from collections.abc import Iterable
from dataclasses import asdict, is_dataclass
from pathlib import Path
from typing import Any

_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def setup_logging(out_dir: Path | None, step: str, verbose: bool = False) -> None:
    """Log to stderr and, when ``out_dir`` is given, to ``out_dir/<step>.log``."""
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for handler in list(root.handlers):
        if getattr(handler, "_quill", False):
            root.removeHandler(handler)
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(out_dir / f"{step}.log", encoding="utf-8"))
    for handler in handlers:
        handler.setFormatter(logging.Formatter(_FORMAT))
        handler._quill = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    for noisy in ("urllib3", "filelock", "matplotlib", "PIL", "h5py", "accelerate"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def hardware() -> dict[str, Any]:
    """What the run ran on, for model cards."""
    info: dict[str, Any] = {
        "machine": platform.machine(),
        "processor": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
    }
    try:
        import torch

        info["torch"] = torch.__version__
        info["torch_threads"] = torch.get_num_threads()
        if torch.cuda.is_available():
            info["gpu"] = torch.cuda.get_device_name(0)
    except ImportError:
        pass
    return info


def _plain(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return _plain(asdict(value))
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    return value


def write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(_plain(data), indent=2, ensure_ascii=False) + "\n", "utf-8")


def write_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> int:
    """``rows`` as JSON lines (a data set's examples); how many were written."""
    n = 0
    with path.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
            n += 1
    return n


def read_jsonl(path: Path, limit: int = 0) -> list[dict[str, Any]]:
    """The rows of a JSON-lines file, the first ``limit`` only when it is not 0."""
    rows: list[dict[str, Any]] = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            rows.append(json.loads(line))
            if limit and len(rows) >= limit:
                break
    return rows
