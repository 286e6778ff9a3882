"""The code-completion model's training pipeline: ``python -m training code <step>``.

Steps: ``data`` (source files -> de-duplicated train / held-out split by file, byte-level BPE
tokenizer), ``train`` (a from-scratch Llama-style causal LM, or ``--base-model`` fine-tuned in
full, with LoRA or by prompt tuning, on fill-in-the-middle examples), ``export`` (Optimum ONNX
with past key values, parity, int8, card, manifest), ``evaluate`` (next-line exact match and
edit similarity on held-out files through the server's runtime, tokens per second, the n-gram
floor), ``all`` (the chain from a preset) and ``ranker`` (the workspace-completion ranker).
Same conventions as the grammar pipeline: typed argument dataclasses
(:mod:`training.code.args`), presets (:mod:`training.code.presets`), a log and a JSON record
per step in its output directory; the training loop, checkpoints, ONNX export, int8 and card
helpers are the shared core in :mod:`training`.
"""
