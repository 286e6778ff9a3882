#!/usr/bin/env python3
"""``python tools/build_lexicon.py`` is ``python -m training lexicon``, whose code is
``training/spelling/lexicon.py``;
kept because server/engine/data/SOURCES.md records this command."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from training.spelling.lexicon import main

if __name__ == "__main__":
    sys.exit(main())
