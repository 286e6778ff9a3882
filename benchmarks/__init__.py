"""Quill's benchmark harness: Quill and the spell-checkers people use today, on the same inputs.

``python -m benchmarks [SUITE...] [--quick]`` runs the suites (see ``benchmarks/__main__.py``),
writes one JSON file per suite under ``benchmarks/results/`` and renders
``benchmarks/RESULTS.md`` from all of them. The peers are installed into
``benchmarks/.peers/`` (never into the project's environment) by :mod:`benchmarks.peers`.
"""
