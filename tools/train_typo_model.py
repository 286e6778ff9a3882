#!/usr/bin/env python3
"""``python tools/train_typo_model.py`` is ``python -m training typo-model``, whose code is
``training/spelling/typo_model.py``;
kept because server/engine/data/typo_model.json records this command."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from training.spelling.typo_model import main

if __name__ == "__main__":
    sys.exit(main())
