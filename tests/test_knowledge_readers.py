"""File readers come from one registry keyed by suffix: what notes may be, how each is read."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import kb_make_settings

from advisor.knowledge import KnowledgeBase, readers
from advisor.knowledge.documents import Document, FileInfo, Reader
from advisor.knowledge.readers import note_formats, reader_for, supported_suffixes


@pytest.fixture
def kb_small(tmp_path: Path, kb_cards_dir: Path, kb_embedder):
    kb = KnowledgeBase(kb_make_settings(tmp_path / "home", kb_cards_dir), embedder=kb_embedder)
    yield kb
    kb.close()


def test_registry_names_the_formats_and_picks_readers_by_suffix():
    assert note_formats() == ".md, .txt, .pdf" and note_formats(" or ") == ".md, .txt or .pdf"
    assert supported_suffixes() == {".md", ".markdown", ".mdx", ".txt", ".text", ".pdf"}
    assert reader_for(Path("a/Plan.MD")).name == "markdown"
    assert reader_for(Path("paper.pdf")).binary
    # the subfield map is a curated file; a note with its suffix (or any unknown one) is text
    assert reader_for(Path("subfields.yaml"), curated=True).name == "subfield-map"
    assert reader_for(Path("mine.yaml")).name == "text"
    assert reader_for(Path("essay.rst")).name == "text"


def test_a_note_in_an_unknown_format_is_kept_as_text_and_survives_the_next_run(
    kb_small: KnowledgeBase, tmp_path: Path
):
    src = tmp_path / "Zebra essay.rst"
    src.write_text("Reward hacking is a zebra-crossing problem for RL agents.\n")
    assert [i.outcome for i in kb_small.add_paths([src]).items] == ["added"]
    assert Path(kb_small.list_notes()[0].path).suffix == ".txt"
    settings, embedder = kb_small.settings, kb_small.embedder
    kb_small.close()
    with KnowledgeBase(settings, embedder=embedder) as again:  # a new process: files checked anew
        # no front matter, no heading, a first line that is a sentence: named by the file added
        assert [n.title for n in again.list_notes()] == ["Zebra essay"]
        assert again.search("zebra-crossing", k=1, kind="note")[0].text.startswith("Reward hacking")


def test_a_registered_format_is_found_read_and_named_everywhere(
    kb_small: KnowledgeBase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Adding a note format is a reader plus its registration: folders are scanned for it, its
    reader opens it, the notes folder keeps it, and the hints list it."""

    def open_org(info: FileInfo, fallback_title: str | None) -> Document:
        lines = info.path.read_text(encoding="utf-8").splitlines()
        title = lines[0].removeprefix("#+TITLE:").strip()
        return Document(title=title, lines=[(n, ln, 0) for n, ln in enumerate(lines[1:], start=2)])

    org = Reader(name="org", suffixes=(".org",), open=open_org)
    monkeypatch.setattr(readers, "READERS", (*readers.READERS, org))
    assert note_formats() == ".md, .txt, .pdf, .org"
    folder = tmp_path / "org-notes"
    folder.mkdir()
    (folder / "plan.org").write_text("#+TITLE: Org plan\nStudy eliciting latent knowledge with probes.\n")
    report = kb_small.add_paths([folder])
    assert [(i.outcome, i.title) for i in report.items] == [("added", "Org plan")]
    assert Path(kb_small.list_notes()[0].path).suffix == ".org"
    assert kb_small.reindex().unchanged >= 1 and [r.state for r in kb_small.status() if r.kind == "note"] == ["indexed"]
    hit = kb_small.search("eliciting latent knowledge probes", k=1, kind="note")[0]
    assert hit.title == "Org plan" and hit.location == "line 2"
