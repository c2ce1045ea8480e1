"""The tools a model that can call them uses in a turn: search the base with its own queries,
read the user's journaled beliefs and their history, propose belief updates for the user to
accept. Passages found by a search are numbered after the ones the turn was given, so the
reply's citations stay checkable; every call is recorded for the turn.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from advisor.errors import AdvisorError
from advisor.session import memory, prompts
from advisor.session.passages import PassageLike
from advisor.session.store import ProposalState, ToolCall

if TYPE_CHECKING:
    from langchain_core.tools import BaseTool

    from advisor.session.engine import Session

#: The longest tool result kept with the turn (characters); the model gets all of it.
KEPT_RESULT = 600


class SearchKnowledge(BaseModel):
    """Search the knowledge base (curated cards and the user's notes) with your own query."""

    query: str = Field(description="What to look for, in a few words.")


class ReadBeliefs(BaseModel):
    """Read the user's journaled beliefs with every credence they gave and why, oldest first."""

    query: str = Field("", description="Words of the beliefs to find; empty for the most recent.")


class ProposeBeliefUpdate(BaseModel):
    """Propose a belief (or a new credence for a journaled one) for the user to accept with /accept."""

    statement: str = Field(description="The belief, in the user's words where possible.")
    credence: float | None = Field(None, description="0-100, only if the user gave or implied one.")
    reason: str = Field("", description="Why, in the user's words.")
    belief_id: int | None = Field(None, description="The journal belief this updates, if any (#id).")


class TurnTools:
    """The tools for one turn of one session; `passages` grows as the model searches."""

    SCHEMAS: tuple[type[BaseModel], ...] = (SearchKnowledge, ReadBeliefs, ProposeBeliefUpdate)

    def __init__(self, session: Session, passages: list[PassageLike]) -> None:
        self.session = session
        self.passages = passages
        self.calls: list[ToolCall] = []

    def definitions(self) -> list[BaseTool]:
        from langchain_core.tools import StructuredTool

        return [StructuredTool.from_function(func=lambda **kw: "", name=_name(schema),
                                             description=schema.__doc__ or "", args_schema=schema)
                for schema in self.SCHEMAS]

    def run(self, name: str, args: dict[str, Any]) -> str:
        """Run one call; a bad call becomes a message for the model, never an exception."""
        try:
            if name == "search_knowledge":
                result = self.search(SearchKnowledge.model_validate(args))
            elif name == "read_beliefs":
                result = self.read_beliefs(ReadBeliefs.model_validate(args))
            elif name == "propose_belief_update":
                result = self.propose(ProposeBeliefUpdate.model_validate(args))
            else:
                result = f"there is no tool {name!r}"
        except ValueError as exc:  # pydantic's ValidationError is a ValueError
            result = f"bad arguments for {name}: {str(exc).splitlines()[0]}"
        except AdvisorError as exc:  # e.g. no such journal belief
            result = f"{name} failed: {exc.message}"
        kept = result if len(result) <= KEPT_RESULT else result[:KEPT_RESULT] + "…"
        self.calls.append(ToolCall(name=name, args=dict(args), result=kept))
        return result

    def search(self, call: SearchKnowledge) -> str:
        found = self.session.knowledge.search(call.query)
        known = {p.chunk_id for p in self.passages}
        fresh = [p for p in found if p.chunk_id not in known]
        start = len(self.passages)
        self.passages.extend(fresh)
        if not fresh:
            return "nothing new in the knowledge base for that query"
        blocks = prompts.format_passages(fresh).split("\n\n")
        renumbered = [_renumber(block, start + i + 1) for i, block in enumerate(blocks)]
        return "Cite these by their numbers:\n\n" + "\n\n".join(renumbered)

    def read_beliefs(self, call: ReadBeliefs) -> str:
        lines = memory.search_beliefs(self.session.journal, call.query, self.session.knowledge.scorer())
        return "\n".join(lines) if lines else "the journal holds no matching beliefs"

    def propose(self, call: ProposeBeliefUpdate) -> str:
        if call.belief_id is not None:
            call.statement = self.session.journal.get_belief(call.belief_id).statement
        proposals = self.session.state.setdefault("proposals", [])
        credence = call.credence if call.credence is None or 0 <= call.credence <= 100 else None
        proposals.append(ProposalState(statement=call.statement, credence=credence, reason=call.reason,
                                       belief_id=call.belief_id))
        self.session.save_state()
        return f"proposed as #{len(proposals)}; the user can record it with /accept {len(proposals)}"


def _name(schema: type[BaseModel]) -> str:
    import re

    return re.sub(r"(?<!^)(?=[A-Z])", "_", schema.__name__).lower()


def _renumber(block: str, n: int) -> str:
    head, _, rest = block.partition("]")
    return f"[{n}]{rest}" if head.startswith("[") else block
