"""The exit statuses of every ``quill`` command, so scripts can tell them apart the same way.

0: clean (``check``: no findings; ``complete``: a suggestion was printed), 1: findings (or no
suggestion), 2: a usage, I/O or model error.
"""

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
