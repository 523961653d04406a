"""The analytics give the same results as the golden files in tests/golden/, computed on the
sample portfolio (plus three re-uploaded reports, so overwrite findings show) for a few review
dates and one filter: what each page, the deck and the export compute.

The golden files were written by the analytics before they were vectorised; a rewrite that
changes any figure, text or row order fails here. Regenerate them only for an intended change:

    .venv/bin/python -m tests.analytics.test_analytics_regression --write
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import sys
import tempfile
from pathlib import Path

import pandas as pd
import pytest

import store
from analytics import changes, governance, portfolio, quality, risk
from analytics import project as proj
from config import Config

pytestmark = pytest.mark.slow  # left out of make test-fast (docs/testing.md)

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
# (case, review date index or offset, filters): a Wednesday between reports checks the
# "last report on or before" logic off the weekly grid.
CASES = {
    "latest": (-1, None),
    "mid": (12, None),
    "early": (1, None),
    "midweek": ("20+5d", None),
    "filtered": (-1, {"portfolio": ["Digital & Technology"], "stage": ["Execution", "Closing"]}),
}
PROJECTS = ["PRJ-0001", "PRJ-0007"]  # the project page, for two projects


# --- building the sample ------------------------------------------------------------------------


def _overwrite(engine) -> None:
    """Re-upload three stored reports with jumps in EV and forecast end (overwrite findings)."""
    frames = store.read_frames(engine)
    reports = frames["status_reports"]
    dates = sorted(reports["report_date"].unique())
    pick = reports[
        reports["project_id"].isin(["PRJ-0003", "PRJ-0011"]) & (reports["report_date"] == dates[-1])
        | (reports["project_id"] == "PRJ-0005") & (reports["report_date"] == dates[10])
    ].drop(columns="upload_id")
    pick = pick.assign(
        earned_value=pick["earned_value"] * 1.6,
        forecast_end_date=pick["forecast_end_date"] + pd.Timedelta(days=200),
    )
    meta = store.UploadMeta(
        file_name="re-upload.xlsx", sha256=hashlib.sha256(b"regression re-upload").hexdigest(),
        size_bytes=0, uploaded_by="regression test", source="upload",
    )  # fmt: skip
    store.write_batch(engine, {"status_reports": pick}, meta)


def sample_frames(seeded: Path, workdir: Path) -> dict[str, pd.DataFrame]:
    """The frames the app reads from a copy of the seeded sample with the re-upload added."""
    path = workdir / "regression.db"
    shutil.copy(seeded, path)
    engine = store.get_engine(f"sqlite:///{path}")
    _overwrite(engine)
    frames = store.read_frames(engine)
    engine.dispose()
    return frames


# --- what the pages compute ---------------------------------------------------------------------


def _dates(frames, spec) -> tuple[pd.Timestamp, pd.Timestamp | None, list[pd.Timestamp]]:
    dates = portfolio.review_dates(frames["status_reports"])
    if isinstance(spec, str):  # "20+5d": five days after the 21st date
        i, days = spec.rstrip("d").split("+")
        review = dates[int(i)] + pd.Timedelta(days=int(days))
    else:
        review = dates[spec]
    return review, portfolio.previous_review(dates, review), dates


def results(frames: dict[str, pd.DataFrame], case: str) -> dict[str, object]:
    """Every result of one case, by name (frames, dicts, texts)."""
    config = Config()
    spec, filters = CASES[case]
    review, previous, dates = _dates(frames, spec)
    out: dict[str, object] = {}

    # Portfolio health
    snap = portfolio.snapshot(frames, review, config, filters)
    before = portfolio.snapshot(frames, previous, config, filters)
    out["snapshot"] = snap
    out["kpis"] = portfolio.kpis(snap, config)
    out["kpis_previous"] = portfolio.kpis(before, config)
    out["source_note"] = portfolio.source_note(snap, frames["uploads"])
    out["rag_distribution"] = portfolio.rag_distribution(snap)
    out["rag_trend"] = portfolio.rag_trend(frames, dates, config, filters)
    out["rag_by_portfolio"] = portfolio.rag_by(snap, "portfolio")
    out["rag_by_programme"] = portfolio.rag_by(snap, "programme")
    out["exceptions"] = portfolio.exceptions(snap)

    # This week
    comparison = changes.compare(frames, review, previous, config, filters)
    out["changes"] = comparison.changes
    out["headline"] = changes.headline(frames, comparison, config)
    out["needs_attention"] = changes.needs_attention(comparison, config)
    out["narrative"] = changes.narrative(comparison, config)

    # Risks
    rules = config.risk
    ids = snap["project_id"].tolist()
    base = risk.register_on(frames["risks"], review, rules, ids)
    out["risk_filter_options"] = risk.filter_options(base)
    weeks = [d for d in dates if d <= review]
    band = config.changes.risk_band
    lowest = risk.band_names(rules)[1]
    for name, flt in {
        "open": risk.RiskFilter(ids),
        "narrowed": risk.RiskFilter(ids, categories=["Technical", "Commercial"]),
    }.items():
        reg = flt.apply(base)
        out[f"risk_{name}_source"] = risk.source_note(reg, frames["uploads"])
        for basis in ("inherent", "residual"):
            table = risk.exposure_vs_contingency(snap, reg, basis)
            out[f"risk_{name}_exposure_{basis}"] = table
            out[f"risk_{name}_totals_{basis}"] = risk.portfolio_exposure(table, config)
            out[f"risk_{name}_matrix_{basis}"] = risk.matrix_cells(reg, rules, basis)
            out[f"risk_{name}_cell_{basis}"] = risk.cell_risks(reg, 4, 4, basis)
            out[f"risk_{name}_top_score_{basis}"] = risk.top_by(
                reg, risk.BASIS_COLUMNS[basis][2], risk.BASIS_COLUMNS[basis][4]
            )
            out[f"risk_{name}_band_trend_{basis}"] = risk.band_trend(
                frames["risks"], weeks, rules, flt, basis
            )
        moved = risk.movement(reg, rules)
        out[f"risk_{name}_movement"] = moved[[*risk.KEY, "bands_down", "move"]]
        out[f"risk_{name}_movement_summary"] = risk.movement_summary(moved, rules)
        out[f"risk_{name}_movement_totals"] = risk.movement_totals(moved)
        late = risk.ageing(reg, review)
        out[f"risk_{name}_ageing"] = late
        out[f"risk_{name}_ageing_summary"] = risk.ageing_summary(late)
        for min_band in (band, lowest):
            out[f"risk_{name}_new_closed_{min_band}"] = risk.new_and_closed(
                frames["risks"], previous, review, rules, min_band, flt
            )

    # Data quality
    status = quality.reporting(frames, review, config, filters)
    found = quality.findings(frames, config, upto=review)
    out["quality_reporting"] = status
    out["quality_by_manager"] = quality.by_manager(status)
    out["quality_findings"] = found
    out["quality_project_scores"] = quality.project_scores(frames, found, review, config, filters)
    out["quality_upload_scores"] = quality.upload_scores(frames, found, upto=review)

    # Governance
    rules_g = config.governance
    scored, breakdown = governance.scores(frames, snap, review, config)
    out["governance_scores"] = scored[
        ["project_id", "governance_value", "execution_health", "quadrant", "value_why",
         "health_why"]
    ]  # fmt: skip
    # each input's value text is in value_why and health_why above
    out["governance_breakdown"] = breakdown.drop(columns=["value", "rule"])
    overdue = governance.overdue_gates(frames, snap, review, rules_g)
    unapproved = governance.executing_without_approval(frames, snap, review, rules_g)
    comp = governance.compliance(frames, snap, review, config)
    comp_total = governance.portfolio_compliance(comp)
    out["governance_overdue_gates"] = overdue
    out["governance_unapproved"] = unapproved
    out["governance_compliance"] = comp
    out["governance_compliance_total"] = comp_total
    marks = governance.check_marks(comp)
    out["governance_check_marks"] = marks[["project_id", *governance.CHECKS, "score"]]
    lens = governance.lens_summary(scored, overdue, unapproved, comp_total, config)
    out["governance_lens"] = lens
    out["governance_quadrants"] = governance.quadrant_counts(scored, config)
    out["governance_pipeline"] = governance.pipeline(snap, rules_g, config)
    if case in ("latest", "filtered"):
        log = governance.decision_log(frames, review, snap["project_id"])
        out["governance_decision_log"] = log

    # Project detail (the page's snapshot is unfiltered)
    if case == "latest":
        for pid in PROJECTS:
            out[f"project_{pid}_header"] = proj.header(frames["projects"], pid)
            out[f"project_{pid}_rag_strip"] = proj.rag_strip(frames["status_reports"], pid, review)
            out[f"project_{pid}_narrative"] = proj.latest_narrative(
                frames["status_reports"], pid, review
            )
            out[f"project_{pid}_evm"] = proj.evm_series(frames, pid, review)
            trend = proj.milestone_trend(frames["milestones"], pid, review)
            out[f"project_{pid}_milestone_trend"] = trend
            out[f"project_{pid}_rebaselines"] = proj.rebaselines(trend)
            out[f"project_{pid}_milestone_table"] = proj.milestone_table(trend)
            out[f"project_{pid}_risks"] = proj.project_risks(frames["risks"], pid, review, config)
            out[f"project_{pid}_decisions"] = proj.project_decisions(frames, pid, review)
            out[f"project_{pid}_lineage"] = proj.lineage(frames, pid)
    return out


# --- comparing ----------------------------------------------------------------------------------

UNSTABLE = ["uploaded_at"]  # the seeding run's clock
# Long texts passed through from the row a result picked (its date and RAG pin the row already);
# left out to keep the golden files small.
LONG_TEXT = ["summary", "next_steps", "rationale"]


def as_frame(value) -> pd.DataFrame:
    """Any result as a frame: frames as they are (a meaningful index as columns), dicts and
    texts as key/value rows."""
    if isinstance(value, pd.DataFrame):
        frame = value if isinstance(value.index, pd.RangeIndex) else value.reset_index()
        return frame.drop(columns=[c for c in UNSTABLE + LONG_TEXT if c in frame])
    if isinstance(value, dict):
        items = {k: v for k, v in value.items() if k not in UNSTABLE}
        return pd.DataFrame(
            {"key": list(items), "value": [json.dumps(v, default=str) for v in items.values()]}
        )
    return pd.DataFrame({"value": [json.dumps(value, default=str)]})


def to_csv(frame: pd.DataFrame) -> str:
    return frame.to_csv(index=False, lineterminator="\n")


def from_csv(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text)) if text.strip() else pd.DataFrame()


def all_results(frames) -> dict[str, pd.DataFrame]:
    """Per result name, the cases stacked with a leading ``case`` column."""
    stacked: dict[str, list[pd.DataFrame]] = {}
    for case in CASES:
        for name, value in results(frames, case).items():
            stacked.setdefault(name, []).append(as_frame(value).assign(case=case))
    out = {}
    for name, parts in stacked.items():
        frame = pd.concat(parts, ignore_index=True)
        out[name] = frame[["case", *[c for c in frame.columns if c != "case"]]]
    return out


def write(frames) -> None:
    GOLDEN.mkdir(exist_ok=True)
    for old in GOLDEN.glob("*.csv"):
        old.unlink()
    for name, frame in all_results(frames).items():
        (GOLDEN / f"{name}.csv").write_text(to_csv(frame), encoding="utf-8")


# Ids, names, RAG and other repeated labels: the columns compact frames hold as categoricals.
LABELS = ["project_id", "risk_id", "milestone_id", "decision_id", "item_id", "name", "portfolio",
          "programme", "department", "sponsor", "manager", "stage", "priority", "currency",
          "overall_rag", "schedule_rag", "cost_rag", "scope_rag", "resource_rag", "rag_label",
          "status", "category", "owner", "forum", "decision", "type", "reported_by"]  # fmt: skip


def compact(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The frames with every label column categorical (each table its own categories)."""
    return {
        name: df.astype({c: "category" for c in LABELS if c in df and name != "uploads"})
        for name, df in frames.items()
    }


@pytest.fixture(scope="module")
def frames(seeded_db_file, tmp_path_factory) -> dict[str, pd.DataFrame]:
    return sample_frames(seeded_db_file, tmp_path_factory.mktemp("regression"))


@pytest.fixture(scope="module", params=["as read", "categorical"])
def current(request, frames) -> dict[str, pd.DataFrame]:
    return all_results(frames if request.param == "as read" else compact(frames))


def test_every_golden_result_is_computed(current):
    assert sorted(current) == sorted(p.stem for p in GOLDEN.glob("*.csv"))


@pytest.mark.parametrize("name", sorted(p.stem for p in GOLDEN.glob("*.csv")))
def test_result_matches_golden(current, name):
    expected = from_csv((GOLDEN / f"{name}.csv").read_text(encoding="utf-8"))
    # Through the same CSV text as the golden file, so dtypes compare as the file holds them.
    got = from_csv(to_csv(current[name]))
    # read_frames leaves out text no page shows for the whole portfolio (store.NOT_IN_FRAMES)
    left_out = [c for c in expected.columns if c not in got.columns]
    assert set(left_out) <= set().union(*store.NOT_IN_FRAMES.values()), left_out
    expected = expected.drop(columns=left_out)
    pd.testing.assert_frame_equal(got, expected, check_dtype=False, rtol=1e-9, atol=1e-6)


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        sys.exit(__doc__)
    from sample_data import write_sample

    with tempfile.TemporaryDirectory() as tmp:
        seeded = Path(tmp) / "seeded.db"
        engine = store.get_engine(f"sqlite:///{seeded}")
        write_sample(engine)
        engine.dispose()
        write(sample_frames(seeded, Path(tmp)))
    print(f"wrote {len(list(GOLDEN.glob('*.csv')))} golden files to {GOLDEN}")
