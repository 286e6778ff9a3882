"""Model runtimes behind the engine's protocols: onnxruntime + tokenizers + numpy, no torch.

Importing this package does not import onnxruntime, nor do ``models`` and ``loading``: the
loaders (``grammar_model``, ``code_model``) import the runtime when asked to load, so the
server starts, and says why, when onnxruntime or a model is missing.
"""
