"""A session as a Markdown document: its transcript stage by stage, citations, and the summary."""

from __future__ import annotations

from collections.abc import Sequence

from advisor.session.passages import citation_line
from advisor.session.stages import Stage
from advisor.session.store import SessionRecord, Turn
from advisor.session.summary import SessionSummary, render_summary

WHO = {"user": "**You**", "advisor": "**Advisor**", "notice": "_Note_"}


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
        flag = " _(unfinished)_" if t.status == "partial" else ""
        lines.append(f"{WHO[t.role]}{flag}: {t.content}")
        if t.citations and t.role == "advisor":
            lines += ["  - " + citation_line(c) for c in t.citations]
        lines.append("")
    if record.summary:
        lines += ["## Summary", "", render_summary(SessionSummary.model_validate(record.summary))]
    return "\n".join(lines).rstrip() + "\n"
