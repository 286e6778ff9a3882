"""Names of the commands the server executes itself (workspace/executeCommand), and the
read-only answer of ``quill.documentState``."""

from __future__ import annotations

import hashlib
from typing import Any

from pygls.exceptions import JsonRpcInvalidParams

from .documents import Document

ADD_WORD = "quill.addToDictionary"
IGNORE_WORD = "quill.ignoreWord"
FIX_ALL = "quill.fixAll"
STATUS = "quill.status"
RECHECK = "quill.recheck"
#: A digest of one open document as the server holds it: ``[{"uri"}]`` -> see
#: :func:`document_state`. For clients and tests that check incremental sync.
DOCUMENT_STATE = "quill.documentState"

ALL = (ADD_WORD, IGNORE_WORD, FIX_ALL, STATUS, RECHECK, DOCUMENT_STATE)


def document_state(doc: Document | None, encoding: str) -> dict[str, Any] | None:
    """What the server holds for ``doc`` (None when it is not open), without its text.

    Incremental sync is only right while the server's text is exactly the client's; a client
    cannot see that from diagnostics, so it compares this digest with its own copy: the
    version, the line count by the LSP's line rules, the end position in the negotiated
    encoding, and the SHA-256 of the text as UTF-8. Reading it changes nothing.
    """
    if doc is None:
        return None
    text = doc.text
    end = doc.lines.position_at(len(text), encoding)
    return {
        "uri": doc.uri,
        "version": doc.version,
        "languageId": doc.language_id,
        "lineCount": doc.lines.line_count,
        "end": {"line": end.line, "character": end.character},
        "sha256": hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest(),
    }


class UserError(JsonRpcInvalidParams):
    """A command refused for a reason the user can act on ("this file is in no workspace
    folder ..."): the error answer carries the sentence as it is, with no exception type,
    and no second message is shown."""

    def __init__(self, message: str) -> None:
        super().__init__(message=f"Quill: {message}")
        self.message = f"Quill: {message}"
