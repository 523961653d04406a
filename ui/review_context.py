"""``ReviewContext``: the sidebar's choices (review date, compare date, filters) as one value.
Its own module so the sidebar (ui.context), the data boundary (ui.data), the components and
the PNG button can all take it without importing each other."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from analytics import money as fmt


@dataclass(frozen=True)
class ReviewContext:
    review_date: pd.Timestamp | None  # None when there is no data at all
    compare_date: pd.Timestamp | None  # None in the first week: nothing to compare with
    dates: list[pd.Timestamp]
    filters: dict[str, list[str]] = field(default_factory=dict)

    @property
    def has_data(self) -> bool:
        return self.review_date is not None

    def view_params(self) -> dict[str, str | list[str]]:
        """The whole view as query parameters (review date, compare date, sidebar filters),
        the ones render_sidebar reads back: every link inside the app carries them
        (ui.components.view_link), so opening a project or another page keeps the view."""
        if not self.has_data:
            return {}
        params: dict[str, str | list[str]] = {"date": fmt.day(self.review_date)}
        if self.compare_date is not None:
            params["compare"] = fmt.day(self.compare_date)
        params.update({f: list(v) for f, v in self.filters.items() if v})
        return params

    def describe(self) -> str:
        """``as of 2026-11-20 · Portfolio: Digital & Technology`` for captions and footers."""
        if not self.has_data:
            return "no data"
        parts = [f"as of {fmt.day(self.review_date)}", fmt.filters_text(self.filters)]
        return " · ".join(p for p in parts if p)
