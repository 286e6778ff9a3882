"""The code model's runtime on the tiny model the pipeline made: load checks, greedy decoding
with the key/value cache, stop rules, budgets, cancellation."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import numpy as np
import pytest

from server.engine.completion import CompletionContext, StopRule, complete_text
from server.runtime.code_model import load_code_model
from server.runtime.models import ModelError
from server.runtime.onnx_lm import OnnxLM

CODE = "import os\n\n\ndef main(argv):\n    for name in argv:\n        print(name)\n    return 0\n"


@pytest.fixture(scope="module")
def lm(tiny_code_model: Path) -> OnnxLM:
    return OnnxLM.load(tiny_code_model, device="cpu", threads=1)


def test_loads_with_its_config(lm: OnnxLM) -> None:
    assert lm.context == 96 and lm.fim is not None and lm.languages == ("python",)
    assert lm.providers == ["CPUExecutionProvider"]
    assert len(lm.past_names) == 4  # two layers, key and value


def test_fim_prompt_frames_prefix_and_suffix_within_the_budget(lm: OnnxLM) -> None:
    assert lm.fim is not None
    ctx = CompletionContext(CODE * 20, CODE * 20)
    ids = lm.prompt_ids(ctx, budget=60)
    assert len(ids) <= 60
    assert ids[0] == lm.fim.prefix and ids[-1] == lm.fim.middle and lm.fim.suffix in ids
    suffix_len = len(ids) - ids.index(lm.fim.suffix) - 2
    assert 0 < suffix_len <= 60 * 0.25
    assert (
        lm.decode(ids[1 : ids.index(lm.fim.suffix)])
        == (CODE * 20)[-len(lm.decode(ids[1 : ids.index(lm.fim.suffix)])) :]
    )
    plain = lm.prompt_ids(ctx, budget=40, fim=False)
    assert len(plain) == 40 and lm.fim.prefix not in plain


def test_other_files_fill_only_the_room_the_file_leaves(lm: OnnxLM) -> None:
    assert lm.fim is not None
    neighbour = "import json\nimport sys\n\n\ndef load(path):\n    return json.load(path)\n"
    short = CompletionContext("x = ", "", (neighbour,))
    ids = lm.prompt_ids(short, budget=80)
    head = lm.decode(ids[1 : ids.index(lm.fim.suffix)])
    assert head == neighbour + "x = "  # the neighbour whole, before the prefix
    # Less room: the neighbour is cut after a line break, the prefix is kept whole.
    tight = lm.prompt_ids(short, budget=3 + len(lm.encode("x = ")) + 8)
    cut = lm.decode(tight[1 : tight.index(lm.fim.suffix)])
    assert cut.endswith("\nx = ") and neighbour.startswith(cut[: -len("x = ")])
    assert len(cut) < len(neighbour + "x = ")
    # A prefix that fills the budget leaves no room: the neighbour is not used at all.
    long = CompletionContext(CODE * 20, "", (neighbour,))
    assert "json" not in lm.decode(lm.prompt_ids(long, budget=60))
    # Without FIM the same rule holds.
    plain = lm.prompt_ids(short, budget=80, fim=False)
    assert lm.decode(plain) == neighbour + "x = "


def test_cached_decoding_equals_recomputing_every_step(lm: OnnxLM) -> None:
    prompt = lm.encode(CODE)[:30]
    lm.reset()
    fast = lm.generate(prompt, max_new_tokens=12)
    ids = list(prompt)
    for _ in range(fast.tokens):
        ids.append(int(np.argmax(lm.logits(ids)[-1])))
    assert lm.decode(ids[len(prompt) :]) == fast.text


def test_the_cache_of_the_last_generation_is_reused(lm: OnnxLM) -> None:
    lm.reset()
    prompt = lm.encode(CODE)[:40]
    first = lm.generate(prompt, max_new_tokens=5)
    again = lm.generate(prompt, max_new_tokens=5)
    assert first.reused_tokens == 0 and again.reused_tokens == len(prompt) - 1
    assert again.text == first.text
    typed = lm.generate([*prompt, *lm.encode(" x")], max_new_tokens=3)
    assert typed.reused_tokens >= len(prompt) - 1


def test_stop_rule_time_budget_and_cancellation(lm: OnnxLM) -> None:
    ctx = CompletionContext("def f(x):\n    ", "")
    stopped = lm.complete(ctx, max_new_tokens=40, stop=lambda text: 0)
    assert stopped.reason == "stop" and stopped.text == "" and stopped.tokens == 1
    late = lm.complete(ctx, max_new_tokens=40, stop=StopRule(True), deadline=time.monotonic())
    assert late.reason in ("time", "eos") and late.tokens <= 1
    gone = lm.complete(ctx, max_new_tokens=40, stop=StopRule(True), cancelled=lambda: True)
    assert gone.reason == "cancelled" and gone.tokens == 0 and gone.text == ""


def test_prompt_and_generation_stay_within_the_context(lm: OnnxLM) -> None:
    big = CODE * 200
    suggestion, gen = complete_text(lm, big, len(big) // 2, max_new_tokens=500, multiline=True)
    assert gen.prompt_tokens + gen.tokens <= lm.context
    assert isinstance(suggestion, str)


def test_loader_reports_instead_of_raising(tiny_code_model: Path, tmp_path: Path) -> None:
    ok = load_code_model(tiny_code_model, "cpu")
    assert ok.generator is not None and not ok.failed and "on CPUExecutionProvider" in ok.status
    missing = load_code_model(tmp_path / "nowhere", "cpu")
    assert missing.failed and "no such model directory" in missing.status
    broken = tmp_path / "broken"
    shutil.copytree(tiny_code_model, broken)
    with (broken / "model.onnx").open("r+b") as f:
        f.seek(200)
        f.write(b"\x00garbage\x00")
    bad = load_code_model(broken, "cpu")
    assert bad.failed and "sha256 mismatch" in bad.status and "model.onnx" in bad.status
    (broken / "tokenizer.json").unlink()
    with pytest.raises(ModelError, match=r"tokenizer\.json"):
        OnnxLM.load(broken, verify=False)


def test_a_grammar_model_is_not_taken_for_a_code_model(
    tiny_code_model: Path, tmp_path: Path
) -> None:
    other = tmp_path / "other"
    shutil.copytree(tiny_code_model, other)
    config = json.loads((other / "config.json").read_text())
    config["quill"]["task"] = "gector-tagging"
    (other / "config.json").write_text(json.dumps(config))
    with pytest.raises(ModelError, match="not a code-completion model"):
        OnnxLM.load(other, verify=False)


def test_scored_middles_equal_recomputing_each_one_alone(lm: OnnxLM) -> None:
    """One batched pass over the prompt's cache gives each middle the log-probability a full
    pass over prompt + middle gives, the end-of-middle token included (to within the noise of
    int8 dynamic quantisation, whose scales follow the batch)."""
    context = CompletionContext(CODE[:60], CODE[60:])
    middles = ["print(name)", "return 1", "x", ""]
    scores = lm.score_middles(context, middles)
    longest = max(len(lm.encode(m)) + 1 for m in middles)
    prompt = lm.prompt_ids(context, lm.context - longest)
    assert lm.end_id is not None
    for middle, score in zip(middles, scores, strict=True):
        ids = [*(lm.encode(middle) if middle else []), lm.end_id]
        logits = lm.logits(prompt + ids[:-1])[len(prompt) - 1 :]
        logp = logits - logits.max(axis=-1, keepdims=True)
        logp -= np.log(np.exp(logp).sum(axis=-1, keepdims=True))
        assert score.tokens == len(ids)
        expected = float(logp[np.arange(len(ids)), ids].sum())
        assert score.logprob == pytest.approx(expected, rel=0.01)
    assert lm.score_middles(context, []) == []


def test_scoring_leaves_the_generation_cache_as_the_prompt_left_it(lm: OnnxLM) -> None:
    context = CompletionContext(CODE[:60], CODE[60:])
    lm.reset()
    lm.score_middles(context, ["print(name)", "x"])
    cached = list(lm._cache.ids)
    assert cached and all(len(p[0, 0]) == len(cached) for p in lm._cache.past)
    again = lm.score_middles(context, ["print(name)", "x"])
    assert lm._cache.ids == cached
    assert again == lm.score_middles(context, ["print(name)", "x"])
