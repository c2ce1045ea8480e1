"""User-facing errors: one clear line, a non-zero exit, never a traceback."""

from __future__ import annotations


class AdvisorError(Exception):
    """An error whose message is meant for the user as it stands.

    The CLI prints `advisor: <message>` and exits with `exit_code`; nothing else is shown.
    """

    exit_code: int = 1

    def __init__(self, message: str, *, exit_code: int | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""


class UsageError(AdvisorError):
    """The user asked for something that cannot be done as asked (bad value, unknown id)."""

    exit_code = 2


class StorageError(AdvisorError):
    """The data directory or a store file cannot be used (unwritable, newer schema, corrupt)."""

    exit_code = 3


class ModelError(AdvisorError):
    """The language model could not answer (unreachable, bad key, unknown model, timeout)."""

    exit_code = 4


#: How a session's model error says the message can be sent again (the interactive CLI's words;
#: the terminal UI and `advisor ask` put their own in its place, so the advice is given once).
RETRY_ADVICE = " Your message is saved; /retry to try again."


def without_retry_advice(text: str) -> str:
    return text.replace(RETRY_ADVICE, "")


def error_text(exc: BaseException) -> str:
    """What went wrong, in one line: an AdvisorError's message, else the exception's type and text
    (for a fault boundary that shows any failure to the user rather than a traceback)."""
    if isinstance(exc, AdvisorError):
        return exc.message
    return f"{type(exc).__name__}: {exc}"
