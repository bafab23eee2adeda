"""CVs: PDF or Word (.docx) documents, recognised by their bytes rather than their names.

They are stored as sent (re-writing a document could change what an employer reads) and are
always served as downloads, never shown inline, so a hostile file cannot run in our origin.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

_DOCX_REQUIRED = frozenset({"[Content_Types].xml", "word/document.xml"})


@dataclass(frozen=True)
class DocumentKind:
    content_type: str
    extension: str


PDF = DocumentKind("application/pdf", "pdf")
DOCX = DocumentKind("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx")


class DocumentRejected(Exception):
    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


def check_document(data: bytes) -> DocumentKind:
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"PK\x03\x04"):
        _check_docx(data)
        return DOCX
    raise DocumentRejected("CVs must be PDF or Word (.docx) documents.")


def _check_docx(data: bytes) -> None:
    # Only the zip's directory is read, never its contents: a zip bomb costs us nothing.
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        raise DocumentRejected("This Word document could not be read; the file may be damaged.") from exc
    if not names >= _DOCX_REQUIRED:
        raise DocumentRejected("CVs must be PDF or Word (.docx) documents.")
    if "word/vbaProject.bin" in names:
        raise DocumentRejected("Word documents with macros are not accepted. Save it as a plain .docx or a PDF.")
