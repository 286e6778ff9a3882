"""How the spelling checker's data is made (``server/engine/data/``, committed).

``python -m training lexicon`` (:mod:`.lexicon`): the dictionary (SCOWL, frequencies,
programming words), dialect variants, known typos and the noisy-channel error model's edit
costs. ``python -m training typo-model`` (:mod:`.typo_model`): the logistic regression that
tells typos from names in code, and how common words are in code. Both fetch their sources
through the ordinary package clients; the old commands ``python tools/build_lexicon.py`` and
``python tools/train_typo_model.py`` run the same code.
"""
