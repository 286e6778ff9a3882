"""How each of Quill's models is made: ``python -m training ...`` (see ``__main__``).

The shared core, written once for both trained models:

- :mod:`training.loop`: the Accelerate training loop; each model plugs in its ``Hooks``.
- :mod:`training.checkpoints`: checkpoints every ``--save-every`` steps and ``--resume``.
- :mod:`training.export`: Optimum's ONNX export, int8 (per-channel), model directory, manifest.
- :mod:`training.card`: a model card's records, remake commands and tables.
- :mod:`training.args`: options from dataclasses and back; :class:`~training.args.LoopArgs`.
- :mod:`training.steps`: step tables: sub-commands, and the function that runs each step.
- :mod:`training.presets`: named recipes for a model's ``all`` step.
- :mod:`training.runlog`, :mod:`training.plots`: logs, JSON records and charts of a run.

Its users: :mod:`training.grammar` (the grammar tagger), :mod:`training.code` (the code
completion model and the workspace ranker), and :mod:`training.spelling` (the dictionary,
error model and typo model, which need no training loop).
"""
