"""The grammar model's pipeline: ``python -m training <step>``.

Steps: ``data`` (synthetic errors in clean text -> GECToR edit tags, :mod:`.data.build`),
``train`` (a token classifier on a pretrained encoder, full or LoRA/AdaLoRA, :mod:`.train`),
``export`` (ONNX, parity, int8, card, manifest, :mod:`.export`), ``evaluate`` (span P/R/F0.5
through the exported model and the engine's corrector, :mod:`.evaluate`), ``all`` (the chain
from a preset, :mod:`.pipeline`) and ``report`` (full beside LoRA beside the model before
training, :mod:`.report`). The training loop, checkpoints, ONNX export and quantisation, model
card helpers and the argument machinery are the shared core in :mod:`training`.
"""
