"""Brier score and a calibration table over resolved beliefs, as Fatebook shows them."""

from __future__ import annotations

from pydantic import BaseModel

from advisor.journal.store import JournalStore


class Forecast(BaseModel):
    belief_id: int
    statement: str
    credence: float  # the last credence given before resolution, 0–100
    outcome: bool


class CalibrationBin(BaseModel):
    low: int
    high: int
    count: int
    mean_credence: float | None
    observed: float | None  # share resolved yes, 0–100


class CalibrationReport(BaseModel):
    forecasts: list[Forecast]
    brier: float | None  # mean squared error of p vs outcome; 0 is perfect, 0.25 is always-50%
    bins: list[CalibrationBin]
    ambiguous: int


def calibration(store: JournalStore, bins: int = 10) -> CalibrationReport:
    """Score each resolved yes/no belief by its last credence before it was resolved."""
    forecasts: list[Forecast] = []
    ambiguous = 0
    for belief in store.all_beliefs():
        if belief.resolution is None:
            continue
        if belief.resolution == "ambiguous":
            ambiguous += 1
            continue
        credence = store.credence_before(belief.id, belief.resolved_at)
        if credence is None:
            continue
        forecasts.append(
            Forecast(
                belief_id=belief.id,
                statement=belief.statement,
                credence=credence,
                outcome=belief.resolution == "yes",
            )
        )
    brier = (
        sum((f.credence / 100 - (1.0 if f.outcome else 0.0)) ** 2 for f in forecasts) / len(forecasts)
        if forecasts
        else None
    )
    width = 100 / bins
    table = []
    for i in range(bins):
        low, high = i * width, (i + 1) * width
        inside = [
            f for f in forecasts if low <= f.credence < high or (i == bins - 1 and f.credence == 100)
        ]
        table.append(
            CalibrationBin(
                low=round(low),
                high=round(high),
                count=len(inside),
                mean_credence=sum(f.credence for f in inside) / len(inside) if inside else None,
                observed=100 * sum(f.outcome for f in inside) / len(inside) if inside else None,
            )
        )
    return CalibrationReport(forecasts=forecasts, brier=brier, bins=table, ambiguous=ambiguous)
