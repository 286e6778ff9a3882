"""Quill's engine: text in, issues out.

Pure by design: nothing here imports pygls, lsprotocol, onnxruntime or torch, nor the rest of
``server`` (``tests/test_layers.py`` holds it to that), so the engine can be tested as plain
functions and reused by the CLI, the server and the benchmarks.
"""
