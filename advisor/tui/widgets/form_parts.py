"""What the belief forms share: their message base, the credence field and the credence rule."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

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


class TextField(Input):
    """A one-line field of a form. Focusing it puts the cursor after what is there; Textual's Input
    selects it all, and then the next key typed replaces what the user wrote before."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("select_on_focus", False)
        super().__init__(*args, **kwargs)


def credence_input(id: str, placeholder: str = "0-100") -> Input:
    return TextField(
        placeholder=placeholder, id=id, classes="compact credence", type="number",
        validators=[Number(minimum=0, maximum=100)], valid_empty=True,
    )


def credence_refused(field: Input, ask: str, tail: str = "") -> str:
    """The line shown when `field` holds no credence, and the field made ready to be corrected:
    focused with its text selected, so what is typed next replaces "140" instead of joining it."""
    field.focus()
    field.select_all()
    typed = field.value.strip()
    return f"{typed} is not a credence: give 0 to 100{tail}." if typed else ask


def parse_credence(text: str) -> float | None:
    """The journal's own credence rule (0–100, a % allowed); None where it says no."""
    from advisor.errors import UsageError
    from advisor.journal.models import validate_credence

    try:
        return validate_credence(text)
    except UsageError:
        return None
