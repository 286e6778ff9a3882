"""onnxruntime sessions for both runtimes (the grammar tagger and the code LM).

One place decides the execution providers (CUDA when asked for or available, else the CPU,
and the CPU again when a CUDA session fails to start) and the thread counts, so the two models
run under the same rules.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import onnxruntime as ort

from server.runtime.models import Device, ModelError

log = logging.getLogger(__name__)


def _providers(device: Device) -> list[str]:
    available = ort.get_available_providers()
    if device in ("auto", "cuda") and "CUDAExecutionProvider" in available:
        return ["CUDAExecutionProvider", "CPUExecutionProvider"]
    if device == "cuda":
        log.warning("CUDA requested but onnxruntime has no CUDAExecutionProvider; using CPU")
    return ["CPUExecutionProvider"]


def open_session(
    model: Path, device: Device, threads: int | None
) -> tuple[ort.InferenceSession, int]:
    """An onnxruntime session on ``model`` with explicit thread counts (default: all cores,
    at most 4), on CUDA when asked for or available, else (or when CUDA fails) on the CPU.
    Returns the session and its intra-op thread count."""
    options = ort.SessionOptions()
    n = threads or min(4, os.cpu_count() or 1)
    options.intra_op_num_threads = n
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    providers = _providers(device)
    try:
        return ort.InferenceSession(str(model), sess_options=options, providers=providers), n
    except Exception as exc:  # onnxruntime raises its own untyped errors
        if providers[0] != "CUDAExecutionProvider":
            raise ModelError(f"{model}: cannot load ({exc})") from exc
        log.warning("CUDA session failed (%s); falling back to CPU", exc)
        cpu = ["CPUExecutionProvider"]
        return ort.InferenceSession(str(model), sess_options=options, providers=cpu), n


def run_options(session: ort.InferenceSession) -> ort.RunOptions:
    """Options for one ``session.run``: the memory arena gives back what the run grew it by.

    onnxruntime keeps the arena at its high-water mark, so a single long batch would hold the
    server's memory up for the rest of the session (the grammar model's session grew from
    +50 MB to +141 MB after a few 32-sentence batches; with shrinkage it stays at +70 MB, at
    no measurable cost in speed)."""
    options = ort.RunOptions()
    devices = ["cpu:0"]
    if "CUDAExecutionProvider" in session.get_providers():
        devices.append("gpu:0")
    options.add_run_config_entry("memory.enable_memory_arena_shrinkage", ";".join(devices))
    return options
