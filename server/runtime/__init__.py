"""Model runtimes behind the engine's protocols: onnxruntime + tokenizers + numpy, no torch.

Importing this package does not import onnxruntime; import the submodule you need
(``server.runtime.onnx_tagger``), so the server starts without models when none are installed.
"""
