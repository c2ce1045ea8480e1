"""What a person gets from a search: the second ranking stage, snippets of the matching sentences,
citations they can follow (the file they added, a card's sources, the note a card draws on),
titles and tags, and Markdown vaults whose MDX markup is not indexed."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest
from support import KB_NOTES, kb_make_settings

from advisor.knowledge import KnowledgeBase, late
from advisor.knowledge.catalog import SCHEMA_VERSION
from advisor.knowledge.search import work_label
from advisor.knowledge.snippets import snippet, split_sentences

# ------------------------------------------------------------------ late interaction


def test_token_states_round_trip_and_maxsim_prefers_the_matching_chunk(kb_embedder):
    texts = ["Sparse autoencoders recover features from superposition in transformer activations.",
             "Export controls on advanced chips are a lever of compute governance."]
    vectors, blobs = kb_embedder.embed_with_tokens(texts)
    assert np.allclose(vectors, kb_embedder.embed(texts), atol=1e-5)  # the same run gives the same vectors
    tokens = [late.unpack(b, kb_embedder.dimensions) for b in blobs]
    # content tokens only: fewer rows than wordpieces, unit length, and 96 bytes a token
    assert all(0 < len(t) < 20 and np.allclose(np.linalg.norm(t, axis=1), 1.0, atol=1e-5) for t in tokens)
    assert [len(b) for b in blobs] == [2 + 96 * len(t) for t in tokens]
    query = kb_embedder.encode_query("which features does an autoencoder find?")
    assert np.allclose(query.vector, kb_embedder.embed_one("which features does an autoencoder find?"), atol=1e-5)
    interp, policy = late.maxsim(query.tokens, blobs, kb_embedder.dimensions)
    assert interp > policy + 0.1


def test_rerank_resorts_the_head_and_leaves_chunks_without_tokens_in_place(kb_embedder):
    texts = {"a": "The weather in spring is mild.", "b": "Probes read linear features from activations.",
             "c": "Chip export rules.", "d": "Features in activations found by linear probes."}
    _, blobs = kb_embedder.embed_with_tokens(list(texts.values()))
    stored = dict(zip(texts, blobs, strict=True))
    del stored["c"]  # indexed before late interaction: no token states
    fused = [("a", 0.5), ("b", 0.4), ("c", 0.3), ("d", 0.2), ("e", 0.1)]
    query = kb_embedder.encode_query("linear probes on activations").tokens
    out = late.rerank(fused, query, stored, kb_embedder.dimensions, depth=4)
    assert out[2] == ("c", 0.3) and out[4] == ("e", 0.1)  # no tokens: same place; beyond the depth: same
    assert {out[0][0], out[1][0]} == {"b", "d"} and out[3][0] == "a"  # the weather falls to the last free slot
    assert out[0][1] >= out[1][1] >= out[3][1]  # re-sorted ones carry their MaxSim


@pytest.fixture(scope="module")
def kb_corpus_only(tmp_path_factory: pytest.TempPathFactory, kb_embedder):
    kb = KnowledgeBase(kb_make_settings(tmp_path_factory.mktemp("home"), tmp_path_factory.mktemp("no-cards")),
                       embedder=kb_embedder)
    assert kb.add_paths([KB_NOTES]).ok
    yield kb
    kb.close()


def test_every_indexed_chunk_has_token_states_written_with_it(kb_corpus_only: KnowledgeBase):
    db = kb_corpus_only.catalog.db
    n_chunks = db.execute("SELECT count(*) FROM chunks").fetchone()[0]
    n_states = db.execute("SELECT count(*) FROM chunk_tokens JOIN chunks USING(chunk_id)").fetchone()[0]
    assert n_chunks > 20 and n_states == n_chunks


# ------------------------------------------------------------------ snippets and citations


def test_snippet_is_the_matching_sentences_with_the_question_words_marked():
    text = ("Human agency is the theme of the opening. Tools should deepen engagement. "
            "Scale xor explore says each team should either scale a working formula or explore. "
            "The rest is about writing.")
    shown, marks = snippet(text, "what is scale xor explore")
    assert shown.startswith("… Scale xor explore says") and "Human agency" not in shown
    assert [shown[a:b] for a, b in marks][:3] == ["Scale", "xor", "explore"]
    assert shown.endswith("…")  # more text follows
    # a passage found by meaning only (none of the words): its start
    assert snippet(text, "zebra crossings")[0].startswith("Human agency is the theme")
    # Markdown emphasis is shown as plain words, still marked
    shown, marks = snippet("Two spends. 1. **Scale**: a working formula, `scaled` hard.", "scale")
    assert shown == "… 1. Scale: a working formula, scaled hard." and [shown[a:b] for a, b in marks] == ["Scale", "scaled"]
    assert split_sentences("Two kinds. 1. Scale it, e.g. this. 2. Explore!") == [
        "Two kinds.", "1. Scale it, e.g. this.", "2. Explore!"]


def test_a_long_sentence_is_cut_around_its_match():
    text = "Filler words go here. " + " ".join(["padding"] * 80) + " the crux is calibration " + " ".join(["more"] * 80)
    shown, marks = snippet(text, "calibration", width=120)
    assert len(shown) <= 130 and "calibration" in shown and shown.startswith("… ") and shown.endswith(" …")
    assert [shown[a:b] for a, b in marks] == ["calibration"]


def test_a_note_is_cited_by_the_file_added_its_title_and_lines(kb_small: KnowledgeBase, tmp_path: Path):
    src = tmp_path / "vault" / "Interp plan.md"
    src.parent.mkdir()
    src.write_text("Some opening words.\n\n# My interpretability plan\n\nIntro line.\n\n## Probing\n\n"
                   "I will train linear probes on the residual stream.\nThen I will check them against patching.\n")
    kb_small.add_paths([src])
    hit = kb_small.search("linear probes residual stream", k=1, kind="note")[0]
    assert hit.title == "My interpretability plan"  # no front matter: the first heading
    assert hit.source == str(src.resolve()) and hit.location == "§ Probing" and hit.lines == (9, 10)
    assert hit.citation() == f"My interpretability plan, § Probing, lines 9–10 ({src.resolve()})"
    assert "linear probes" in hit.snippet


@pytest.fixture
def kb_small(tmp_path: Path, kb_cards_dir: Path, kb_embedder):
    kb = KnowledgeBase(kb_make_settings(tmp_path / "home", kb_cards_dir), embedder=kb_embedder)
    yield kb
    kb.close()


def test_titles_come_from_front_matter_then_first_heading_then_file_name(kb_small: KnowledgeBase, tmp_path: Path):
    notes = {
        "front.md": "---\ntitle: From the front matter\n---\n\n# A heading\n\nText about debate.\n",
        "heading.md": "A first paragraph that is a sentence.\n\n## Deep heading\n\nText about probes.\n",
        "Quick takes.txt": "This is a special post for quick takes by someone.\n\nText about evals.\n",
        "titled.txt": "Fast loops and slow loops\n\nText about feedback.\n",
    }
    for name, text in notes.items():
        (tmp_path / name).write_text(text)
    report = kb_small.add_paths([tmp_path / name for name in notes])
    assert [i.title for i in report.items] == [
        "From the front matter", "Deep heading", "Quick takes", "Fast loops and slow loops"]


def test_tags_filter_like_topics(kb_small: KnowledgeBase, tmp_path: Path):
    (tmp_path / "a.md").write_text("---\ntags: [Interp, '#sae']\n---\n\nSparse autoencoders on small models.\n")
    (tmp_path / "b.md").write_text("---\ntopics: [policy]\ntags: 'governance, #chips'\n---\n\nExport rules on chips.\n")
    kb_small.add_paths([tmp_path / "a.md", tmp_path / "b.md"])
    assert {h.source for h in kb_small.search("models or chips", k=10, topics=["sae"])} == {str(tmp_path / "a.md")}
    chips = kb_small.search("models or chips", k=10, topics=["chips"])
    assert {h.source for h in chips} == {str(tmp_path / "b.md")} and chips[0].topics == ["policy", "governance", "chips"]


# ------------------------------------------------------------------ provenance

CARD_FROM_NOTE = """---
title: Dangling questions
kind: epistemics
topics: [epistemics]
sources:
  - author: A. Writer
    title: "Quick take: Leaving dangling questions is bad faith"
    where: "a collection of quick takes"
---

## What a dangling question is

A critic poses a question the target never answered and leaves it hanging, implying the
target is wrong without arguing so.
"""

NOTE_SOURCE = """Quick takes

Leaving dangling questions is bad faith

A dangling question is a question asked in a critique and then left hanging, so that readers
conclude the author had no answer, though the critic never argued that there was none.

Another take on something else entirely: compute budgets grow every year.
"""


def test_a_card_drawn_from_a_note_carries_the_notes_own_passage(tmp_path: Path, kb_embedder):
    cards = tmp_path / "cards"
    cards.mkdir()
    (cards / "dangling.md").write_text(CARD_FROM_NOTE)
    note = tmp_path / "takes.txt"
    note.write_text(NOTE_SOURCE)
    with KnowledgeBase(kb_make_settings(tmp_path / "home", cards), embedder=kb_embedder) as kb:
        assert kb.add_paths([note]).ok
        card = kb.search("raising an objection and leaving it hanging", k=1, kind="curated")[0]
        assert card.source == "dangling.md" and card.draws_on == [
            "“Quick take: Leaving dangling questions is bad faith”, A. Writer — a collection of quick takes"]
        src = card.source_passage
        assert src is not None and src.source == str(note.resolve()) and src.kind == "note"
        assert "left hanging" in src.text and "hanging" in src.snippet
        # when the note's passage is already a result, it is not repeated beside the card
        both = kb.search("raising an objection and leaving it hanging", k=5)
        listed = {p.chunk_id for p in both}
        assert all(p.source_passage is None or p.source_passage.chunk_id not in listed for p in both)


def test_a_work_a_card_draws_on_names_a_known_author_and_leaves_out_an_unknown_one():
    seed = {"title": "My Siloed Views Meet Reality", "by": "unknown (seed 004)",
            "where": "shared seed 004 (personal pre/post journal entry)"}
    assert work_label(seed) == "“My Siloed Views Meet Reality” — shared seed 004 (personal pre/post journal entry)"
    essay = {"title": "Research Taste Exercises", "by": "Chris Olah", "where": "colah.github.io notes, 2021"}
    assert work_label(essay) == "“Research Taste Exercises”, Chris Olah — colah.github.io notes, 2021"
    assert work_label({"title": "Untitled"}) == "“Untitled”"


def test_a_long_source_note_is_narrowed_by_its_words_before_scoring(
    tmp_path: Path, kb_embedder, monkeypatch: pytest.MonkeyPatch
):
    from advisor.knowledge import provenance

    cards = tmp_path / "cards"
    cards.mkdir()
    (cards / "dangling.md").write_text(CARD_FROM_NOTE)
    note = tmp_path / "takes.txt"
    other = "\n\n".join(f"Take {i}: compute budgets and chip supply grow every single year again." for i in range(6))
    note.write_text(NOTE_SOURCE + "\n" + other + "\n")
    monkeypatch.setattr(provenance, "MAX_SCAN", 1)  # more chunks than this: BM25 picks the candidates
    with KnowledgeBase(kb_make_settings(tmp_path / "home", cards, chunk_words=30), embedder=kb_embedder) as kb:
        assert kb.add_paths([note]).ok and len(kb.catalog.chunk_ids("note:" + kb.list_notes()[0].id)) > 3
        card = kb.search("a question left hanging in a critique", k=1, kind="curated")[0]
        assert card.source_passage is not None and "left hanging" in card.source_passage.text


# ------------------------------------------------------------------ MDX vaults

MDX_PAGE = """---
title: Scheming
tags: [risk]
---
import { R, Chart } from "@/components"
import Callout from './callout'
export const meta = {
  sidebar: true,
}

# Scheming <Badge>draft</Badge>

Models may <R id="c81">fake alignment during training</R> when they can tell they are being tested.
<Chart data={[1, 2]} onHover={x => x > 1} />
{/* editor's note: cite the paper */}

## Evidence

<Callout
  type="warning"
>
Evaluations can be gamed by a model that recognises them.
</Callout>
<!-- hidden
comment -->
"""


def test_mdx_markup_is_not_indexed_and_headings_stay_sections(kb_small: KnowledgeBase, tmp_path: Path):
    page = tmp_path / "scheming.mdx"
    page.write_text(MDX_PAGE)
    report = kb_small.add_paths([tmp_path])
    assert [(i.outcome, i.title) for i in report.items] == [("added", "Scheming")]
    rows = kb_small.catalog.db.execute(
        "SELECT location, text, line_start FROM chunks WHERE source_id LIKE 'note:%' ORDER BY ord").fetchall()
    assert [r["location"] for r in rows] == ["§ Scheming draft", "§ Evidence"]
    text = " ".join(r["text"] for r in rows)
    assert "fake alignment during training" in text and "Evaluations can be gamed" in text
    for markup in ("import", "export", "<", ">", "{", "}", "sidebar", "Callout", "editor's note", "hidden"):
        assert markup not in text, markup
    assert rows[0]["line_start"] == 13  # line numbers still point into the file
    hit = kb_small.search("fake alignment when tested", k=1, topics=["risk"])[0]
    assert hit.title == "Scheming" and hit.lines == (13, 13)


# ------------------------------------------------------------------ an index from before this stage


def test_an_index_cut_by_the_previous_chunker_is_re_cut_on_open(tmp_path: Path, kb_cards_dir: Path, kb_embedder):
    settings = kb_make_settings(tmp_path / "home", kb_cards_dir)
    with KnowledgeBase(settings, embedder=kb_embedder) as kb:
        assert kb.add_paths([KB_NOTES / "journaling.txt"]).ok
        path = kb.catalog.path
        fresh = kb.catalog.db.execute("SELECT chunk_id, line_start, line_end FROM chunks ORDER BY chunk_id").fetchall()
    db = sqlite3.connect(path)  # version 3: the same tables, chunks cut (and cited) the old way
    db.execute("UPDATE chunks SET line_start = 999, line_end = 999")
    db.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'")
    db.commit()
    db.close()
    with KnowledgeBase(settings, embedder=kb_embedder) as kb:
        kb.search("why hide the earlier credence", k=1, kind="note")  # the first search re-indexes
        assert kb.catalog.get_meta("schema_version") == str(SCHEMA_VERSION)
        again = kb.catalog.db.execute("SELECT chunk_id, line_start, line_end FROM chunks ORDER BY chunk_id").fetchall()
        assert [tuple(r) for r in again] == [tuple(r) for r in fresh]


def test_an_index_without_token_states_is_re_indexed_on_open(tmp_path: Path, kb_cards_dir: Path, kb_embedder):
    settings = kb_make_settings(tmp_path / "home", kb_cards_dir)
    with KnowledgeBase(settings, embedder=kb_embedder) as kb:
        assert kb.add_paths([KB_NOTES / "journaling.txt"]).ok
        n = kb.catalog.chunk_count()
        path = kb.catalog.path
    db = sqlite3.connect(path)  # what version 2 left: no token states, no line ranges
    db.execute("DELETE FROM chunk_tokens")
    db.execute("UPDATE chunks SET line_start = NULL, line_end = NULL")
    db.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    db.commit()
    db.close()
    with KnowledgeBase(settings, embedder=kb_embedder) as kb:
        hit = kb.search("why hide the earlier credence", k=1, kind="note")[0]  # the first search re-indexes
        assert kb.catalog.get_meta("schema_version") == str(SCHEMA_VERSION)
        assert kb.catalog.db.execute("SELECT count(*) FROM chunk_tokens").fetchone()[0] == n
        assert hit.lines is not None and 0.0 < hit.score <= 1.0
