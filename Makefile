# Quill: two commands set everything up.
#   make run   - create .venv, install Quill, check the bundled examples with the shipped models
#   make test  - install the test needs into the same .venv and run the whole suite
# Other targets: lint, typecheck, bench, clean.

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

.PHONY: run test lint typecheck check-all bench clean install install-dev

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "Quill needs Python 3.10 or newer")'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(PY) pyproject.toml
	$(PIP) install --quiet -e . 2>&1 | { $(QUIET_PIP); }
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed pyproject.toml
	$(PIP) install --quiet -e '.[dev]' 2>&1 | { $(QUIET_PIP); }
	@touch $@

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
