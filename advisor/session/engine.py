"""The session engine: the six-stage protocol over a journal, a retriever and a model (or guide).

A UI is a shell over `Session`: it shows `opening()`, feeds each line the user types to
`send(text)` and renders the `Chunk`s that come back (text chunks stream as the model writes).
Every turn is committed as it happens; the user's message is saved before the model is called.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from advisor.errors import AdvisorError, ModelError, StorageError, UsageError
from advisor.journal.models import validate_credence
from advisor.session import prompts
from advisor.session.prompts import estimate_tokens
from advisor.session.guide import Guide, parse_bare_credence, parse_belief_line, read
from advisor.session.llm import ModelClient, ModelInfo, describe
from advisor.session.stages import ORDER, Stage, parse_stage
from advisor.session.store import Citation, SessionRecord, SessionStore, Turn
from advisor.session.summary import (
    BeliefProposals,
    SessionSummary,
    deterministic_summary,
    merge,
    moved_lines,
    render_summary,
)

if TYPE_CHECKING:
    from advisor.settings import Settings

HELP = """Commands:
  /next  /back  /stage NAME   move between stages (frame, before, explore, challenge, after, summary)
  /end                        go to the summary and finish
  /retry                      send your last message again (after a model error)
  /beliefs                    beliefs already in your journal (ids for /pull)
  /pull ID CREDENCE [reason]  bring a journal belief into this session's Before
  /accept [N ...]             record proposed beliefs (all, or the numbers given)
  /status                     where the session stands
  /help                       this list;  /quit leaves (the session can be resumed)"""


class Retriever(Protocol):
    def search(self, query: str, k: int | None = None, kind: str | None = None,
               topics: list[str] | None = None) -> list[Any]: ...


@dataclass
class Chunk:
    """One piece of output.

    kind: `text` (a piece of a streamed model reply; `done` follows the last one), `message` (a
    whole advisor message), `prompt` (a question awaiting an answer, e.g. a re-rating), `sources`
    (citations after a streamed reply), `stage` (a stage opened; data = stage name), `notice`,
    `error` (a fault; the session continues), `summary` (data = the SessionSummary as a dict).
    """

    kind: str
    text: str = ""
    data: Any = None


@dataclass
class _Ctx:
    passages: list[Any] = field(default_factory=list)


class Session:
    """One advisor session. Build with `Session.start(...)` or `Session.resume(...)`."""

    def __init__(self, journal: Any, settings: "Settings", record: SessionRecord, *,
                 client: ModelClient | None = None, retriever: Retriever | None = None,
                 info: ModelInfo | None = None) -> None:
        self.journal = journal
        self.settings = settings
        self.store = SessionStore(journal)
        self.record = record
        self.info = info or (client.info if client else describe(settings))
        self._client = client
        self._retriever = retriever
        self._retriever_failed: str | None = None
        self.guide = Guide()

    # ------------------------------------------------------------------ construction
    @classmethod
    def start(cls, journal: Any, settings: "Settings", topic: str, *, kind: str = "session",
              client: ModelClient | None = None, retriever: Retriever | None = None,
              stage: Stage = Stage.FRAME) -> "Session":
        info = client.info if client else describe(settings)
        record = SessionStore(journal).create(topic, stage.value, kind=kind, provider=info.provider,
                                              model_label=info.label)
        return cls(journal, settings, record, client=client, retriever=retriever, info=info)

    @classmethod
    def resume(cls, journal: Any, settings: "Settings", session_id: int, *,
               client: ModelClient | None = None, retriever: Retriever | None = None) -> "Session":
        record = SessionStore(journal).get(session_id)
        session = cls(journal, settings, record, client=client, retriever=retriever)
        if record.provider != session.info.provider or record.model_label != session.info.label:
            session.record = session.store.update(record.id, provider=session.info.provider,
                                                  model_label=session.info.label)
        return session

    def close(self) -> None:
        if self._client is not None:
            self._client.close()

    # ------------------------------------------------------------------ state
    @property
    def id(self) -> int:
        return self.record.id

    @property
    def topic(self) -> str:
        return self.record.topic

    @property
    def stage(self) -> Stage:
        return Stage(self.record.stage)

    @property
    def entry_id(self) -> int | None:
        return self.record.entry_id

    @property
    def complete(self) -> bool:
        return self.record.status == "complete"

    @property
    def summary(self) -> SessionSummary | None:
        return SessionSummary.model_validate(self.record.summary) if self.record.summary else None

    @property
    def state(self) -> dict[str, Any]:
        return self.record.state

    def turns(self) -> list[Turn]:
        return self.store.turns(self.id)

    def _save_state(self, **fields: Any) -> None:
        self.record = self.store.update(self.id, state=self.record.state, **fields)

    def _bump(self, key: str) -> int:
        value = int(self.state.get(key, 0))
        self.state[key] = value + 1
        return value

    def _say(self, text: str, role: str = "advisor", citations: list[Citation] | None = None,
             status: str = "ok") -> Turn:
        return self.store.add_turn(self.id, self.stage.value, role, text, citations, status)  # type: ignore[arg-type]

    @property
    def client(self) -> ModelClient | None:
        if self.info.provider == "guide":
            return None
        if self._client is None:
            self._client = ModelClient(self.settings, info=self.info)
        return self._client

    # ------------------------------------------------------------------ opening
    def opening(self) -> Iterator[Chunk]:
        """What to show first: the model notice, then the current stage (new) or a recap (resumed)."""
        if self.info.warning:
            yield Chunk("notice", self.info.warning)
        if not self.turns():
            self._save_state(stage=self.stage.value)
            yield from self._enter(self.stage)
            return
        yield Chunk("notice", f"Resuming session #{self.id} “{self.topic}” at stage "
                              f"{self.stage.number} ({self.stage.value}).")
        last = [t for t in self.turns() if t.role != "notice" and t.status == "ok"]
        if last and last[-1].role == "user":
            yield Chunk("notice", f"Your last message had no answer yet: “{last[-1].content}”. /retry to send it again.")
        elif last:
            yield Chunk("notice", "Last from the advisor:\n" + last[-1].content)
        if self.stage is Stage.AFTER:
            yield from self._after_prompt()

    # ------------------------------------------------------------------ input
    def send(self, text: str) -> Iterator[Chunk]:
        """Handle one line from the user: a /command or a message for the current stage."""
        text = (text or "").strip()
        if not text:
            return
        yield from self._guarded(self._command if text.startswith("/") else self._message, text)

    # ------------------------------------------------------------------ structured input (forms)
    def add_before(self, statement: str, credence: object, reason: str = "",
                   belief_id: int | None = None) -> Iterator[Chunk]:
        """A before-belief from a form: no text parsing, so any statement is taken as written."""
        yield from self._guarded(self._add_before, statement, credence, reason, belief_id)

    def _add_before(self, statement: str, credence: object, reason: str,
                    belief_id: int | None) -> Iterator[Chunk]:
        if self.stage is not Stage.BEFORE:
            raise UsageError("before-beliefs are added in the Before stage")
        value = validate_credence(credence)
        if belief_id is not None:
            statement = self.journal.get_belief(belief_id).statement
        shown = f"{value:g} {statement}" + (f" because {reason}" if reason else "")
        self._say(shown, role="user")
        yield from self._record_pre(statement, value, reason.strip(), belief_id=belief_id)
        yield from self._before_next()

    def rate_after(self, belief_id: int, credence: object = None, reason: str = "",
                   action: str = "rate") -> Iterator[Chunk]:
        """Re-rate (or `drop`, or `skip`) one before-belief in the After stage, from a form."""
        yield from self._guarded(self._rate_after, belief_id, credence, reason, action)

    def _rate_after(self, belief_id: int, credence: object, reason: str, action: str) -> Iterator[Chunk]:
        if self.stage is not Stage.AFTER:
            raise UsageError("beliefs are re-rated in the After stage")
        if belief_id not in {b.belief_id for b in self._after_queue()}:
            raise UsageError(f"belief #{belief_id} is not waiting to be re-rated")
        entry_id = self.entry_id
        assert entry_id is not None
        reason = (reason or "").strip()
        if action == "skip":
            self._say("skip", role="user")
            self.state.setdefault("after_skipped", []).append(belief_id)
            self._save_state()
            yield from self._after_prompt()
            return
        if action == "drop":
            self._say("drop" + (f" {reason}" if reason else ""), role="user")
            self.journal.drop_in_post(entry_id, belief_id, reason)
            msg = "Dropped."
        else:
            value = validate_credence(credence)
            self._say(f"{value:g}" + (f" because {reason}" if reason else ""), role="user")
            self.journal.rate_post(entry_id, belief_id, value, reason)
            msg = f"Recorded {value:g}%" + (f" because {reason}." if reason else ".")
        self._say(msg)
        yield Chunk("message", msg)
        yield from self._after_prompt()

    def add_after(self, statement: str, credence: object, reason: str = "") -> Iterator[Chunk]:
        """A belief that appeared during the session, from a form (After stage)."""
        yield from self._guarded(self._add_after, statement, credence, reason)

    def _add_after(self, statement: str, credence: object, reason: str) -> Iterator[Chunk]:
        if self.stage is not Stage.AFTER:
            raise UsageError("new beliefs are added in the After stage")
        value = validate_credence(credence)
        self._say(f"new: {value:g} {statement}" + (f" because {reason}" if reason else ""), role="user")
        yield from self._record_new_post(statement, value, (reason or "").strip())

    def _guarded(self, step: Any, *args: Any) -> Iterator[Chunk]:
        """Run a step; a user mistake becomes an `error` chunk and a saved notice, as in send()."""
        try:
            yield from step(*args)
        except ModelError:
            raise
        except AdvisorError as exc:
            if isinstance(exc, StorageError):
                raise
            self._say(exc.message, role="notice", status="error")
            yield Chunk("error", exc.message)

    def goto(self, stage: Stage | str) -> Iterator[Chunk]:
        """Move to a stage (any direction) and show what it asks."""
        target = stage if isinstance(stage, Stage) else parse_stage(stage)
        if target is self.stage and target is not Stage.SUMMARY:
            yield Chunk("notice", f"Already at stage {target.number} ({target.value}).")
            return
        self._save_state(stage=target.value)
        yield from self._enter(target)

    def next_stage(self) -> Iterator[Chunk]:
        if self.stage is Stage.SUMMARY:
            yield Chunk("notice", "This is the last stage; /quit to leave.")
            return
        yield from self.goto(self.stage.next())

    def end(self) -> Iterator[Chunk]:
        yield from self.goto(Stage.SUMMARY)

    def retry(self) -> Iterator[Chunk]:
        """Answer the last user message again (it was saved before the failed call)."""
        conv = [t for t in self.turns() if t.role in ("user", "advisor") and t.status != "error"]
        users = [t for t in conv if t.role == "user"]
        if not users:
            yield Chunk("notice", "Nothing to retry.")
            return
        last = users[-1]
        yield from self._converse(last.content, Stage(last.stage), saved=True)

    # ------------------------------------------------------------------ commands
    def _command(self, text: str) -> Iterator[Chunk]:
        name, _, arg = text[1:].partition(" ")
        name, arg = name.lower(), arg.strip()
        if name in ("next", "skip"):
            yield from self.next_stage()
        elif name == "back":
            yield from self.goto(self.stage.previous())
        elif name == "stage":
            if not arg:
                raise UsageError("say which stage: /stage explore (or 1-6)")
            yield from self.goto(parse_stage(arg))
        elif name in ("end", "done", "finish"):
            yield from self.end()
        elif name == "retry":
            yield from self.retry()
        elif name == "help":
            yield Chunk("notice", HELP)
        elif name == "status":
            yield Chunk("notice", self.status_text())
        elif name == "beliefs":
            yield Chunk("notice", self._journal_beliefs_text())
        elif name == "pull":
            yield from self._pull(arg)
        elif name == "accept":
            yield from self._accept(arg)
        else:
            raise UsageError(f"unknown command /{name}; /help lists them")

    def status_text(self) -> str:
        lines = [f"Session #{self.id}: {self.topic}",
                 f"Stage {self.stage.number}/6: {self.stage.title}",
                 f"Model: {self.info.label}"]
        if self.entry_id:
            pre = self.journal.pre_beliefs(self.entry_id)
            post = self.journal.post_ratings(self.entry_id)
            lines.append(f"Journal entry #{self.entry_id}: {len(pre)} before, {len(post)} after")
        return "\n".join(lines)

    def _journal_beliefs_text(self) -> str:
        beliefs = self.journal.all_beliefs()
        if not beliefs:
            return "Your journal has no beliefs yet."
        return "Beliefs in your journal (use /pull ID CREDENCE [reason]):\n" + "\n".join(
            f"  #{b.id} {b.statement}" for b in beliefs[-30:])

    # ------------------------------------------------------------------ stages
    def _enter(self, stage: Stage) -> Iterator[Chunk]:
        yield Chunk("stage", f"Stage {stage.number}/6 — {stage.title}", data=stage.value)
        if stage is Stage.SUMMARY:
            yield from self._summarise()
            return
        if stage is Stage.AFTER:
            intro = self.guide.intro(stage)
            self._say(intro)
            yield Chunk("message", intro)
            yield from self._after_prompt()
            return
        lines = [self.guide.intro(stage)]
        if stage is Stage.EXPLORE or stage is Stage.CHALLENGE:
            q = self.guide.stage_question(stage, 0)
            if stage is Stage.CHALLENGE:
                lean = self._lean_text()
                if lean:
                    lines.append(lean)
            elif q:
                lines.append(q)
        elif stage is Stage.FRAME:
            if self.topic:
                lines.append(f"You said the topic is: “{self.topic}”.")
        text = "\n".join(l for l in lines if l)
        self._say(text)
        yield Chunk("message", text)

    def _lean_text(self) -> str:
        if not self.entry_id:
            return ""
        beliefs = self.journal.pre_beliefs(self.entry_id)
        if not beliefs:
            return ""
        strongest = max(beliefs, key=lambda b: abs(b.credence - 50))
        return (f"Your most confident belief before was “{strongest.statement}”. "
                f"Argue the opposite as well as you can.")

    def _message(self, text: str) -> Iterator[Chunk]:
        stage = self.stage
        if stage is Stage.BEFORE:
            yield from self._before(text)
        elif stage is Stage.AFTER:
            yield from self._after(text)
        elif stage is Stage.SUMMARY:
            self._say(text, role="user")
            note = "The session is summarised. /stage explore to keep talking, or /quit."
            self._say(note, role="notice")
            yield Chunk("notice", note)
        else:
            yield from self._converse(text, stage)

    # ------------------------------------------------------------------ conversation
    def _notice_reading(self, text: str) -> None:
        r = read(text)
        qs = self.state.setdefault("questions", [])
        for q in r.dangling:
            if q not in qs:
                qs.append(q)
        cr = self.state.setdefault("cruxes", [])
        for c in r.cruxes:
            if c not in cr:
                cr.append(c)
        if self.stage is Stage.FRAME:
            self.state.setdefault("frame", []).append(text)

    def retrieve(self, query: str) -> list[Any]:
        """Passages for a query; an unavailable knowledge base is reported once, not fatal."""
        if self._retriever is None and self._retriever_failed is None:
            try:
                from advisor.knowledge.base import KnowledgeBase

                self._retriever = KnowledgeBase(self.settings)
            except Exception as exc:  # noqa: BLE001
                self._retriever_failed = f"the knowledge base is not available ({exc})"
        if self._retriever is None:
            return []
        k = self.settings.knowledge.top_k
        if self.info.small:
            k = min(k, 3)
        try:
            return list(self._retriever.search(query, k=k))
        except UsageError:
            return []
        except Exception as exc:  # noqa: BLE001 - retrieval must not end a session
            msg = exc.message if isinstance(exc, AdvisorError) else f"{type(exc).__name__}: {exc}"
            self._retriever_failed = f"the knowledge base could not be searched ({msg})"
            self._retriever = None
            return []

    def _converse(self, text: str, stage: Stage, saved: bool = False) -> Iterator[Chunk]:
        if not saved:
            self._notice_reading(text)
            self._save_state()
            self._say(text, role="user")  # saved before any model call
        query = text if len(text) > 40 else f"{self.topic} {text}"
        passages = self.retrieve(query) if stage is not Stage.FRAME else []
        if self._retriever_failed and not self.state.get("kb_warned"):
            self.state["kb_warned"] = True
            self._save_state()
            yield Chunk("notice", self._retriever_failed)
        citations = [Citation(n=i, title=p.title, location=getattr(p, "location", ""),
                              source=getattr(p, "source", ""), kind=getattr(p, "kind", "curated"),
                              chunk_id=getattr(p, "chunk_id", ""))
                     for i, p in enumerate(passages, 1)]
        client = self.client
        if client is None:
            reply = self.guide.reply(text, stage, passages, self._bump("guide_counter"),
                                     show_passages=stage is not Stage.FRAME)
            self._save_state()
            self._say(reply, citations=citations)
            yield Chunk("message", reply, data={"citations": [c.model_dump() for c in citations]})
            return
        messages = self._messages(text, stage, passages)
        parts: list[str] = []
        try:
            for piece in client.stream(messages):
                parts.append(piece)
                yield Chunk("text", piece)
        except ModelError as exc:
            if parts:
                self._say("".join(parts), citations=citations, status="partial")
            self._say(exc.message, role="notice", status="error")
            yield Chunk("error", exc.message)
            return
        except GeneratorExit:
            if parts:
                self._say("".join(parts), citations=citations, status="partial")
            raise
        reply = "".join(parts).strip() or "(the model returned an empty reply)"
        self._say(reply, citations=citations)
        yield Chunk("done")
        if citations:
            yield Chunk("sources", _sources_text(passages), data={"citations": [c.model_dump() for c in citations]})
        if self.info.small:  # a tiny model rarely asks the protocol's questions; the guide does
            questions = self.guide.followups_for(read(text), stage, self._bump("guide_counter"))
            q = questions[0] if questions else self.guide.stage_question(stage, self._bump("guide_counter"))
            if q:
                self._save_state()
                self._say("→ " + q)
                yield Chunk("message", "→ " + q)

    def _messages(self, text: str, stage: Stage, passages: Sequence[Any]) -> list[Any]:
        from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

        beliefs = self.journal.pre_beliefs(self.entry_id) if self.entry_id else []
        small = self.info.small
        if small:  # a tiny model copies a long prompt back; give it a short one (prompts/system_small.md)
            system = prompts.render(prompts.load("system_small.md"), topic=self.topic,
                                    stage_title=stage.title,
                                    passages=prompts.format_passages(passages, 350))
        else:
            system = prompts.system_prompt(topic=self.topic, stage=stage, passages=passages,
                                           beliefs=beliefs)
        history = [t for t in self.turns() if t.role in ("user", "advisor") and t.status == "ok"]
        if history and history[-1].role == "user" and history[-1].content == text:
            history = history[:-1]
        limit = 600 if small else 4000
        bodies = [(t.role, t.content if len(t.content) <= limit else t.content[:limit] + "…")
                  for t in history[-(2 if small else 12):]]
        # newest turns first, while they fit beside the system prompt, the message and the reply
        budget = self._context_budget() - estimate_tokens(system) - estimate_tokens(text)
        kept: list[tuple[str, str]] = []
        for role, body in reversed(bodies):
            budget -= estimate_tokens(body)
            if budget < 0:
                break
            kept.append((role, body))
        msgs: list[Any] = [SystemMessage(system)]
        for role, body in reversed(kept):
            msgs.append(HumanMessage(body) if role == "user" else AIMessage(body))
        msgs.append(HumanMessage(text))
        return msgs

    def _context_budget(self) -> int:
        """Tokens a prompt may use: the model's context less room for its reply."""
        if self.info.provider == "local":
            local = self.settings.local
            return local.context_tokens - local.max_tokens
        context = self.settings.model.context_tokens
        return context - min(1024, context // 4)

    # ------------------------------------------------------------------ before (pre beliefs)
    def _ensure_entry(self) -> int:
        if self.entry_id:
            return self.entry_id
        entry = self.journal.create_entry(self.topic, kind="advisor", with_whom="advisor",
                                          medium=f"advisor session #{self.id}")
        self.record = self.store.update(self.id, entry_id=entry.id)
        return entry.id

    def _record_pre(self, statement: str, credence: float, reason: str,
                    belief_id: int | None = None) -> Iterator[Chunk]:
        entry_id = self._ensure_entry()
        rating = self.journal.add_pre_belief(entry_id, statement, credence, reason, belief_id=belief_id)
        belief = self.journal.get_belief(rating.belief_id)
        msg = f"Recorded belief #{belief.id}: “{belief.statement}” — {credence:g}%"
        msg += f" because {reason}." if reason else "."
        follow = ""
        if not reason:
            follow = prompts.render(self.guide.followups.get("no_reason", ["Why?"])[0],
                                    quote=belief.statement)
        text = msg + ("\n→ " + follow if follow else "")
        self._say(text)
        yield Chunk("message", text, data={"belief_id": belief.id})

    def _before(self, text: str) -> Iterator[Chunk]:
        self._say(text, role="user")
        pending = self.state.get("pending_statement")
        bare = parse_bare_credence(text)
        if pending and bare:
            self.state.pop("pending_statement", None)
            self._save_state()
            yield from self._record_pre(pending, bare[0], bare[1])
            yield from self._before_next()
            return
        line = parse_belief_line(text)
        if line.credence is not None and line.statement:
            self.state.pop("pending_statement", None)
            self._save_state()
            yield from self._record_pre(line.statement, line.credence, line.reason)
            yield from self._before_next()
            return
        proposals = self._propose_beliefs(text)
        if proposals:
            self.state["proposals"] = [p.model_dump() for p in proposals]
            self._save_state()
            lines = ["I read these beliefs in what you wrote:"]
            for i, p in enumerate(proposals, 1):
                cred = "no credence yet" if p.credence is None else f"{p.credence:g}%"
                why = f" because {p.reason}" if p.reason else ""
                lines.append(f"  {i}. “{p.statement}” — {cred}{why}")
            lines.append("/accept records them (or /accept 1 3); or write one as `CREDENCE statement`.")
            out = "\n".join(lines)
            self._say(out)
            yield Chunk("message", out)
            return
        self.state["pending_statement"] = line.statement
        self._save_state()
        ask = (f"What credence (0-100) do you give “{line.statement}”? "
               f"Answer with a number, optionally followed by `because ...`.")
        self._say(ask)
        yield Chunk("message", ask)

    def _before_next(self) -> Iterator[Chunk]:
        q = self.guide.stage_question(Stage.BEFORE, self._bump("before_counter"))
        self._save_state()
        if q:
            self._say(q)
            yield Chunk("message", "→ " + q)

    def _propose_beliefs(self, text: str) -> list[Any]:
        client = self.client
        if client is None or self.info.small:
            return []  # guide mode (and tiny models) ask for the credence instead
        try:
            found = client.structured(BeliefProposals, prompts.render(
                prompts.load("structured/beliefs.md"), text=text))
        except (ModelError, ValueError):
            return []
        return [p for p in found.beliefs if p.statement.strip()][:6]

    def _accept(self, arg: str) -> Iterator[Chunk]:
        proposals = self.state.get("proposals") or []
        if not proposals:
            raise UsageError("no proposed beliefs to accept")
        if self.stage not in (Stage.BEFORE, Stage.AFTER):
            raise UsageError("beliefs are accepted in the Before or After stage")
        picks = [int(n) for n in re.findall(r"\d+", arg)] or list(range(1, len(proposals) + 1))
        for n in picks:
            if not 1 <= n <= len(proposals):
                raise UsageError(f"no proposal {n}; there are {len(proposals)}")
        missing = []
        for n in picks:
            p = proposals[n - 1]
            if p.get("credence") is None:
                missing.append(p["statement"])
                continue
            if self.stage is Stage.BEFORE:
                yield from self._record_pre(p["statement"], p["credence"], p.get("reason", ""))
            else:
                yield from self._record_new_post(p["statement"], p["credence"], p.get("reason", ""))
        self.state["proposals"] = []
        if missing:
            self.state["pending_statement"] = missing[0]
            ask = f"What credence (0-100) do you give “{missing[0]}”?"
            self._say(ask)
            yield Chunk("message", ask)
        self._save_state()

    def _pull(self, arg: str) -> Iterator[Chunk]:
        if self.stage is not Stage.BEFORE:
            raise UsageError("pull journal beliefs in the Before stage (/stage before)")
        m = re.match(r"#?(\d+)\s+(\d{1,3}(?:\.\d+)?)%?\s*(.*)$", arg)
        if not m:
            raise UsageError("use /pull ID CREDENCE [reason], e.g. /pull 3 60 because ...")
        belief = self.journal.get_belief(int(m.group(1)))
        reason = re.sub(r"^(because|since)\s+", "", m.group(3).strip(), flags=re.I)
        self._say(f"/pull {arg}", role="user")
        yield from self._record_pre(belief.statement, float(m.group(2)), reason, belief_id=belief.id)

    # ------------------------------------------------------------------ after (post beliefs)
    def _after_queue(self) -> list[Any]:
        if not self.entry_id:
            return []
        rated = self.journal.post_ratings(self.entry_id)
        skipped = set(self.state.get("after_skipped", []))
        return [b for b in self.journal.pre_beliefs(self.entry_id)
                if b.belief_id not in rated and b.belief_id not in skipped]

    def _after_prompt(self) -> Iterator[Chunk]:
        queue = self._after_queue()
        if queue:
            total = len(self.journal.pre_beliefs(self.entry_id)) if self.entry_id else len(queue)
            done = total - len(queue) + 1
            b = queue[0]
            text = f"Belief {done} of {total}: “{b.statement}” — your credence now (0-100)?"
            self.state["after_current"] = b.belief_id
            self._save_state()
            yield Chunk("prompt", text, data={"belief_id": b.belief_id})
            return
        self.state.pop("after_current", None)
        self._save_state()
        if not self.entry_id or not self.journal.pre_beliefs(self.entry_id):
            text = ("You rated no beliefs before, so there is nothing to re-rate. Add any belief you hold "
                    "now as `CREDENCE statement because reason`, or /next for the summary.")
        else:
            text = self.guide.stage_question(Stage.AFTER, 0) or "/next for the summary."
        yield Chunk("prompt", text)

    def _after(self, text: str) -> Iterator[Chunk]:
        self._say(text, role="user")
        current = self.state.get("after_current")
        queue_ids = {b.belief_id for b in self._after_queue()}
        if current and current in queue_ids:
            low = text.strip().lower()
            entry_id = self.entry_id
            assert entry_id is not None
            if low.startswith("skip"):
                self.state.setdefault("after_skipped", []).append(current)
                self._save_state()
                yield from self._after_prompt()
                return
            if low.startswith("drop"):
                reason = text.strip()[4:].strip(" :-—")
                self.journal.drop_in_post(entry_id, current, reason)
                msg = "Dropped."
            else:
                bare = parse_bare_credence(text)
                if bare is None:
                    raise UsageError("give a credence from 0 to 100 (optionally `because ...`), "
                                     "or `drop` / `skip`")
                self.journal.rate_post(entry_id, current, bare[0], bare[1])
                msg = f"Recorded {bare[0]:g}%" + (f" because {bare[1]}." if bare[1] else ".")
            self._say(msg)
            yield Chunk("message", msg)
            yield from self._after_prompt()
            return
        line = parse_belief_line(re.sub(r"^\s*new\s*:\s*", "", text, flags=re.I))
        pending = self.state.get("pending_statement")
        bare = parse_bare_credence(text)
        if pending and bare:
            self.state.pop("pending_statement", None)
            yield from self._record_new_post(pending, bare[0], bare[1])
            return
        if line.credence is None:
            self.state["pending_statement"] = line.statement
            self._save_state()
            ask = f"What credence (0-100) do you give “{line.statement}”?"
            self._say(ask)
            yield Chunk("message", ask)
            return
        yield from self._record_new_post(line.statement, line.credence, line.reason)

    def _record_new_post(self, statement: str, credence: float, reason: str) -> Iterator[Chunk]:
        entry_id = self._ensure_entry()
        rating = self.journal.add_post_belief(entry_id, statement, credence, reason)
        self._save_state()
        msg = f"Recorded new belief #{rating.belief_id}: “{statement}” — {credence:g}%."
        self._say(msg)
        yield Chunk("message", msg)

    # ------------------------------------------------------------------ summary
    def _summarise(self) -> Iterator[Chunk]:
        diff = None
        if self.entry_id:
            if self.journal.post_ratings(self.entry_id):
                self.journal.complete_post(self.entry_id)
            diff = self.journal.entry_diff(self.entry_id)
        summary = deterministic_summary(diff, self.state)
        client = self.client
        if client is not None and not self.info.small:
            yield Chunk("notice", "Writing the summary…")
            try:
                drafted = client.structured(SessionSummary, self._summary_prompt(diff))
                summary = merge(drafted, diff, self.state)
            except ModelError as exc:
                yield Chunk("notice", f"{exc.message} The summary below is built from your journal instead.")
            except ValueError:
                yield Chunk("notice", "The model gave no usable summary; this one is built from your journal.")
        text = render_summary(summary, moved_lines(diff))
        self.record = self.store.update(self.id, summary=summary.model_dump(), status="complete",
                                        stage=Stage.SUMMARY.value, state=self.state)
        self._say(text)
        yield Chunk("summary", text, data=summary.model_dump())
        yield Chunk("done")

    def _summary_prompt(self, diff: Any) -> str:
        convo = [t for t in self.turns() if t.role in ("user", "advisor") and t.status == "ok"]
        transcript = "\n".join(f"{t.role} ({t.stage}): {t.content[:800]}" for t in convo[-30:])
        return prompts.render(
            prompts.load("structured/summary.md"), topic=self.topic,
            frame="\n".join(self.state.get("frame", [])) or "(not stated)",
            diff="\n".join(moved_lines(diff)) or "(no beliefs rated)", transcript=transcript,
        )

    # ------------------------------------------------------------------ export
    def export_markdown(self) -> str:
        return export_markdown(self.record, self.turns())


def _sources_text(passages: Sequence[Any]) -> str:
    return "Sources:\n" + "\n".join(
        f"  [{i}] {p.title}" + (f", {p.location}" if getattr(p, "location", "") else "")
        + (f" ({p.source})" if getattr(p, "source", "") else "")
        for i, p in enumerate(passages, 1))


def export_markdown(record: SessionRecord, turns: Sequence[Turn]) -> str:
    lines = [f"# Session #{record.id}: {record.topic}", "",
             f"- Started: {record.created_at:%Y-%m-%d %H:%M} UTC",
             f"- Model: {record.model_label or record.provider}",
             f"- Stage: {record.stage} ({record.status})"]
    if record.entry_id:
        lines.append(f"- Journal entry: #{record.entry_id}")
    stage = None
    for t in turns:
        if t.stage != stage:
            stage = t.stage
            lines += ["", f"## {Stage(stage).title}", ""]
        who = {"user": "**You**", "advisor": "**Advisor**", "notice": "_Note_"}[t.role]
        flag = " _(unfinished)_" if t.status == "partial" else ""
        lines.append(f"{who}{flag}: {t.content}")
        if t.citations and t.role == "advisor":
            lines += [f"  - [{c.n}] {c.title}" + (f", {c.location}" if c.location else "")
                      + (f" ({c.source})" if c.source else "") for c in t.citations]
        lines.append("")
    if record.summary:
        s = SessionSummary.model_validate(record.summary)
        lines += ["## Summary", "", render_summary(s)]
    return "\n".join(lines).rstrip() + "\n"


__all__ = ["Chunk", "Retriever", "Session", "HELP", "ORDER", "ask", "export_markdown"]


def ask(journal: Any, settings: "Settings", question: str, *, client: ModelClient | None = None,
        retriever: Retriever | None = None) -> tuple[Session, Iterator[Chunk]]:
    """A one-question session (kind 'ask'), answered in the Explore stage; stored like any session."""
    question = (question or "").strip()
    if not question:
        raise UsageError('ask a question: advisor ask "..."')
    session = Session.start(journal, settings, question, kind="ask", client=client,
                            retriever=retriever, stage=Stage.EXPLORE)
    return session, session._converse(question, Stage.EXPLORE)
