"""Names of the commands the server executes itself (workspace/executeCommand)."""

ADD_WORD = "quill.addToDictionary"
IGNORE_WORD = "quill.ignoreWord"
FIX_ALL = "quill.fixAll"
STATUS = "quill.status"
RECHECK = "quill.recheck"

ALL = (ADD_WORD, IGNORE_WORD, FIX_ALL, STATUS, RECHECK)
