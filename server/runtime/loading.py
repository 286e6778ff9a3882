"""Load a model for the server and the CLI, or say in one line why there is none.

The grammar tagger and the code LM load the same way, so they share this: a missing
onnxruntime, a model directory with a missing file or a checksum mismatch, or a corrupt
``model.onnx`` must never stop Quill. What does not need the model goes on working and the
caller shows the reason (the server as a window message, the CLI on stderr); the reason names
the file. Nothing here imports onnxruntime: the caller's ``opener`` does, so a missing runtime
is an answer, not an ImportError.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, Protocol, TypeVar

from server.runtime.models import DEVICES, Device, ModelError


class Runtime(Protocol):
    """A loaded model: it can say which onnxruntime providers it really runs on."""

    @property
    def providers(self) -> Sequence[str]: ...


R = TypeVar("R", bound=Runtime)
#: Opens a model directory on a device with a thread count (``OnnxTagger.load``, ...).
Open = Callable[[Path, Device, int | None], R]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Loaded(Generic[R]):
    """The outcome of loading: the runtime, or None with the reason in ``status``."""

    runtime: R | None
    #: One line for a person: which model on which provider, or why it is off.
    status: str
    providers: tuple[str, ...] = ()
    #: True when the model could not be used (a problem to show, not a choice the user made).
    failed: bool = False
    #: No model is installed, and that is not an error to show (see ``absent``).
    missing: bool = False


def load_runtime(
    opener: Callable[[], Open[R]],
    path: Path,
    device: str,
    threads: int | None,
    *,
    name: str,
    off: str,
    absent: str | None = None,
) -> Loaded[R]:
    """Load the model in ``path``; never raises for a bad model or a missing runtime.

    ``opener`` imports the runtime (onnxruntime) and returns what opens a model directory.
    ``name`` ("grammar model") starts the status of a loaded model, ``off`` ("grammar is
    off") the reason there is none. ``absent``, when given, is the reason to give instead of
    loading: no model is installed, which is not an error (see :attr:`Loaded.missing`).
    """
    try:
        open_model = opener()
    except ImportError as exc:
        return Loaded(
            None,
            f"{off}: onnxruntime is not installed ({exc}); install Quill with the 'cpu' or "
            "'gpu' extra (pip install -e '.[cpu]')",
            failed=True,
        )
    if absent is not None:
        return Loaded(None, absent, failed=True, missing=True)
    where_to_run: Device = device if device in DEVICES else "auto"
    try:
        runtime = open_model(path, where_to_run, threads)
    except ModelError as exc:
        return Loaded(None, f"{off}: {exc}", failed=True)
    except Exception as exc:  # a broken file can make onnxruntime or tokenizers raise anything
        log.exception("%s %s failed to load", name, path)
        return Loaded(None, f"{off}: {path}: cannot load ({exc})", failed=True)
    providers = tuple(runtime.providers)
    where = providers[0] if providers else "no provider"
    status = f"{name} {path.name} on {where}"
    if where_to_run == "cuda" and where != "CUDAExecutionProvider":
        status += " (CUDA was asked for but is not available: running on the CPU)"
    return Loaded(runtime, status, providers)
