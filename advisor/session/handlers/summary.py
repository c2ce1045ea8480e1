"""Summary: what moved and why, cruxes, open questions and 1-3 cheap next actions.

The journal's diff is the record of what moved, word for word; any model may write the rest as
structured output, checked against a summary built from the journal, which stands in when the
model cannot. Entering the stage again rewrites the summary.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from advisor.errors import ModelError
from advisor.journal.models import EntryDiff
from advisor.session import prompts
from advisor.session.events import Done, Event, Notice, SummaryReady
from advisor.session.handlers.base import StageHandler
from advisor.session.questions import still_open
from advisor.session.stages import Stage
from advisor.session.summary import SessionSummary, deterministic_summary, merge, moved_lines, render_summary

if TYPE_CHECKING:
    from advisor.session.engine import Session

#: How much of the conversation the summary prompt quotes: the last turns, each cut to a length.
TRANSCRIPT_TURNS, TURN_CHARS = 30, 800


class SummaryHandler(StageHandler):
    stage = Stage.SUMMARY
    reenters = True

    def enter(self, session: Session) -> Iterator[Event]:
        diff = None
        entry_id = session.entry_id
        if entry_id:
            if session.journal.post_ratings(entry_id):
                session.journal.complete_post(entry_id)
            diff = session.journal.entry_diff(entry_id)
        summary = deterministic_summary(diff, session.state, session.knowledge.scorer(),
                                        session.knowledge.curated_dir)
        client = session.client
        if client is not None:  # any model may try; the deterministic summary checks it, or stands in
            yield Notice("Writing the summary…")
            try:
                drafted = client.structured(SessionSummary, summary_prompt(session, diff))
                summary = merge(drafted, summary, session.state)
            except ModelError as exc:
                yield Notice(f"{exc.message} The summary below is built from your journal instead.")
            except ValueError:
                yield Notice("The model gave no usable summary; this one is built from your journal.")
        text = render_summary(summary, moved_lines(diff))
        session.record = session.store.update(session.id, summary=summary.model_dump(), status="complete",
                                              stage=self.stage.value, state=session.state)
        session.say(text)
        yield SummaryReady(text, summary, diff)
        yield Done()

    def message(self, session: Session, text: str) -> Iterator[Event]:
        session.say(text, role="user")
        note = "The session is summarised. /stage explore to keep talking, or /quit."
        session.say(note, role="notice")
        yield Notice(note)


HANDLER = SummaryHandler()


def summary_prompt(session: Session, diff: EntryDiff | None) -> str:
    convo = [t for t in session.turns() if t.role in ("user", "advisor") and t.status == "ok"]
    transcript = "\n".join(f"{t.role} ({t.stage}): {t.content[:TURN_CHARS]}" for t in convo[-TRANSCRIPT_TURNS:])
    return prompts.render(
        prompts.load("structured/summary.md"), topic=session.topic,
        frame="\n".join(session.state.get("frame", [])) or "(not stated)",
        diff="\n".join(moved_lines(diff)) or "(no beliefs rated)", transcript=transcript,
        questions="\n".join(f"- {q}" for q in still_open(session.state)) or "(none)",
        crux_answers="\n".join(f"- {a}" for a in session.state.get("crux_answers", [])) or "(none)",
    )
