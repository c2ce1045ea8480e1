"""The session's stages in a row, read from the core's `ORDER`: done, current, to come. A click on
one posts `StageBar.Selected`."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Static

from advisor.session.stages import ORDER, Stage


class StageLabel(Static):
    """One stage in the bar: its number and label."""

    def __init__(self, stage: Stage) -> None:
        super().__init__(f"{stage.number} {stage.label}", classes="stage", id=f"stage-{stage.value}")
        self.stage = stage

    def on_click(self, event: events.Click) -> None:
        self.post_message(StageBar.Selected(self.stage))


class StageBar(Horizontal):
    class Selected(Message):
        """The user picked a stage to go to."""

        def __init__(self, stage: Stage) -> None:
            super().__init__()
            self.stage = stage

    def compose(self) -> ComposeResult:
        for stage in ORDER:
            yield StageLabel(stage)

    def show(self, current: Stage) -> None:
        for label in self.query(StageLabel):
            label.set_class(label.stage is current, "-current")
            label.set_class(label.stage.number < current.number, "-done")
