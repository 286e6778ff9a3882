#!/usr/bin/env bash
# A code model trained, exported and measured as a ranker in one command, for a lent GPU
# machine (the `device` tool: one call of at most 10 minutes, nothing reachable from it).
#
#   device run:  tools/device/code_model.sh              (PRESET=gpu, results under $OUT)
#   here, to try the script itself in a minute:  PRESET=tiny RANKER_CASES=20 PYTHON=.venv/bin/python OUT=/tmp/out tools/device/code_model.sh
#
# The machine's image has torch and accelerate but not Quill's pinned training stack
# (transformers < 4.58, optimum 2.1, optimum-onnx, peft, pygls...): carry them as wheels in
# .whl (see the device tool's README) and they are installed first. Steps: the preset's whole
# chain (data, train with every GPU through accelerate, ONNX export, next-line evaluation),
# then the workspace ranker fitted with the new model (python -m training code ranker --model):
# its "with_the_code_model" metrics say whether the model ranks the workspace's lines better
# than the first stage alone, the question that decides whether a model ships
# (benchmarks/results/code-completion.md). What comes back in $OUT: the card, the run's record,
# the ranker's metrics and its ranker.json (the model itself is too large to bring back).
set -euo pipefail
PRESET=${PRESET:-gpu}
PYTHON=${PYTHON:-python3}
RUN=${RUN:-runs/device-code-$PRESET}
RANKER_CASES=${RANKER_CASES:-400}
OUT=${OUT:-$RUN/out}
export HF_HUB_OFFLINE=1 PYTHONUNBUFFERED=1

if compgen -G ".whl/*.whl" > /dev/null; then
  "$PYTHON" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
    --target /tmp/site .whl/*.whl
  export PYTHONPATH=/tmp/site${PYTHONPATH:+:$PYTHONPATH}
fi

launch=("$PYTHON" -m)
if [ "$PRESET" = gpu ] && "$PYTHON" -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)'; then
  launch=("$PYTHON" -m accelerate.commands.launch -m)
fi
mkdir -p "$OUT"
"${launch[@]}" training code all --preset "$PRESET" --output "$RUN" 2>&1 | tee "$OUT/train.log" | grep -v 'it/s\]' || true
test -f "$RUN/model/manifest.json" || { echo "no exported model in $RUN/model" >&2; exit 1; }
"$PYTHON" -m training code ranker --model "$RUN/model" --cases "$RANKER_CASES" \
  --output "$RUN/ranker" 2>&1 | grep -v 'it/s\]' | tee "$OUT/ranker.log"
cp "$RUN/model/card.md" "$RUN/all.json" "$RUN/ranker/code-ranker.json" "$RUN/ranker/ranker.json" "$OUT/"
"$PYTHON" - "$RUN/ranker/code-ranker.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
print("first stage alone:", m["at_threshold_on_training_repositories"])
print("with the code model:", m["with_the_code_model"]["at_threshold_on_training_repositories"])
PY
