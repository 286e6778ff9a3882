"""A shipped grammar model read back into a trainable PyTorch tagger.

Why: a model directory (``models/grammar-minilm``) is the only trained state that outlives a
training machine: the run directories with the PyTorch checkpoints do not travel with the
repository (a 92 MB fp32 checkpoint per model is no thing to commit). Continuing the shipped
tagger on new data (``python -m training train --base-model models/grammar-minilm``) therefore
starts from its ONNX file: every weight is read from the graph, int8 ones dequantised with
their own scales, and written as a Hugging Face checkpoint that ``from_pretrained`` loads.

The int8 model gives back the weights the server runs (quantisation's rounding included); a
few hundred steps of training smooth that away, and the export quantises again anyway.

How weights are found: Optimum keeps the PyTorch names for the embeddings, layer norms and
biases; a linear layer's weight is an anonymous ``MatMul`` input (``onnx::MatMul_773``, or
its ``_quantized`` int8 form with ``_scale`` and ``_zero_point``), named here by the bias that
the graph adds to the product (``bert.encoder.layer.0.intermediate.dense.bias`` gives
``...dense.weight``), transposed to PyTorch's ``(out, in)``.
"""

from __future__ import annotations

import json
import shutil
from collections import defaultdict, deque
from pathlib import Path
from typing import Any

import numpy as np

#: Files of a model directory that make it one to import (the server's model layout).
MODEL_FILE = "model.onnx"
#: Written beside the checkpoint: which model directory it was read from.
SOURCE_FILE = "quill_from_onnx.json"
#: Graph steps searched from a weight's MatMul to the Add of its bias (Cast, Mul, Add).
_MAX_HOPS = 4


def is_model_dir(path: Path) -> bool:
    """Whether ``path`` is an exported model directory rather than a PyTorch checkpoint."""
    weights = ("model.safetensors", "pytorch_model.bin")
    return (path / MODEL_FILE).is_file() and not any((path / w).is_file() for w in weights)


def _arrays(graph: Any) -> dict[str, np.ndarray]:
    """The graph's initializers by name, and the names that ``Identity`` nodes give them: the
    exporter keeps one copy of equal tensors (a fresh model's zero biases) and aliases it."""
    from onnx import numpy_helper

    arrays = {init.name: numpy_helper.to_array(init) for init in graph.initializer}
    for node in graph.node:
        if node.op_type == "Identity" and node.input[0] in arrays:
            arrays[node.output[0]] = arrays[node.input[0]]
    return arrays


def _dequantise(arrays: dict[str, np.ndarray], base: str) -> np.ndarray:
    """``base + '_quantized'`` as floats: per output channel (last axis) or per tensor."""
    q = arrays[base + "_quantized"].astype(np.float32)
    scale = arrays[base + "_scale"].astype(np.float32)
    zero = arrays[base + "_zero_point"].astype(np.float32)
    return ((q - zero) * scale).astype(np.float32)


def _bias_after(node_output: str, consumers: dict[str, list[Any]], biases: set[str]) -> str:
    """The bias initializer added to ``node_output`` a few steps downstream."""
    queue = deque([(node_output, 0)])
    while queue:
        name, hops = queue.popleft()
        for node in consumers.get(name, ()):
            if node.op_type == "Add":
                found = [i for i in node.input if i in biases]
                if found:
                    return found[0]
            if hops + 1 < _MAX_HOPS:
                queue.extend((out, hops + 1) for out in node.output)
    raise ValueError(f"no bias follows {node_output}: not a graph this importer knows")


def state_dict_from_onnx(onnx_path: Path) -> dict[str, np.ndarray]:
    """Every weight of the tagger in ``onnx_path`` under its PyTorch name (float32)."""
    import onnx

    graph = onnx.load(str(onnx_path)).graph
    arrays = _arrays(graph)
    consumers: dict[str, list[Any]] = defaultdict(list)
    for node in graph.node:
        for name in node.input:
            consumers[name].append(node)
    biases = {n for n in arrays if n.endswith(".bias")}
    state: dict[str, np.ndarray] = {}
    for name, value in arrays.items():
        if name.endswith("_quantized"):
            base = name[: -len("_quantized")]
            if "." in base and not base.startswith("onnx::"):
                state[base] = _dequantise(arrays, base)  # embeddings keep their names
        elif (
            not name.startswith("onnx::")
            and "." in name
            and not name.endswith(("_scale", "_zero_point"))
            and value.dtype == np.float32
            and value.ndim >= 1
        ):
            state[name] = value
    for node in graph.node:
        if node.op_type not in ("MatMul", "MatMulInteger"):
            continue
        weight = node.input[1]
        if node.op_type == "MatMulInteger":
            base = weight[: -len("_quantized")]
            matrix = _dequantise(arrays, base)
        elif weight in arrays:
            matrix = arrays[weight].astype(np.float32)
        else:
            continue  # attention's products of two activations
        bias = _bias_after(node.output[0], consumers, biases)
        state[bias[: -len("bias")] + "weight"] = np.ascontiguousarray(matrix.T)
    return state


def how_it_was_made(card: Path) -> list[str]:
    """The bullet lines of a model card's "How it was made" section (empty when none): the
    continued model's card repeats them, since the card they came from is replaced."""
    if not card.is_file():
        return []
    lines, inside = [], False
    for line in card.read_text("utf-8").splitlines():
        if line.startswith("## "):
            inside = line.strip() == "## How it was made"
        elif inside and line.strip():
            lines.append(line.rstrip())
    return lines


def import_tagger(model_dir: Path, out_dir: Path) -> Path:
    """Write ``model_dir``'s tagger as a Hugging Face checkpoint in ``out_dir`` (returned).

    The config keeps the labels (``id2label``) so that training continues with them; the
    ``quill`` section (decoding, precision) belongs to the exported model and is dropped.
    Raises ``ValueError`` when a weight the architecture needs is not in the graph.
    """
    import torch
    from safetensors.torch import save_file
    from transformers import AutoConfig, AutoModelForTokenClassification

    config_data = json.loads((model_dir / "config.json").read_text("utf-8"))
    exported = config_data.pop("quill", None) or {}
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "config.json").write_text(json.dumps(config_data, indent=1) + "\n", "utf-8")
    shutil.copyfile(model_dir / "tokenizer.json", out_dir / "tokenizer.json")
    config = AutoConfig.from_pretrained(out_dir)
    model = AutoModelForTokenClassification.from_config(config)
    wanted = model.state_dict()
    found = state_dict_from_onnx(model_dir / MODEL_FILE)
    tensors: dict[str, torch.Tensor] = {}
    for name, param in wanted.items():
        if name in found:
            value = torch.tensor(np.array(found[name], dtype=np.float32))  # own copy each
            if tuple(value.shape) != tuple(param.shape):
                shapes = f"{tuple(value.shape)} in the graph, {tuple(param.shape)} wanted"
                raise ValueError(f"{name}: {shapes}")
            tensors[name] = value.contiguous()
        elif not name.endswith("position_ids"):
            raise ValueError(f"{model_dir / MODEL_FILE} has no weight for {name}")
    save_file(tensors, str(out_dir / "model.safetensors"))
    source = {
        "model_dir": str(model_dir.resolve()),
        "precision": exported.get("precision", "fp32"),
        "how_it_was_made": how_it_was_made(model_dir / "card.md"),
    }
    (out_dir / SOURCE_FILE).write_text(json.dumps(source, indent=1) + "\n", "utf-8")
    return out_dir
