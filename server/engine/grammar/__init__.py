"""Grammar: GECToR-style edit tags from a tagger, decoded into engine issues.

Pure like the rest of the engine: the model stays behind the :class:`Tagger` protocol
(``server.runtime.onnx_tagger.OnnxTagger`` in production, :class:`FakeTagger` in tests).

Typical use::

    corrector = GrammarCorrector(tagger, GrammarOptions())
    issues = corrector.check(text)             # offsets into ``text``
    corrections = corrector.correct(sentences) # offsets relative to each sentence
"""

from server.engine.grammar.classify import RULES
from server.engine.grammar.decode import Correction, GrammarCorrector, GrammarOptions
from server.engine.grammar.sentences import Sentence, Word, split_sentences, tokenize
from server.engine.grammar.tagger import FakeTagger, Tagger, TagResult

__all__ = [
    "RULES",
    "Correction",
    "FakeTagger",
    "GrammarCorrector",
    "GrammarOptions",
    "Sentence",
    "TagResult",
    "Tagger",
    "Word",
    "split_sentences",
    "tokenize",
]
