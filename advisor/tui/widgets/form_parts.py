"""What the belief forms share: their message base, the credence field and the credence rule."""

from __future__ import annotations

from typing import Generic, TypeVar

from textual.message import Message
from textual.validation import Number
from textual.widget import Widget
from textual.widgets import Input

FormT = TypeVar("FormT", bound=Widget)


class FormMessage(Message, Generic[FormT]):
    """A message from a form; `control` is the form, so `@on(..., "#id")` works."""

    def __init__(self, form: FormT) -> None:
        super().__init__()
        self.form = form

    @property
    def control(self) -> FormT:
        return self.form


def credence_input(id: str, placeholder: str = "0-100") -> Input:
    return Input(
        placeholder=placeholder, id=id, classes="compact credence", type="number",
        validators=[Number(minimum=0, maximum=100)], valid_empty=True,
    )


def parse_credence(text: str) -> float | None:
    """The journal's own credence rule (0–100, a % allowed); None where it says no."""
    from advisor.errors import UsageError
    from advisor.journal.models import validate_credence

    try:
        return validate_credence(text)
    except UsageError:
        return None
