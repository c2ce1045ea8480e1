"""How documents are cut into passages: where a long run of words is cut, and the lines each
passage is cited by (no model, no index: the chunker alone)."""

from __future__ import annotations

from advisor.knowledge.chunking import chunk_document, cut_point
from advisor.knowledge.documents import Document


def _doc(lines: list[str]) -> Document:
    return Document(title="t", lines=[(n, text, 0) for n, text in enumerate(lines, start=1)])


def _words_at(lines: list[str]) -> dict[str, int]:
    """Each (unique) word of the document -> its line."""
    return {w: n for n, text in enumerate(lines, start=1) for w in text.split()}


def test_a_file_without_blank_lines_is_cut_at_line_breaks_and_cited_by_the_lines_it_holds():
    # one "paragraph" of 12 lines (no blank line anywhere), 7 unique words a line
    lines = [" ".join(f"w{n}x{i}" for i in range(7)) for n in range(1, 13)]
    chunks = list(chunk_document(_doc(lines), 20, markdown=False))
    where = _words_at(lines)
    for c in chunks:
        held = [where[w] for w in c.text.split()]
        assert (c.line_start, c.line_end) == (held[0], held[-1]), c  # exactly the lines its words are on
        assert c.text.split()[0].endswith("x0") and c.text.split()[-1].endswith("x6")  # whole lines
    assert [(c.line_start, c.line_end) for c in chunks] == [(1, 2), (3, 4), (5, 6), (7, 8), (9, 10), (11, 12)]
    assert chunks[2].location == "lines 5–6"


def test_a_long_paragraph_is_cut_after_a_sentence_not_mid_sentence():
    sentence = "Alpha beta gamma delta epsilon zeta eta theta."  # 8 words
    chunks = list(chunk_document(_doc([" ".join([sentence] * 6)]), 20, markdown=False))
    assert [len(c.text.split()) for c in chunks] == [16, 16, 16]
    assert all(c.text.endswith("theta.") and c.text.startswith("Alpha") for c in chunks)


def test_hard_wrapped_text_is_cut_after_a_sentence_not_at_a_wrapped_line():
    text = ("One two three four five six seven eight nine ten eleven twelve thirteen. " * 4).split()
    wrapped = [" ".join(text[i : i + 5]) for i in range(0, len(text), 5)]  # 5 words a line, mid-sentence
    first = next(iter(chunk_document(_doc(wrapped), 30, markdown=False)))
    assert first.text.endswith("thirteen.") and len(first.text.split()) == 26
    assert (first.line_start, first.line_end) == (1, 6)


def test_cut_point_prefers_a_line_break_then_a_sentence_end_then_the_limit():
    words = ["a", "b", "c;", "d.", "e", "f"]
    assert cut_point(words, [1, 1, 1, 2, 2, 2], 5) == 3  # a line ending a clause, in the second half
    assert cut_point(words, [1, 1, 2, 2, 2, 2], 5) == 4  # else the last sentence end
    assert cut_point(["a", "b", "c", "d", "e", "f"], [1, 1, 1, 2, 2, 2], 5) == 3  # else a line break
    assert cut_point(["a", "b.", "c", "d", "e", "f"], [1] * 6, 5) == 5  # none after word 2 of 5: the limit
    assert cut_point(["a", "b", "c", "“d.”", "e", "f"], [1] * 6, 5) == 4  # closing quotes are part of it


def test_a_line_repeated_in_a_file_is_indexed_once_where_it_first_appears():
    pasted = ["A first paragraph about question taste and research fields.", "", "Example", "",
              "A second paragraph about scaling laws and compute budgets."]
    lines = [*pasted, "", *pasted, "", "```", "x = compute(a, b)", "x = compute(a, b)", "```"]
    chunks = list(chunk_document(_doc(lines), 150, markdown=True))
    text = " ".join(c.text for c in chunks)
    assert text.count("question taste") == 1 and text.count("scaling laws") == 1
    assert text.count("Example") == 2  # a short label recurs for a reason
    assert text.count("x = compute(a, b)") == 2  # code is left as it is
    assert (chunks[0].line_start, chunks[0].line_end) == (1, 16)
