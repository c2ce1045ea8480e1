"""Guide mode quotes a sentence that carries what a question asks about (its focus), not one that
only names its subject; and says plainly when the base only lists the question, or does not cover it."""

from __future__ import annotations

import pytest

from advisor.knowledge.models import Passage
from advisor.session.answers import factual
from advisor.session.guide import Guide, Sources
from advisor.session.reading import in_context, read
from advisor.session.relevance import EmbeddingScorer, LexicalScorer, split_sentences
from advisor.session.stages import Stage

ASK = Passage(text="- Who reads your work, and how did you find them?\n"
                   "- How do you get feedback on your research taste without colleagues?\n"
                   "- How is your work funded, and how much time does fundraising take?",
              score=1.0, title="Independent research", source="knowledge/careers/independent-research.md",
              kind="curated", chunk_id="ind-q", location="§ Questions to ask people in this path")
# the same list as the index holds it: bullets joined on one line
ASK_JOINED = Passage(text=" ".join(ASK.text.split()), score=1.0, title=ASK.title, source=ASK.source,
                     kind="curated", chunk_id="ind-q", location=ASK.location)
DEFINED = Passage(text="Independent researchers pursue their own agenda outside a lab or university, often funded by "
                       "grants or savings, sometimes after a research programme or fellowship. Independent research "
                       "suits people who already know which questions they want to work on.",
                  score=0.9, title="Independent research", source="knowledge/careers/independent-research.md",
                  kind="curated", chunk_id="ind-0", location="§ What the path is")
TASTE = Passage(text="Chris Olah calls developing research taste one of the most important parts of growing as a "
                     "researcher. The basic difficulty is cost: testing whether an idea is good often takes months, "
                     "so you get only a few pieces of feedback on your taste each year.",
                score=0.7, title="Olah: research taste exercises", source="knowledge/strategy/olah.md",
                kind="curated", chunk_id="olah-1", location="§ Why taste is hard to train")

QUESTION = "How do independent researchers get feedback on their work?"


@pytest.fixture(params=["embedding", "lexical"])
def scorer(request, kb_embedder):
    return EmbeddingScorer(kb_embedder) if request.param == "embedding" else LexicalScorer()


@pytest.mark.parametrize("asked", [ASK, ASK_JOINED], ids=["lines", "joined"])
def test_a_sentence_on_the_subject_alone_is_not_quoted_as_the_answer(scorer, asked):
    """The definition names independent researchers but says nothing on feedback: the answer is the
    sentence on feedback, and the question the base lists, cited; nothing claims it was answered."""
    answer = factual(QUESTION, [asked, DEFINED, TASTE], scorer)
    assert "pursue their own agenda" not in answer.text
    assert all("feedback" in line for line in answer.lines)
    assert any("few pieces of feedback on your taste" in line for line in answer.lines)
    assert answer.citations and {c.title for c in answer.citations} <= {ASK.title, TASTE.title}


def test_when_the_base_only_lists_the_question_it_says_so(scorer):
    answer = factual(QUESTION, [ASK, DEFINED], scorer)
    assert answer.lines == ["The knowledge base does not answer this directly; it lists it as a question to ask "
                            "people on this path: “How do you get feedback on your research taste without "
                            "colleagues?” [1]"]
    assert [(c.n, c.location) for c in answer.citations] == [(1, "§ Questions to ask people in this path")]
    assert not answer.grounded


def test_when_nothing_carries_the_focus_it_says_the_base_does_not_cover_it(scorer):
    answer = factual("How do independent researchers negotiate visas?", [DEFINED, ASK], scorer)
    assert answer.lines[0].startswith("The knowledge base does not seem to cover this: none of the passages found "
                                      "speaks of “negotiate visas”")
    # the closest passages are offered as reading, cited
    assert answer.lines[1:] == ["- Independent research, § What the path is [1]",
                                "- Independent research, § Questions to ask people in this path [2]"]
    assert len(answer.citations) == 2 and not answer.grounded


def test_a_question_about_the_subject_itself_is_still_answered_by_its_definition(scorer):
    answer = factual("What is independent research?", [DEFINED, ASK], scorer)
    assert answer.grounded and answer.lines[0].startswith("“") and "does not" not in answer.text
    assert answer.citations[0].location == "§ What the path is"


FLATTERY = Passage(text="A chatbot tends to agree with whoever is talking to it. To check whether praise is flattery, "
                        "ask what evidence would make it say the opposite, and whether it ever has.",
                   score=0.8, title="Distrust AI flattery", source="knowledge/epistemics/distrust-ai-flattery.md",
                   kind="curated", chunk_id="flat-1", location="§ How to test it")
UNITS = Passage(text="Check the units and the method, not just the headline number.", score=0.7,
                title="Get quantitative", source="knowledge/epistemics/getting-quantitative.md", kind="curated",
                chunk_id="quant-1", location="§ A habit worth borrowing")
WORRY = "I'm worried the chatbot just flatters me about my plans. How do I check?"


def test_a_request_after_a_statement_is_asked_of_the_advisor_not_left_dangling():
    """"How do I check?" closes a message that says what to check: the user asks for a way, and is
    answered; a doubt posed and moved on from ("How could I stand out? Anyway.") is still dangling."""
    reading = read(WORRY)
    assert reading.asked == ["How do I check?"] and reading.dangling == [] and reading.asks_advisor
    assert read("I want to do interp. Where can I find a mentor?").dangling == []
    assert read("Labs are big. How could I stand out? Anyway.").dangling == ["How could I stand out?"]
    assert read("I think labs are better. What even is impact?").dangling == ["What even is impact?"]


def test_a_question_that_says_little_on_its_own_is_read_with_the_sentence_before_it():
    assert in_context("How do I check?", WORRY) == "How do I check (I'm worried the chatbot just flatters me about my plans)?"
    assert in_context(QUESTION, f"I work alone. {QUESTION}") == QUESTION  # enough on its own
    assert in_context("How do I check?", "How do I check?") == "How do I check?"  # nothing before it


def test_guide_answers_a_short_request_from_what_the_message_is_about(kb_embedder):
    """With the base's embedder (word overlap alone sees only the shared "check")."""
    scorer = EmbeddingScorer(kb_embedder)
    reply = Guide().reply(WORRY, Stage.EXPLORE, [UNITS, FLATTERY], 0, sources=Sources(scorer=scorer)).text
    assert "moved on" not in reply  # not read back as a dangling question
    # quoted from the passage on what the message is about, not from one that shares only "check"
    assert "[1] Distrust AI flattery" in reply and "Check the units" not in reply


def test_an_abbreviation_does_not_end_a_quoted_sentence():
    """Guide mode quoted “Keep the AI's concrete suggestions (e.g.” from the flattery card."""
    text = ("- Keep the AI's concrete suggestions (e.g. \"look at safety roles beyond research scientist\") "
            "separate from its flattering assessments.\n- Ask for the strongest case against you taking a path.")
    assert split_sentences(text) == [
        "Keep the AI's concrete suggestions (e.g. \"look at safety roles beyond research scientist\") separate from "
        "its flattering assessments.", "Ask for the strongest case against you taking a path."]


CONTROL = Passage(text="AI control asks how to get useful work out of models we don't fully trust, safely, even if they "
                       "might be trying to subvert our safeguards.", score=0.9, title="AI control",
                  source="knowledge/subfields/ai-control.md", kind="curated", chunk_id="ctl-1", location="§ Core problems")
ACCELERATION = Passage(text="What is difficult to automate in AI research? There are large gains from accelerating AI "
                            "researchers, and research engineering is where they are.", score=0.8,
                       title="AIs being bad at AI research", source="/notes/001.txt", kind="note", chunk_id="n-1",
                       location="§ lines 13-22")


def test_a_question_on_the_subject_alone_is_answered_by_a_sentence_on_the_subject(scorer):
    """"What does AI control research try to do?" shares "AI research" with a note's sentences; the
    answer is the card's sentence on AI control, and a question from the base never answers it."""
    answer = factual("What does AI control research try to do?", [CONTROL, ACCELERATION], scorer)
    assert answer.lines == ["“AI control asks how to get useful work out of models we don't fully trust, safely, even "
                            "if they might be trying to subvert our safeguards.” [1]"]
    assert not any("difficult to automate" in line for line in factual(
        "What is difficult to automate?", [ACCELERATION], scorer).lines)


def test_a_short_lead_in_is_quoted_with_the_sentence_it_leads_to(scorer):
    organisms = Passage(text="The model-organisms approach borrows from biology. Rather than waiting for misalignment "
                             "to appear in the wild, researchers deliberately build small, controlled examples of it.",
                        score=0.9, title="Model organisms of misalignment", source="knowledge/subfields/mo.md",
                        kind="curated", chunk_id="mo-1", location="§ Core problems")
    text = factual("What is the model organisms approach?", [organisms], scorer).text
    assert "borrows from biology" in text and "deliberately build small, controlled examples" in text


def test_markdown_emphasis_is_quoted_as_plain_words():
    assert split_sentences("1. **Scale**: take a working formula for solving a problem and scale it.") == [
        "Scale: take a working formula for solving a problem and scale it."]


def test_when_no_sentence_answers_the_closest_passages_are_handed_over(scorer):
    """Nothing in the passages answers "How do I check (…)?": guide mode says so and lists the
    passages the search put first, instead of only "not covered"."""
    answer = factual("How do I deal with it (my visa application is stuck)", [TASTE, DEFINED], scorer)
    assert answer.lines[0] == "The knowledge base does not answer this directly; the closest, to read and judge for yourself:"
    assert answer.lines[1:] == ["- Olah: research taste exercises, § Why taste is hard to train [1]",
                                "- Independent research, § What the path is [2]"]
    assert not answer.grounded


def test_a_long_focus_is_not_quoted_back_as_if_the_user_had_said_it(scorer):
    """'The nearest it comes on “join lab team early build independent interp track record first”'
    quoted a bag of the question's words as a phrase; a focus of a few words is still quoted."""
    answer = factual("Is it better to join a lab safety team early or build an independent interp track "
                     "record first?", [DEFINED, ASK, TASTE], scorer)
    assert "“better" not in answer.text and "“join" not in answer.text
    assert "what you asked" in answer.text


TEAM_ASK = Passage(text="Questions to ask people in this path:\n- In your own team, how much of the work is \"more hands "
                        "would speed this up\" versus \"we don't know what to do\"?",
                   score=0.7, title="Is safety one hard problem or many?", source="knowledge/field/hard.md",
                   kind="curated", chunk_id="hard-3", location="§ Questions to ask people in this path")


def test_a_listed_question_that_is_not_the_users_is_not_said_to_be_it(scorer):
    """'it lists it only as a question: “In your own team, how much of the work is …”' claimed the
    base lists the user's question; it lists another one that shares a word."""
    answer = factual("Is it better to join a lab safety team early or build an independent interp track "
                     "record first?", [TEAM_ASK, DEFINED], scorer)
    assert "it lists it" not in answer.text
    assert "the nearest it has is a question to ask people on this path: “In your own team" in answer.text
