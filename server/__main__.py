"""``python -m server``: the language server (default) or the ``check``/``fix`` CLI."""

from .cli import main

if __name__ == "__main__":
    raise SystemExit(main())
