"""Quill: a local writing and coding assistant for any editor, over the Language Server Protocol."""

__version__ = "0.1.0"
