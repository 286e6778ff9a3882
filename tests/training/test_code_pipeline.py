"""The code model's training pipeline: what ``python -m training code all --preset tiny``
writes (the session's tiny run), the data step's split and de-duplication, the tokenizer round
trip, FIM examples, the n-gram floor, and fine-tuning a base model with LoRA."""

from __future__ import annotations

import json
import platform
from pathlib import Path
from typing import Any

import numpy as np
from tokenizers import Tokenizer

from server.runtime.models import sha256_file
from training.code.args import CodeDataArgs
from training.code.data import FIM_MIDDLE, FIM_PREFIX, FIM_SUFFIX, SPECIAL_TOKENS, inventory
from training.code.evaluate import NGram, folder_neighbours, make_cases, score
from training.code.train import encode_examples, pieces
from training.runlog import read_jsonl


def test_the_tiny_run_writes_a_complete_model_directory(tiny_code_run: Path) -> None:
    model = tiny_code_run / "model"
    assert sorted(p.name for p in model.iterdir()) == [
        "card.md",
        "config.json",
        "manifest.json",
        "model.onnx",
        "tokenizer.json",
    ]
    manifest = json.loads((model / "manifest.json").read_text())["files"]
    assert set(manifest) == {"card.md", "config.json", "model.onnx", "tokenizer.json"}
    assert all(sha256_file(model / name) == digest for name, digest in manifest.items())
    quill = json.loads((model / "config.json").read_text())["quill"]
    assert quill["task"] == "code-completion" and quill["context"] == 96
    assert quill["fim"] == {"prefix": FIM_PREFIX, "suffix": FIM_SUFFIX, "middle": FIM_MIDDLE}
    export = json.loads((tiny_code_run / "train" / "export.json").read_text())
    assert export["parity_max_abs_diff"] < 2e-3
    assert export["precision"] in ("int8", "fp32") and "check_int8" in export
    train = json.loads((tiny_code_run / "train" / "train.json").read_text())
    assert train["steps"] == 150 and np.isfinite(train["heldout_loss"])
    assert train["history"]["heldout"][-1]["loss"] < train["history"]["heldout"][0]["loss"] + 0.5


def test_the_card_says_how_to_remake_the_model_and_what_it_scored(tiny_code_run: Path) -> None:
    card = (tiny_code_run / "model" / "card.md").read_text()
    assert "python -m training code data" in card and "python -m training code train" in card
    assert "python -m training code export" in card and "'code" not in card
    assert "## Evaluation" in card and "4-gram floor" in card
    # The corpus, package by package with versions: 36 standard-library training files.
    stats = json.loads((tiny_code_run / "data" / "stats.json").read_text())
    assert sum(c["files"] for c in stats["corpus"]) == 36
    assert {c["version"] for c in stats["corpus"]} == {platform.python_version()}
    assert f"Python {platform.python_version()} standard library, 36 files: " in card
    metrics = json.loads((tiny_code_run / "eval" / "metrics.json").read_text())
    assert set(metrics) == {
        "tiny",
        "tiny, prefix only",
        "tiny, 3 files of the folder open",
        "tiny, cursor mid-line",
        "4-gram floor",
        "4-gram floor, cursor mid-line",
    }
    for row in metrics.values():
        assert row["cases"] == 16 and 0 <= row["edit_similarity"] <= 1
        assert row["tokens_per_second"] > 0 and row["latency_median_ms"] > 0


def test_the_inventory_names_each_package_its_version_and_files(tmp_path: Path) -> None:
    import sysconfig

    stdlib = Path(sysconfig.get_paths()["stdlib"])
    mine = tmp_path / "project"
    paths = [stdlib / "json" / "decoder.py", stdlib / "json" / "encoder.py", stdlib / "os.py"]
    paths += [Path(np.__file__), mine / "a.py"]
    found = inventory(map(str, paths), [mine])
    assert {(c["source"], c["package"], c["files"]) for c in found} == {
        ("standard library", "json", 2),
        ("standard library", "(single modules)", 1),
        ("site-packages", "numpy", 1),
        ("corpus", "project", 1),
    }
    assert next(c for c in found if c["package"] == "numpy")["version"] == np.__version__


def test_heldout_files_are_never_trained_on(tiny_code_run: Path) -> None:
    train = read_jsonl(tiny_code_run / "data" / "train.jsonl")
    held = read_jsonl(tiny_code_run / "data" / "heldout.jsonl")
    assert len(held) == 4 and len(train) == 36
    assert not {f["path"] for f in train} & {f["path"] for f in held}
    assert not {f["text"] for f in train} & {f["text"] for f in held}


def test_tokenizer_round_trip(tiny_code_run: Path) -> None:
    tok = Tokenizer.from_file(str(tiny_code_run / "data" / "tokenizer.json"))
    for text in [
        "def f(x):\n\treturn x  # ünïcode ✓ 😋\r\n",
        "    \n\n  trailing   ",
        'b"\\x00\\xff" + r"\\d+"',
    ]:
        assert tok.decode(tok.encode(text).ids, skip_special_tokens=False) == text
    for special in SPECIAL_TOKENS:
        assert tok.encode(special).ids == [tok.token_to_id(special)]
    assert [tok.token_to_id(s) for s in SPECIAL_TOKENS] == [0, 1, 2, 3, 4]


def test_data_step_deduplicates_and_respects_gitignore(tmp_path: Path) -> None:
    from training.code.data import run

    src = tmp_path / "repo"
    (src / ".git").mkdir(parents=True)
    (src / ".gitignore").write_text("generated/\n")
    (src / "generated").mkdir()
    (src / "generated" / "big.py").write_text("X = 1\n" * 50)
    for i in range(12):
        (src / f"m{i}.py").write_text(f"def f{i}(x):\n    return x + {i}\n" * 3)
    (src / "copy.py").write_text((src / "m0.py").read_text().replace("\n", "   \r\n"))
    (src / "notes.txt").write_text("not code\n")
    stats = run(
        CodeDataArgs(output=tmp_path / "data", corpus=[src], vocab_size=300, heldout_fraction=0.25)
    )
    assert stats["files"] == 12 and stats["duplicates_dropped"] == 1
    assert stats["heldout_files"] == 3 and stats["train_files"] == 9
    paths = [f["path"] for f in read_jsonl(tmp_path / "data" / "train.jsonl")]
    assert not any("generated" in p or p.endswith(".txt") for p in paths)


def test_fim_examples_use_the_sentinels(tiny_code_run: Path) -> None:
    tok = Tokenizer.from_file(str(tiny_code_run / "data" / "tokenizer.json"))
    fim = {"prefix": FIM_PREFIX, "suffix": FIM_SUFFIX, "middle": FIM_MIDDLE}
    text = "def f(x):\n    return x\n" * 10
    stream = list(
        encode_examples([text], tok, fim, "<|endoftext|>", context=64, fim_rate=1.0, seed=1)
    )
    pre, suf, mid, eos = (
        tok.token_to_id(t) for t in (FIM_PREFIX, FIM_SUFFIX, FIM_MIDDLE, "<|endoftext|>")
    )
    assert stream[0] == pre and stream.count(pre) == stream.count(mid) == stream.count(eos)
    first = stream[: stream.index(eos)]
    p, s, m = first.index(pre), first.index(suf), first.index(mid)
    assert p < s < m
    restored = tok.decode(first[1:s]) + tok.decode(first[m + 1 :]) + tok.decode(first[s + 1 : m])
    assert text.startswith(restored)
    plain = encode_examples([text], tok, fim, "<|endoftext|>", context=64, fim_rate=0.0, seed=1)
    assert pre not in plain.tolist()
    assert "".join(pieces(text, 30)) == text and all(len(x) <= 30 for x in pieces(text, 30))


def test_ngram_floor_and_scores() -> None:
    stream = np.array([1, 2, 3, 4, 1, 2, 3, 5, 1, 2, 3, 4] * 5)
    model = NGram(stream, order=3, vocab=10)
    assert model.next([2, 3]) == 4  # seen twice as often as 5
    assert model.next([7, 3]) == 4  # unseen pair: backs off to the last token
    assert model.next([9, 9]) == 1  # nothing known: the most frequent token
    assert model.generate([1, 2], 3, lambda out: False) == [3, 4, 1]
    files = [{"path": "a.py", "text": "import os\n\ndef f():\n    return 1\n"}]
    cases = make_cases(files, 10, seed=1)
    assert sorted(c.target for c in cases) == ["def f():", "return 1"]
    assert all(c.text[c.offset :].startswith(c.target) for c in cases)
    # The model sees the file without the target: the suffix starts at the line's end.
    assert all(c.target not in c.document and c.document[c.offset] == "\n" for c in cases)
    assert score(cases, [c.target for c in cases])["exact_match"] == 100.0
    assert score(cases, ["", ""])["edit_similarity"] == 0.0
    # Mid-line: part of the line is typed, the rest is the target; the document keeps the
    # typed part and loses the rest.
    mid = make_cases(files, 10, seed=1, mid_line=True)
    assert len(mid) == 2 and all(c.target for c in mid)
    for c in mid:
        line = c.text[c.line_start :].split("\n", 1)[0]
        typed = c.text[c.line_start : c.offset].strip()
        assert typed and line.strip() == typed + c.target
        assert c.document[c.offset] == "\n"
    # Other files of the case's folder, never the case's own file.
    more = [*files, {"path": "b.py", "text": "B"}, {"path": "sub/c.py", "text": "C"}]
    assert folder_neighbours(more, 3)(cases[0]) == ["B"]


def tune_tiny(tiny_code_run: Path, out: Path, **kw: Any) -> dict[str, Any]:
    """``code all --preset tiny`` fine-tuning the tiny run's own model (``kw``: how)."""
    from training.code import pipeline
    from training.code.args import CodeAllArgs

    base = str(tiny_code_run / "train" / "final")
    args = CodeAllArgs(
        preset="tiny", output=out, data=tiny_code_run / "data", base_model=base, threads=1, **kw
    )
    return pipeline.run(args)


def test_a_base_model_is_fine_tuned_with_lora_and_compared_with_before(
    tiny_code_run: Path, tmp_path: Path
) -> None:
    """``--base-model`` (here the tiny run's own model, a Hugging Face directory) with LoRA:
    adapters train, merge at export, the merged model passes parity, and the evaluation has a
    'before fine-tuning' row made from the untouched base model."""
    out = tmp_path / "lora"
    record = tune_tiny(tiny_code_run, out, lora_r=4)
    train = json.loads((out / "train" / "train.json").read_text())
    assert train["mode"] == "lora"
    assert train["trainable_parameters"] < train["total_parameters"] / 5
    assert record["export"]["parity_max_abs_diff"] < 2e-3
    rows = {"", ", prefix only", ", 3 files of the folder open", ", cursor mid-line"}
    assert set(record["evaluation"]) == {
        *(f"before fine-tuning{r}" for r in rows),
        *(f"tiny{r}" for r in rows),
        "4-gram floor",
        "4-gram floor, cursor mid-line",
    }
    before = json.loads((out / "before" / "train.json").read_text())
    assert before["steps"] == 0
    card = (out / "model" / "card.md").read_text()
    assert "fine-tuned (lora)" in card and "| before fine-tuning |" in card


def test_prompt_tuning_trains_a_soft_prompt_that_the_export_bakes_into_tokens(
    tiny_code_run: Path, tmp_path: Path
) -> None:
    """``--prompt-tokens``: only the virtual tokens train; the export turns them into new
    vocabulary entries whose embeddings are the learnt prompt (ONNX has no peft), the baked
    model gives peft's logits, and the runtime puts the tokens before every prompt and never
    generates them."""
    from server.engine.completion import CompletionContext, StopRule
    from server.runtime.onnx_lm import OnnxLM

    out = tmp_path / "prompt"
    record = tune_tiny(tiny_code_run, out, prompt_tokens=4, before=False, evaluate=False)
    train = json.loads((out / "train" / "train.json").read_text())
    assert train["mode"] == "prompt tuning"
    assert train["trainable_parameters"] == 4 * 64  # four virtual tokens of the 64-wide model
    assert record["export"]["prompt_parity_max_abs_diff"] < 2e-3
    assert record["export"]["parity_max_abs_diff"] < 2e-3
    config = json.loads((out / "model" / "config.json").read_text())
    soft = config["quill"]["prompt"]
    lm = OnnxLM.load(out / "model", device="cpu", threads=1)
    assert len(soft) == 4 and lm.soft_prompt == tuple(soft)
    assert [lm.tokenizer.id_to_token(i) for i in soft] == [f"<|soft_prompt_{k}|>" for k in range(4)]
    ctx = CompletionContext("def f(x):\n    return ", "\n")
    ids = lm.prompt_ids(ctx, budget=60)
    assert ids[:4] == soft and len(ids) <= 60
    generation = lm.complete(ctx, max_new_tokens=20, stop=StopRule(True))
    assert generation.tokens > 0 and "soft_prompt" not in generation.text
    card = (out / "model" / "card.md").read_text()
    assert "fine-tuned (prompt tuning)" in card


def test_fim_middles_start_at_a_line_or_anywhere() -> None:
    """A share of FIM middles starts right after a line's indentation (where an editor asks
    for a whole line); without that share they start at random characters."""
    import random

    from training.code.train import fim_split

    piece = "import os\n\ndef f(x):\n    return x\n"
    rng = random.Random(3)
    starts = {piece[a : a + 6] for a, _ in (fim_split(piece, rng, 1.0) for _ in range(50))}
    assert starts == {"import", "def f(", "return"}
    for _ in range(50):
        a, b = fim_split(piece, rng, 0.0)
        assert 0 <= a <= b <= len(piece)
    anywhere = {fim_split(piece, rng, 0.0)[0] for _ in range(200)}
    assert len(anywhere) > 10  # not only line starts
