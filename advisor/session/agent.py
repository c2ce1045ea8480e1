"""A turn written by a model that calls tools: it streams text, and when it asks for tools they
are run (tools.py), reported, and their results sent back, for a few rounds at most.

A model or endpoint that refuses tools is answered without them, and the session remembers not
to offer them again; the engine has already retrieved passages for it, as it does for any model.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from advisor.errors import ModelError
from advisor.session.events import Notice
from advisor.session.llm import _flatten, _is_capability_error
from advisor.session.tools import TurnTools

if TYPE_CHECKING:
    from langchain_core.messages import BaseMessage

    from advisor.session.engine import Session
    from advisor.session.llm import ModelClient

#: Rounds of tool calls before the model must answer.
MAX_ROUNDS = 3


def uses_tools(session: Session, client: ModelClient) -> bool:
    """Whether this turn offers tools: the setting, what the server said, and past refusals."""
    setting = session.settings.model.tools
    if setting == "off" or session.state.get("tools_off"):
        return False
    return setting == "on" or client.profile().tools != "no"


def stream_with_tools(session: Session, client: ModelClient, messages: Sequence[BaseMessage],
                      tools: TurnTools) -> Iterator[str | Notice]:
    """Text pieces of the reply, and a Notice for each tool call; ModelError on any fault."""
    from langchain_core.messages import AIMessage, ToolMessage

    convo = list(messages)
    wrote = False
    try:
        bound = client.chat().bind_tools(tools.definitions())
        for _ in range(MAX_ROUNDS):
            whole: Any = None
            finished = False
            for chunk in bound.stream(convo):
                finished = finished or bool(chunk.response_metadata.get("finish_reason"))
                text = chunk.content if isinstance(chunk.content, str) else _flatten(chunk.content)
                if text:
                    wrote = True
                    yield text
                whole = chunk if whole is None else whole + chunk
            calls = list(getattr(whole, "tool_calls", None) or [])
            if not calls:
                client.check_finished(finished)  # a stream cut mid-way is not an answer
                return
            convo.append(AIMessage(content=_flatten(whole.content), tool_calls=calls))
            for call in calls:
                result = tools.run(call["name"], dict(call.get("args") or {}))
                yield Notice(describe_call(call["name"], call.get("args") or {}))
                convo.append(ToolMessage(result, tool_call_id=call.get("id") or call["name"]))
        yield from client.stream(convo)  # enough looking up: the answer, without tools
    except ModelError:
        raise
    except Exception as exc:  # noqa: BLE001 - fault boundary, as in ModelClient.stream
        if wrote or not (_is_capability_error(exc) or isinstance(exc, NotImplementedError)):
            raise client.error(exc) from None
        session.state["tools_off"] = True
        session.save_state()
        yield Notice("This model does not take tool calls; the advisor looks things up for it instead.")
        yield from client.stream(messages)


def describe_call(name: str, args: dict[str, Any]) -> str:
    """A tool call as the user sees it."""
    if name == "search_knowledge":
        return f"(searched the knowledge base: “{args.get('query', '')}”)"
    if name == "read_beliefs":
        query = args.get("query") or ""
        return "(read your journaled beliefs" + (f" about “{query}”)" if query else ")")
    if name == "propose_belief_update":
        credence = args.get("credence")
        at = f" at {credence:g}%" if isinstance(credence, (int, float)) else ""
        return f"(proposed a belief update: “{args.get('statement', '')}”{at}; /accept in Before or After records it)"
    return f"(called {name})"
