"""PDF (.pdf): the text layer, page by page (pypdf, imported when a PDF is opened).
A PDF of scanned images has no text layer: it fails with a line saying to run OCR first."""

from __future__ import annotations

from collections.abc import Iterator

from advisor.knowledge.documents import Document, FileInfo, Line, Reader, SourceError


def open_pdf(info: FileInfo, fallback_title: str | None) -> Document:
    try:
        from pypdf import PdfReader

        reader = PdfReader(str(info.path))
        n_pages = len(reader.pages)
        pdf_title = None
        try:
            md = reader.metadata
            pdf_title = (md.title or "").strip() if md else None
        except Exception:  # noqa: BLE001 - broken metadata is not worth failing for
            pdf_title = None
    except Exception as exc:  # noqa: BLE001 - pypdf raises many kinds on a damaged file
        raise SourceError(f"cannot read PDF: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from None
    pages: list[tuple[int, str]] = []
    for number, page in enumerate(reader.pages, start=1):
        try:
            text = page.extract_text() or ""
        except Exception:  # noqa: BLE001 - one unreadable page does not spoil the others
            text = ""
        if text.strip():
            pages.append((number, text))
    if not pages:
        raise SourceError(
            f"PDF has no text layer ({n_pages} page(s) of images?); run OCR on it first"
        )
    per_page = max(1, info.size // max(1, n_pages))

    def lines() -> Iterator[Line]:
        for number, text in pages:
            for line in text.splitlines():
                yield number, line, number * per_page
            yield number, "", number * per_page

    return Document(
        title=pdf_title or fallback_title or info.path.stem,
        unit="page",
        lines=lines(),
    )


READER = Reader(name="pdf", suffixes=(".pdf",), open=open_pdf, binary=True)
