# Quill: two commands set everything up.
#   make run   - create .venv, install Quill, check the bundled examples with the shipped models
#   make test  - install the test needs into the same .venv and run the whole suite
# Other targets: lint, typecheck, bench, clean.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip --disable-pip-version-check
export HF_HUB_OFFLINE := 1
export PIP_NO_INPUT := 1

.PHONY: run test lint typecheck check-all bench clean install install-dev

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "Quill needs Python 3.10 or newer")'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(PY) pyproject.toml
	$(PIP) install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed pyproject.toml
	$(PIP) install --quiet -e '.[dev]'
	@touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

run: install
	@echo "== Quill checks the bundled examples (prose and code with deliberate mistakes) =="
	@$(PY) -m server check examples; rc=$$?; [ $$rc -le 1 ] || exit $$rc
	@echo
	@echo "== Connect an editor =="
	@echo "The language server is: $(abspath $(PY)) -m server   (or $(abspath $(VENV))/bin/quill-lsp)"
	@echo "  Neovim 0.11:  see editors/neovim/README.md (vim.lsp.enable('quill'))"
	@echo "  VS Code:      see editors/vscode/README.md"
	@echo "  Any editor:   run the command above over stdio; README.md lists every setting."
	@echo "Check your own files:  $(VENV)/bin/quill check PATH...   (fix: quill fix --stdout FILE)"

test: install-dev
	$(PY) -m pytest -q

lint: install-dev
	$(VENV)/bin/ruff check server training tests benchmarks tools

typecheck: install-dev
	$(VENV)/bin/mypy

bench: install-dev
	$(PY) -m benchmarks

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
