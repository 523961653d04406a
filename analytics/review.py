"""The weekly review as one object: everything the pages, the deck and the CSV export show for
one (review date, compare date, filters) on one set of frames, each result computed on first
use and kept.

Built once per data version and parameters by the app's cache (ui/data.py) and shared by every
rerun and every session, so a ``Review`` and what it returns are read-only: callers derive with
``assign`` or a copy, never write into a result. Every result comes from the analytics
functions, unchanged; this module only decides what is computed once and from what.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from functools import cached_property
from typing import Literal, TypeVar

import pandas as pd

from analytics import benefits, changes, governance, people, portfolio, quality, raid, risk
from analytics import project as proj
from analytics import roadmap as roadmaps
from config import Config

T = TypeVar("T")

PREVIOUS = "previous"  # compare_date: the reporting date before the review date, if any
# One row per project in the review, as the CSV export writes it (columns the frames lack,
# such as long texts not read, are left out).
REVIEW_COLUMNS = [
    "project_id", "name", "portfolio", "programme", "manager", "stage", "display_rag",
    "status_label", "computed_rag", "computed_rule", "watermelon", "not_reported",
    "last_report_date", "percent_complete", "spi", "cpi", "eac_typical", "budget", "currency",
    "slip_days", "open_risks", "exposure", "summary", "next_steps", "decisions_needed",
]  # fmt: skip
MONEY_KPIS = ("budget", "eac", "eac_variance")  # totals of one currency: none when they mix
PROJECT_VIEWS = 32  # project pages kept per review: a review meeting opens a few dozen at most


def filter_key(filters: dict[str, list[str]] | None) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Filters as a hashable, order-free key: ``(("portfolio", ("A", "B")),)``; empty lists
    dropped, so ``{}`` and ``{"stage": []}`` are the same review."""
    return tuple(sorted((k, tuple(sorted(map(str, v)))) for k, v in (filters or {}).items() if v))


class _Memo:
    """Results of parameterised questions (a risk view, a project), newest kept: per instance,
    so they go when the review goes (``functools.lru_cache`` on a method would keep it alive)."""

    def __init__(self, limit: int | None = None) -> None:
        self._items: OrderedDict = OrderedDict()
        self._limit = limit
        self._lock = threading.Lock()  # sessions share a review: one thread at a time here

    def get(self, key, compute: Callable[[], T]) -> T:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = compute()  # outside the lock: a slow view never blocks another one
        with self._lock:
            self._items[key] = value
            if self._limit is not None and len(self._items) > self._limit:
                self._items.popitem(last=False)
        return value


class _Keeps:
    """``keep``: what a renderer derives from a result once (a chart figure), kept with it."""

    _kept: _Memo

    def keep(self, key, compute: Callable[[], T]) -> T:
        """``compute()`` the first time ``key`` is asked for, then the same object (read-only,
        like every result): a page's figures are built once per review, not on every rerun."""
        return self._kept.get(key, compute)


class Review(_Keeps):
    """The review of ``frames`` on ``review_date`` against ``compare_date`` (``"previous"``:
    the review date before it; None: nothing to compare with), for the projects ``filters``
    keep."""

    def __init__(
        self,
        frames: dict[str, pd.DataFrame],
        config: Config,
        review_date,
        compare_date: pd.Timestamp | str | None | Literal["previous"] = PREVIOUS,
        filters: dict[str, list[str]] | None = None,
    ) -> None:
        self.frames = frames
        self.config = config
        self.review_date = pd.Timestamp(review_date)
        self.filters = {k: list(v) for k, v in filter_key(filters)}
        if isinstance(compare_date, str) and compare_date == PREVIOUS:
            compare_date = portfolio.previous_review(self.dates, self.review_date)
        self.compare_date = None if compare_date is None else pd.Timestamp(compare_date)
        self._risk_views = _Memo()
        self._raid_views = _Memo(PROJECT_VIEWS)  # filter choices are many; keep the recent
        self._projects = _Memo(PROJECT_VIEWS)
        self._roadmaps = _Memo()
        self._kept = _Memo()

    # --- dates and snapshots ---------------------------------------------------------------------

    @cached_property
    def dates(self) -> list[pd.Timestamp]:
        """Every reporting date in the data, oldest first."""
        return portfolio.review_dates(self.frames["status_reports"])

    @cached_property
    def weeks(self) -> list[pd.Timestamp]:
        """The reporting dates up to the review date: the x axis of every trend."""
        return [d for d in self.dates if d <= self.review_date]

    @cached_property
    def snapshot(self) -> pd.DataFrame:
        return portfolio.snapshot(self.frames, self.review_date, self.config, self.filters)

    @cached_property
    def compare_snapshot(self) -> pd.DataFrame | None:
        if self.compare_date is None:
            return None
        return portfolio.snapshot(self.frames, self.compare_date, self.config, self.filters)

    @cached_property
    def comparison(self) -> changes.Comparison:
        """Both snapshots and the change set (``analytics.changes.compare``, from the snapshots
        already made)."""
        return changes.comparison_of(
            self.frames,
            self.snapshot,
            self.compare_snapshot,
            self.review_date,
            self.compare_date,
            self.config,
        )

    @cached_property
    def source(self) -> str:
        """Where the figures come from (uploads behind the snapshot), for every caption."""
        return portfolio.source_note(self.snapshot, self.frames["uploads"])

    @cached_property
    def table(self) -> pd.DataFrame:
        """The review as one row per project: what the CSV export writes."""
        return self.snapshot[[c for c in REVIEW_COLUMNS if c in self.snapshot.columns]]

    # --- headline figures and what changed ------------------------------------------------------

    @cached_property
    def kpis(self) -> dict:
        return portfolio.kpis(self.snapshot, self.config)

    @cached_property
    def compare_kpis(self) -> dict | None:
        before = self.compare_snapshot
        return None if before is None else portfolio.kpis(before, self.config)

    def kpi_change(self, key: str) -> float | None:
        """A headline figure's change since the compare date (``kpis[key]`` minus the compare
        date's): None without a compare date, and for a money total when the two dates do not
        total in the same currency; NaN when a money total is not computable (several
        currencies without a rate). Portfolio health's tiles and the deck's headline slide."""
        before = self.compare_kpis
        if before is None or (key in MONEY_KPIS and before["currency"] != self.kpis["currency"]):
            return None
        return self.kpis[key] - before[key]

    @cached_property
    def headline(self) -> pd.DataFrame:
        """The This week tiles (``analytics.changes.headline``)."""
        return changes.headline(self.frames, self.comparison, self.config)

    @cached_property
    def needs_attention(self) -> pd.DataFrame:
        return changes.needs_attention(self.comparison, self.config)

    @cached_property
    def narrative(self) -> str:
        return changes.narrative(self.comparison, self.config)

    # --- portfolio health -----------------------------------------------------------------------

    @cached_property
    def rag_distribution(self) -> pd.DataFrame:
        return portfolio.rag_distribution(self.snapshot)

    @cached_property
    def rag_trend(self) -> pd.DataFrame:
        """Projects per shown RAG on every reporting date up to the review date."""
        return portfolio.rag_trend(self.frames, self.weeks, self.config, self.filters)

    @cached_property
    def rag_by_portfolio(self) -> pd.DataFrame:
        return portfolio.rag_by(self.snapshot, "portfolio")

    @cached_property
    def rag_by_programme(self) -> pd.DataFrame:
        return portfolio.rag_by(self.snapshot, "programme")

    @cached_property
    def exceptions(self) -> pd.DataFrame:
        return portfolio.exceptions(self.snapshot)

    # --- risks ----------------------------------------------------------------------------------

    @cached_property
    def currency_of(self) -> dict[str, str]:
        """Each project's currency: its risks are in it."""
        return dict(zip(self.snapshot["project_id"], self.snapshot["currency"], strict=True))

    @cached_property
    def risk_register(self) -> pd.DataFrame:
        """The scored risk register (every status) of the projects in the review."""
        return risk.register_on(
            self.frames["risks"], self.review_date, self.config.risk, self.snapshot["project_id"]
        )

    @cached_property
    def open_risks(self) -> pd.DataFrame:
        """Open risks of the projects in the review, each with its project's currency."""
        reg = self.risk_register
        reg = reg[reg["is_open"]]
        return reg.assign(currency=reg["project_id"].map(self.currency_of))

    def top_open_risks(self, n: int, project_id: str | None = None) -> pd.DataFrame:
        """The deck's top open risks (of the review, or of one project), ranked as the Risks
        page's top 10 by score (``risk.top_by``: score, then exposure, then ids)."""
        reg = self.open_risks
        if project_id is not None:
            reg = reg[reg["project_id"] == project_id]
        return risk.top_by(reg, "score", "exposure", n)

    @cached_property
    def risk_options(self) -> dict[str, list[str]]:
        """Categories, owners and statuses of the register, for the risk page's filters."""
        return risk.filter_options(self.risk_register)

    def risks(
        self,
        categories: list[str] = (),
        owners: list[str] = (),
        statuses: list[str] = (),
        basis: str = "inherent",
    ) -> RiskView:
        """The risk page's view of the register: open risks (or these statuses) of these
        categories and owners, on the inherent or residual assessment."""
        key = (tuple(categories), tuple(owners), tuple(statuses), basis)
        return self._risk_views.get(key, lambda: RiskView(self, *key))

    # --- RAID log -------------------------------------------------------------------------------

    @cached_property
    def raid_log(self) -> pd.DataFrame:
        """Every RAID item of the projects in the review as of the review date, with its age
        and days overdue (``analytics.raid.log``; descriptions are not in the frames)."""
        closed = raid.closed_statuses(self.config.risk.closed_statuses)
        return raid.log(self.frames["raid_items"], self.snapshot, self.review_date, closed)

    @cached_property
    def raid_options(self) -> dict[str, list[str]]:
        """Types, owners and statuses of the log, for the RAID page's filters."""
        return raid.filter_options(self.raid_log)

    def raid(
        self,
        types: list[str] = (),
        owners: list[str] = (),
        statuses: list[str] = (),
        min_age: int = 0,
        due: str = "any",
    ) -> RaidView:
        """The RAID page's view of the log: open items (or these statuses) of these types and
        owners, raised at least ``min_age`` days ago, overdue or not (``due``)."""
        key = (tuple(types), tuple(owners), tuple(statuses), int(min_age), due)
        return self._raid_views.get(key, lambda: RaidView(self, *key))

    # --- governance -----------------------------------------------------------------------------

    @cached_property
    def _scores(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        return governance.scores(self.frames, self.snapshot, self.review_date, self.config)

    @property
    def scores(self) -> pd.DataFrame:
        """Per project: governance value, execution health, quadrant and why."""
        return self._scores[0]

    @property
    def score_breakdown(self) -> pd.DataFrame:
        """Every score input and its contribution (long: project_id, score, input, ...)."""
        return self._scores[1]

    @cached_property
    def compare_scores(self) -> pd.DataFrame | None:
        """The scores at the compare date (None without one): which projects moved quadrant."""
        before = self.compare_snapshot
        if before is None:
            return None
        return governance.scores(self.frames, before, self.compare_date, self.config)[0]

    @cached_property
    def value_risk_picks(self) -> pd.DataFrame:
        """The bubbles the value versus risk chart names: the quadrant chart's rule
        (``governance.label_picks``) with the largest exposure as a fourth turn."""
        scored = (
            self.scores.merge(
                self.snapshot[["project_id", "exposure"]], on="project_id", how="left"
            )
            if "exposure" not in self.scores
            else self.scores
        )
        count = self.config.governance.label_count
        also = ("exposure", "largest exposure")
        return governance.label_picks(scored, self.compare_scores, count, self.config, also)

    @cached_property
    def quadrant_counts(self) -> pd.DataFrame:
        return governance.quadrant_counts(self.scores, self.config)

    @cached_property
    def pipeline(self) -> pd.DataFrame:
        return governance.pipeline(self.snapshot, self.config.governance, self.config)

    @cached_property
    def overdue_gates(self) -> pd.DataFrame:
        return governance.overdue_gates(
            self.frames, self.snapshot, self.review_date, self.config.governance
        )

    @cached_property
    def without_approval(self) -> pd.DataFrame:
        """Executing projects without an approved gate decision."""
        return governance.executing_without_approval(
            self.frames, self.snapshot, self.review_date, self.config.governance
        )

    @cached_property
    def compliance(self) -> pd.DataFrame:
        return governance.compliance(self.frames, self.snapshot, self.review_date, self.config)

    @cached_property
    def compliance_total(self) -> dict[str, float]:
        return governance.portfolio_compliance(self.compliance)

    @cached_property
    def compliance_marks(self) -> pd.DataFrame:
        """The compliance checks as marks (✓, ✗, n/a) for the table."""
        return governance.check_marks(self.compliance)

    @cached_property
    def lens(self) -> dict[str, list[tuple[str, str]]]:
        """The two lenses (governance, execution) of the governance page and the deck."""
        return governance.lens_summary(
            self.scores,
            self.overdue_gates,
            self.without_approval,
            self.compliance_total,
            self.config,
        )

    @cached_property
    def decision_log(self) -> pd.DataFrame:
        return governance.decision_log(self.frames, self.review_date, self.snapshot["project_id"])

    # --- people and benefits --------------------------------------------------------------------

    @cached_property
    def people_load(self) -> pd.DataFrame:
        """Per project in the review: manager, sponsor, RAG, budget, reporting status, open high
        risks, overdue RAID items and milestones (``analytics.people.project_load``)."""
        return people.project_load(
            self.snapshot, self.open_risks, self.raid_log, self.frames["milestones"],
            self.review_date, self.config,
        )  # fmt: skip

    @cached_property
    def managers(self) -> pd.DataFrame:
        """One row per project manager (names as loaded) with their load and flag."""
        return people.by_person(self.people_load, "manager", self.config)

    @cached_property
    def sponsors(self) -> pd.DataFrame:
        """One row per sponsor, as ``managers``."""
        return people.by_person(self.people_load, "sponsor", self.config)

    @cached_property
    def benefits_register(self) -> pd.DataFrame:
        """The benefits of the projects in the review with their shares of the planned change
        and why each is at risk (``analytics.benefits.register``)."""
        return benefits.register(self.frames["benefits"], self.snapshot, self.review_date)

    @cached_property
    def benefits_summary(self) -> dict:
        return benefits.summary(self.benefits_register)

    @cached_property
    def benefits_by_portfolio(self) -> pd.DataFrame:
        return benefits.by_portfolio(self.benefits_register)

    @cached_property
    def benefits_over_time(self) -> pd.DataFrame:
        return benefits.over_time(self.frames["benefits"], self.snapshot, self.review_date)

    # --- roadmap ---------------------------------------------------------------------------------

    def roadmap(self, group: str = "programme", sort: str = "start") -> roadmaps.Roadmap:
        """The Roadmap page's projects on one time axis, grouped and sorted
        (``analytics.roadmap.roadmap``)."""
        return self._roadmaps.get((group, sort), lambda: roadmaps.roadmap(
            self.snapshot, self.config, group, sort))  # fmt: skip

    @cached_property
    def roadmap_marks(self) -> pd.DataFrame:
        """Gates and milestones of the projects in the review with their state."""
        return roadmaps.marks(
            self.frames, self.snapshot["project_id"], self.review_date, self.config
        )

    @cached_property
    def roadmap_slips(self) -> pd.DataFrame:
        """Projects whose forecast end moved later since the compare date (the deck's slide)."""
        return roadmaps.slipped_since(self.snapshot, self.compare_snapshot)

    # --- data quality ---------------------------------------------------------------------------

    @cached_property
    def reporting(self) -> pd.DataFrame:
        """Who reported on time, late or not at all, by manager."""
        return quality.reporting(self.frames, self.review_date, self.config, self.filters)

    @cached_property
    def reporting_by_manager(self) -> pd.DataFrame:
        return quality.by_manager(self.reporting)

    @cached_property
    def all_findings(self) -> pd.DataFrame:
        """Plausibility findings in every report up to the review date, all projects (scores
        per upload and per project are measured against all of them)."""
        return quality.findings(self.frames, self.config, upto=self.review_date)

    @cached_property
    def findings(self) -> pd.DataFrame:
        """Plausibility findings of the projects in the review."""
        found = self.all_findings
        return found[found["project_id"].isin(set(self.reporting["project_id"]))]

    @cached_property
    def latest_findings(self) -> pd.DataFrame:
        """The first finding of each project whose latest report (as of the review date) has
        one, by project id: the deck's data-quality check."""
        latest = self.snapshot[["project_id", "last_report_date"]].rename(
            columns={"last_report_date": "report_date"}
        )
        hit = self.all_findings.merge(latest, on=["project_id", "report_date"])
        return hit.drop_duplicates("project_id").sort_values("project_id")

    @cached_property
    def quality_scores(self) -> pd.DataFrame:
        """Completeness and plausibility per project in the review."""
        return quality.project_scores(
            self.frames, self.all_findings, self.review_date, self.config, self.filters
        )

    @cached_property
    def upload_scores(self) -> pd.DataFrame:
        """Quality per upload with reports up to the review date (all projects)."""
        return quality.upload_scores(self.frames, self.all_findings, upto=self.review_date)

    # --- one project ----------------------------------------------------------------------------

    def project(self, project_id: str) -> ProjectView:
        """One project as of the review date (whatever the filters: a link opens any project)."""
        return self._projects.get(project_id, lambda: ProjectView(self, project_id))


class RiskView(_Keeps):
    """The risk page for one choice of category, owner and status filters and assessment."""

    def __init__(
        self,
        review: Review,
        categories: tuple[str, ...],
        owners: tuple[str, ...],
        statuses: tuple[str, ...],
        basis: str,
    ) -> None:
        self.review = review
        self.basis = basis
        project_ids = review.snapshot["project_id"].tolist()
        self.filter = risk.RiskFilter(project_ids, list(categories), list(owners), list(statuses))
        _, _, self.score_column, self.band_column, self.exposure_column = risk.BASIS_COLUMNS[basis]
        self._changes = _Memo()
        self._kept = _Memo()

    @cached_property
    def register(self) -> pd.DataFrame:
        """The risks in view (open ones unless statuses are chosen)."""
        return self.filter.apply(self.review.risk_register)

    @cached_property
    def source(self) -> str:
        shown = self.register if not self.register.empty else self.review.risk_register
        return risk.source_note(shown, self.review.frames["uploads"])

    @cached_property
    def watch_band(self) -> str:
        """The band the review watches (``[changes] risk_band``; the top band if unknown)."""
        bands = risk.band_names(self.review.config.risk)
        wanted = self.review.config.changes.risk_band
        return wanted if wanted in bands else bands[-1]

    @cached_property
    def watched(self) -> pd.DataFrame:
        """Risks in view at or above the watched band."""
        rules = self.review.config.risk
        reg = self.register
        floor = risk.band_rank(self.watch_band, rules)
        return reg[reg[self.band_column].map(lambda b: risk.band_rank(b, rules)) >= floor]

    @cached_property
    def exposure(self) -> pd.DataFrame:
        """Per project: exposure against remaining contingency."""
        return risk.exposure_vs_contingency(self.review.snapshot, self.register, self.basis)

    @cached_property
    def totals(self) -> dict:
        return risk.portfolio_exposure(self.exposure, self.review.config)

    @cached_property
    def cells(self) -> pd.DataFrame:
        """The 25 cells of the 5x5 matrix with their counts."""
        return risk.matrix_cells(self.register, self.review.config.risk, self.basis)

    def in_cell(self, likelihood: int, impact: int) -> pd.DataFrame:
        return risk.cell_risks(self.register, likelihood, impact, self.basis)

    @cached_property
    def movement(self) -> pd.DataFrame:
        """Each risk's move between its inherent and residual band."""
        return risk.movement(self.register, self.review.config.risk)

    @cached_property
    def movement_summary(self) -> pd.DataFrame:
        return risk.movement_summary(self.movement, self.review.config.risk)

    @cached_property
    def movement_totals(self) -> dict[str, int]:
        return risk.movement_totals(self.movement)

    @cached_property
    def top_by_score(self) -> pd.DataFrame:
        return risk.top_by(self.register, self.score_column, self.exposure_column)

    @cached_property
    def top_by_exposure(self) -> pd.DataFrame:
        return risk.top_by(self.register, self.exposure_column, self.score_column)

    @cached_property
    def overdue(self) -> pd.DataFrame:
        """Open risks past their due date on the review date."""
        return risk.ageing(self.register, self.review.review_date)

    @cached_property
    def overdue_summary(self) -> pd.DataFrame:
        return risk.ageing_summary(self.overdue)

    def new_and_closed(self, min_band: str) -> pd.DataFrame:
        """Risks at or above ``min_band`` that appeared or went away since the compare date
        (empty without one)."""
        rv = self.review
        return self._changes.get(
            min_band,
            lambda: risk.new_and_closed(
                rv.frames["risks"], rv.compare_date, rv.review_date, rv.config.risk, min_band,
                self.filter,
            ),
        )  # fmt: skip

    @cached_property
    def trend(self) -> pd.DataFrame:
        """Open risks per band on every reporting date up to the review date."""
        rv = self.review
        return risk.band_trend(
            rv.frames["risks"], rv.weeks, rv.config.risk, self.filter, self.basis
        )


class RaidView:
    """The RAID page for one choice of filters."""

    def __init__(
        self,
        review: Review,
        types: tuple[str, ...],
        owners: tuple[str, ...],
        statuses: tuple[str, ...],
        min_age: int,
        due: str,
    ) -> None:
        self.review = review
        self.filter = raid.RaidFilter(list(types), list(owners), list(statuses), min_age, due)

    @cached_property
    def items(self) -> pd.DataFrame:
        """The items in view: open ones unless statuses are chosen, most overdue first."""
        return self.filter.apply(self.review.raid_log)

    @cached_property
    def summary(self) -> pd.DataFrame:
        """Per type: items, open, overdue and the oldest open item's age."""
        return raid.summary(self.items)

    @cached_property
    def source(self) -> str:
        shown = self.items if not self.items.empty else self.review.raid_log
        return raid.source_note(shown, self.review.frames["uploads"])


class ProjectView(_Keeps):
    """One project as of the review date: its reports, earned value, milestones, risks,
    RAID items, decisions, lineage and, when it is in the review, its scores."""

    def __init__(self, review: Review, project_id: str) -> None:
        self.review = review
        self.project_id = project_id
        self._kept = _Memo()

    @property
    def _on(self) -> tuple[str, pd.Timestamp]:
        return self.project_id, self.review.review_date

    @cached_property
    def header(self) -> dict | None:
        return proj.header(self.review.frames["projects"], self.project_id)

    @cached_property
    def scores(self) -> pd.DataFrame:
        """Its row of the review's scores (empty when it is not in the review)."""
        scored = self.review.scores
        return scored[scored["project_id"] == self.project_id]

    @cached_property
    def score_breakdown(self) -> pd.DataFrame:
        found = self.review.score_breakdown
        return found[found["project_id"] == self.project_id]

    @cached_property
    def reports(self) -> pd.DataFrame:
        return proj.reports(self.review.frames["status_reports"], *self._on)

    @cached_property
    def rag_strip(self) -> pd.DataFrame:
        return proj.rag_strip(self.review.frames["status_reports"], *self._on)

    @cached_property
    def narrative(self) -> dict | None:
        return proj.latest_narrative(self.review.frames["status_reports"], *self._on)

    @cached_property
    def has_earned_value(self) -> bool:
        return proj.has_earned_value(self.reports)

    @cached_property
    def evm(self) -> pd.DataFrame:
        return proj.evm_series(self.review.frames, *self._on)

    @cached_property
    def milestones(self) -> pd.DataFrame:
        return proj.milestone_trend(self.review.frames["milestones"], *self._on)

    @cached_property
    def rebaselines(self) -> pd.DataFrame:
        return proj.rebaselines(self.milestones)

    @cached_property
    def milestone_table(self) -> pd.DataFrame:
        return proj.milestone_table(self.milestones)

    @cached_property
    def risks(self) -> pd.DataFrame:
        return proj.project_risks(self.review.frames["risks"], *self._on, self.review.config)

    @cached_property
    def raid(self) -> pd.DataFrame:
        return proj.project_raid(self.review.frames["raid_items"], self.project_id)

    @cached_property
    def decisions(self) -> pd.DataFrame:
        return proj.project_decisions(self.review.frames, *self._on)

    @cached_property
    def lineage(self) -> pd.DataFrame:
        return proj.lineage(self.review.frames, self.project_id)

    @cached_property
    def benefits(self) -> pd.DataFrame:
        """Its latest benefits register with shares and why each benefit is at risk."""
        return benefits.project_benefits(self.review.frames["benefits"], *self._on)
