"""The files of a workspace: which to check, reading them as text, writing them safely, and the
word lists (the user's and the workspace's dictionaries) kept in them.

Shared by the command line and the server; it knows nothing of LSP or models.
"""
