"""Risk arithmetic: word scales, score, band, probability, the register as of a date, exposure,
movement between inherent and residual assessments, ageing, new and closed risks between two
review dates, the weekly band trend and exposure against remaining contingency.

A risk is identified by (project_id, risk_id): registers number their risks per project.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analytics import money
from analytics.snapshot import asof_grid, latest_snapshot
from config import Config, RiskRules, get_config

KEY = ["project_id", "risk_id"]
# likelihood, impact and score columns of each assessment
BASIS_COLUMNS = {
    "inherent": ("likelihood", "impact", "score", "band", "exposure"),
    "residual": (
        "residual_likelihood",
        "residual_impact",
        "residual_score",
        "residual_band",
        "residual_exposure",
    ),
}
# what the drill-down and the top-10 lists show, in this order
DRILL_COLUMNS = [
    "risk_id", "project_id", "title", "owner", "category", "status", "score", "band",
    "residual_score", "residual_band", "cost_impact", "exposure", "due_date", "response",
]  # fmt: skip
MOVES = [
    "down 2+ bands",
    "down 1 band",
    "same band, lower score",
    "no change",
    "higher after response",
    "not assessed",
]
AGE_BUCKETS = [(30, "1-30 days"), (60, "31-60 days"), (90, "61-90 days"), (None, "over 90 days")]


# --- scales and bands ---------------------------------------------------------------------------


def scale_value(value, rules: RiskRules) -> int | None:
    """One likelihood or impact value on the 1-5 scale: a number, a word from the one table
    (``RiskRules.scales``), or a word with a leading number (``4 - Likely``). None otherwise."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, (int, float, np.integer, np.floating)):
        n = float(value)
        return int(n) if n.is_integer() and 1 <= n <= 5 else None
    text = " ".join(str(value).strip().lower().replace("_", " ").replace("-", " ").split())
    if not text:
        return None
    lead = re.match(r"^([1-5])(\.0)?\b", text)
    if lead:
        return int(lead.group(1))
    words = {" ".join(k.lower().replace("-", " ").split()): int(v) for k, v in rules.scales.items()}
    return words.get(text)


def cell_of(value: float) -> int:
    """The matrix row or column of a score: half up (2.5 is in cell 3), as a register that
    scores between two points means "at least the lower one"."""
    return int(np.floor(value + 0.5))


def cells_of(values: pd.Series) -> pd.Series:
    """Vectorised ``cell_of`` (NA stays NA)."""
    return np.floor(pd.to_numeric(values, errors="coerce").astype(float) + 0.5).astype("Int64")


def to_scale(values: pd.Series, rules: RiskRules) -> pd.Series:
    """A column of likelihoods or impacts as nullable 1-5 integers (unknown words become NA)."""
    return pd.Series([scale_value(v, rules) for v in values], index=values.index, dtype="Int64")


def band_names(rules: RiskRules) -> list[str]:
    """Band names from lowest to highest."""
    return list(rules.bands)


def band_rank(name: str | None, rules: RiskRules) -> int:
    """Position of a band (0 = lowest); -1 for None or an unknown name."""
    names = band_names(rules)
    return names.index(name) if name in names else -1


def band(score, rules: RiskRules) -> str | None:
    """The band name for a 1-25 score (bands from config), None when unscored."""
    if score is None or pd.isna(score):
        return None
    name = None
    for band_name, lowest in rules.bands.items():
        if score >= lowest:
            name = band_name
    return name


def bands_of(scores: pd.Series, rules: RiskRules) -> pd.Series:
    """Vectorised ``band`` for a column of scores (object column, None where unscored)."""
    names = np.array([None, *band_names(rules)], dtype=object)
    return pd.Series(names[band_codes(scores, rules) + 1], index=scores.index, dtype=object)


def band_codes(scores: pd.Series, rules: RiskRules) -> np.ndarray:
    """Each score's band as its position in ``band_names`` (-1 where unscored): a band is the
    highest whose lowest score the score reaches."""
    values = pd.to_numeric(scores, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    out = np.full(len(values), -1)
    for code, lowest in enumerate(rules.bands.values()):
        out[values >= lowest] = code
    return out


def open_statuses(status: pd.Series, rules: RiskRules) -> np.ndarray:
    """Whether each status is open: not one of ``rules.closed_statuses`` (trimmed, any case);
    a missing status is open. Each distinct status is judged once (a register repeats a
    handful of them)."""
    codes, statuses = pd.factorize(status)
    closed = pd.Index(statuses.astype(str)).str.strip().str.lower().isin(rules.closed_statuses)
    return ~np.append(closed, False)[codes]  # code -1 (no status) is open


# --- the register -------------------------------------------------------------------------------


def latest_register(risks: pd.DataFrame, review_date) -> pd.DataFrame:
    """Each project's most recent risk-register snapshot on or before the review date."""
    return latest_snapshot(risks, review_date)


def with_scores(register: pd.DataFrame, rules: RiskRules) -> pd.DataFrame:
    """Add score, residual_score, band, residual_band, is_open, probability, residual_probability,
    exposure and residual_exposure columns."""
    out = register.copy()
    for col in ("likelihood", "impact", "residual_likelihood", "residual_impact", "cost_impact"):
        out[col] = pd.to_numeric(out[col], errors="coerce").astype(float)
    out["score"] = out["likelihood"] * out["impact"]
    out["residual_score"] = out["residual_likelihood"] * out["residual_impact"]
    out["band"] = bands_of(out["score"], rules)
    out["residual_band"] = bands_of(out["residual_score"], rules)
    out["is_open"] = open_statuses(out["status"], rules)
    out["probability"] = _probability(out["likelihood"], rules)
    out["residual_probability"] = _probability(out["residual_likelihood"], rules)
    out["exposure"] = out["probability"] * out["cost_impact"]
    out["residual_exposure"] = out["residual_probability"] * out["cost_impact"]
    if "opportunity" in out:  # an opportunity's cost impact is a gain, not exposure
        upside = out["opportunity"].astype("boolean").fillna(False).astype(bool)
        out.loc[upside, ["exposure", "residual_exposure"]] = 0.0
    return out


def _probability(likelihood: pd.Series, rules: RiskRules) -> pd.Series:
    """The probability of each likelihood from the config table; a likelihood between two points
    (2.5) gets the probability between theirs (linear)."""
    points = sorted((float(k), float(v)) for k, v in rules.probability.items())
    lik = likelihood.astype(float)
    xs, ys = [p for p, _ in points], [v for _, v in points]
    out = pd.Series(np.interp(lik.fillna(xs[0]), xs, ys), index=likelihood.index)
    return out.where(lik.notna() & lik.between(xs[0], xs[-1]))


def open_risks(risks: pd.DataFrame, review_date, rules: RiskRules) -> pd.DataFrame:
    reg = with_scores(latest_register(risks, review_date), rules)
    return reg[reg["is_open"]]


def exposure_by_project(open_register: pd.DataFrame) -> pd.DataFrame:
    """Per project: open risk count, highest score, and exposure (sum of probability x cost)."""
    return (
        open_register.groupby("project_id")
        .agg(
            open_risks=("risk_id", "count"),
            max_risk_score=("score", "max"),
            exposure=("exposure", "sum"),
        )
        .reset_index()
    )


@dataclass(frozen=True)
class RiskFilter:
    """Which risks a view keeps. Empty lists keep everything; ``statuses`` empty keeps open risks
    only (statuses not in ``RiskRules.closed_statuses``)."""

    project_ids: list[str] | None = None  # None = every project
    categories: list[str] = field(default_factory=list)
    owners: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)

    def scope(self, scored: pd.DataFrame) -> pd.DataFrame:
        """Projects, categories and owners only, whatever the status."""
        return scored[self.in_scope(scored)]

    def in_scope(self, risks: pd.DataFrame) -> pd.Series:
        """Which rows ``scope`` keeps."""
        mask = pd.Series(True, index=risks.index)
        if self.project_ids is not None:
            mask &= risks["project_id"].isin(self.project_ids)
        if self.categories:
            mask &= risks["category"].isin(self.categories)
        if self.owners:
            mask &= risks["owner"].isin(self.owners)
        return mask

    def apply(self, scored: pd.DataFrame, open_only: bool = False) -> pd.DataFrame:
        kept = self.scope(scored)
        if self.statuses and not open_only:
            return kept[kept["status"].isin(self.statuses)]
        return kept[kept["is_open"]]


def filter_options(scored: pd.DataFrame) -> dict[str, list[str]]:
    """Sorted distinct categories, owners and statuses of a register, for the page's filters."""
    return {
        col: sorted(scored[col].dropna().astype(str).unique().tolist())
        for col in ("category", "owner", "status")
    }


def register_on(risks: pd.DataFrame, review_date, rules: RiskRules, project_ids=None):
    """The scored register (every status) on the review date, for the given projects (None = all).
    Narrow it further with ``RiskFilter.apply``."""
    reg = with_scores(latest_register(risks, review_date), rules)
    if project_ids is not None:
        reg = reg[reg["project_id"].isin(list(project_ids))]
    return reg


# --- matrix -------------------------------------------------------------------------------------


def matrix_cells(register: pd.DataFrame, rules: RiskRules, basis: str = "inherent"):
    """All 25 cells of the 5x5 matrix: likelihood, impact, score, band and the count of risks."""
    lik, imp, *_ = BASIS_COLUMNS[basis]
    grid = pd.DataFrame(
        [(li, im) for li in range(1, 6) for im in range(1, 6)], columns=["likelihood", "impact"]
    )
    grid["score"] = grid["likelihood"] * grid["impact"]
    grid["band"] = bands_of(grid["score"], rules)
    scored = register.dropna(subset=[lik, imp])
    counts = (
        scored.groupby(
            [cells_of(scored[lik]).rename("likelihood"), cells_of(scored[imp]).rename("impact")]
        )
        .size()
        .rename("risks")
        .reset_index()
    )
    counts[["likelihood", "impact"]] = counts[["likelihood", "impact"]].astype(int)
    grid = grid.merge(counts, on=["likelihood", "impact"], how="left")
    grid["risks"] = grid["risks"].fillna(0).astype(int)
    return grid


def cell_risks(register: pd.DataFrame, likelihood: int, impact: int, basis: str = "inherent"):
    """The risks in one cell of the matrix, highest score then highest exposure first."""
    lik, imp, score, _, exposure = BASIS_COLUMNS[basis]
    inside = (cells_of(register[lik]) == likelihood) & (cells_of(register[imp]) == impact)
    cell = register[inside.fillna(False).to_numpy(dtype=bool)]
    cell = cell.sort_values([score, exposure, "project_id", "risk_id"], ascending=[0, 0, 1, 1])
    return cell[DRILL_COLUMNS].reset_index(drop=True)


def top_by(register: pd.DataFrame, column: str, then: str, n: int = 10) -> pd.DataFrame:
    """The n risks with the highest value in ``column`` (a score or an exposure); a tie goes to
    the higher ``then`` (the exposure for a score, the score for an exposure), then by project
    and risk id, so the Risks page's top 10s and the deck's top risks are one ranking."""
    ranked = register.dropna(subset=[column]).sort_values(
        [column, then, "project_id", "risk_id"],
        ascending=[False, False, True, True],
        na_position="last",
    )
    extra = [c for c in [column, then, "currency"] if c in register and c not in DRILL_COLUMNS]
    return ranked.head(n)[DRILL_COLUMNS + extra].reset_index(drop=True)


# --- movement between assessments ---------------------------------------------------------------


def movement(register: pd.DataFrame, rules: RiskRules) -> pd.DataFrame:
    """Per risk: how the residual assessment moved from the inherent one (``move`` in MOVES,
    ``bands_down`` = inherent band rank minus residual band rank)."""
    out = register.copy()
    inherent = out["band"].map(lambda b: band_rank(b, rules))
    residual = out["residual_band"].map(lambda b: band_rank(b, rules))
    out["bands_down"] = (inherent - residual).where(out["residual_band"].notna())
    missing = out["residual_score"].isna() | out["score"].isna()
    conditions = [
        missing,
        out["residual_score"] > out["score"],
        out["bands_down"] >= 2,
        out["bands_down"] == 1,
        out["residual_score"] < out["score"],
    ]
    choices = [MOVES[5], MOVES[4], MOVES[0], MOVES[1], MOVES[2]]
    out["move"] = np.select(conditions, choices, default=MOVES[3]).astype(object)
    return out


def movement_summary(moved: pd.DataFrame, rules: RiskRules) -> pd.DataFrame:
    """Risks per inherent band and move (long: band, move, risks), every combination present."""
    rows = []
    for b in band_names(rules):
        part = moved[moved["band"] == b]
        counts = part["move"].value_counts()
        rows += [{"band": b, "move": m, "risks": int(counts.get(m, 0))} for m in MOVES]
    return pd.DataFrame(rows, columns=["band", "move", "risks"])


def movement_totals(moved: pd.DataFrame) -> dict[str, int]:
    """Headline counts: moved down at least one band, did not change band, went up, total."""
    counts = moved["move"].value_counts()
    get = lambda m: int(counts.get(m, 0))  # noqa: E731
    return {
        "risks": len(moved),
        "down_a_band": get(MOVES[0]) + get(MOVES[1]),
        "same_band": get(MOVES[2]) + get(MOVES[3]),
        "no_change": get(MOVES[3]),
        "higher": get(MOVES[4]),
        "not_assessed": get(MOVES[5]),
    }


# --- ageing -------------------------------------------------------------------------------------


def age_bucket(days) -> str | None:
    if days is None or pd.isna(days) or days <= 0:
        return None
    for limit, label in AGE_BUCKETS:
        if limit is None or days <= limit:
            return label
    return None


def ageing(register: pd.DataFrame, review_date) -> pd.DataFrame:
    """Open risks whose due date has passed on the review date, with days overdue and a bucket,
    most overdue first. A risk due on the review date itself is not overdue."""
    review_date = pd.Timestamp(review_date)
    due = pd.to_datetime(register["due_date"])
    late = register[register["is_open"] & due.notna() & (due < review_date)].copy()
    late["days_overdue"] = (review_date - pd.to_datetime(late["due_date"])).dt.days.astype(int)
    late["overdue"] = late["days_overdue"].map(age_bucket).astype(object)
    late = late.sort_values(["days_overdue", "project_id", "risk_id"], ascending=[0, 1, 1])
    return late[DRILL_COLUMNS + ["days_overdue", "overdue"]].reset_index(drop=True)


def ageing_summary(late: pd.DataFrame) -> pd.DataFrame:
    counts = late["overdue"].value_counts()
    return pd.DataFrame(
        [{"overdue": label, "risks": int(counts.get(label, 0))} for _, label in AGE_BUCKETS]
    )


# --- change between two review dates ------------------------------------------------------------


def new_and_closed(
    risks: pd.DataFrame,
    previous_date,
    review_date,
    rules: RiskRules,
    min_band: str,
    flt: RiskFilter | None = None,
) -> pd.DataFrame:
    """Risks at or above ``min_band`` (inherent score) that appeared or went away between two dates.

    ``change`` is one of: ``new`` (open and in band now; not in the register before, or closed
    before), ``escalated`` (open before but below the band), ``closed`` (open and in band before;
    now closed, or no longer in its project's register), ``de-escalated`` (still open, now below
    the band). ``detail`` says which. The status filter is ignored: this compares open risks.
    """
    flt = flt or RiskFilter()
    floor = band_rank(min_band, rules)
    if floor < 0:
        raise ValueError(f"unknown band {min_band!r}; bands are {band_names(rules)}")

    # Closed risks too (RiskFilter.apply would keep open ones only): closing is a change.
    def whole(d) -> pd.DataFrame:
        reg = risks.iloc[0:0] if d is None else latest_register(risks, d)
        reg = flt.scope(with_scores(reg, rules))
        rank = pd.Index(band_names(rules)).get_indexer(reg["band"])
        keep = [*KEY, "score", "band", "is_open", "status", "title", "owner", "cost_impact"]
        return reg[[*keep, "exposure"]].assign(_hot=reg["is_open"].to_numpy() & (rank >= floor))

    both = whole(review_date).merge(
        whole(previous_date),
        on=KEY,
        how="outer",
        suffixes=("_now", "_before"),
        indicator=True,
    )
    in_now, in_before = both["_merge"] != "right_only", both["_merge"] != "left_only"
    hot_now = in_now & both["_hot_now"].astype("boolean").fillna(False).astype(bool)
    hot_before = in_before & both["_hot_before"].astype("boolean").fillna(False).astype(bool)
    # new, reopened or escalated: described by the register now
    up = both[hot_now & ~hot_before]
    # closed or de-escalated: described by the register now where the risk is still in it
    down = both[hot_before & ~hot_now]
    up_change = [
        ("new", "raised since the previous review")
        if not was
        else ("new", f"reopened (was {status})")
        if not is_open
        else ("escalated", f"was {band} ({score:.0f})")
        for was, is_open, status, band, score in zip(
            up["_merge"] == "both", up["is_open_before"], up["status_before"], up["band_before"],
            up["score_before"], strict=True,
        )
    ]  # fmt: skip
    down_change = [
        ("closed", "no longer in the register")
        if not there
        else ("closed", f"status {status}")
        if not is_open
        else ("de-escalated", f"now {band} ({score:.0f})")
        for there, is_open, status, band, score in zip(
            down["_merge"] == "both", down["is_open_now"], down["status_now"], down["band_now"],
            down["score_now"], strict=True,
        )
    ]  # fmt: skip
    cols = ["project_id", "risk_id", "change", "detail", "title", "owner", "score", "band"]
    cols += ["cost_impact", "exposure"]
    # Both assessments side by side, for callers that word the change themselves.
    cols += ["score_before", "band_before", "open_before", "score_now", "band_now", "open_now"]

    def described(part: pd.DataFrame, changed: list, by: pd.Series) -> pd.DataFrame:
        """Rows of ``part``; ``by`` says per row whether the register now describes the risk."""
        src = {c: part[f"{c}_now"].where(by, part[f"{c}_before"]) for c in cols[4:10]}
        present = {"before": part["_merge"] != "left_only", "now": part["_merge"] != "right_only"}
        sides = {}
        for name, there in present.items():
            sides[f"score_{name}"] = part[f"score_{name}"].where(there)
            sides[f"band_{name}"] = part[f"band_{name}"].astype(object).where(there, None)
            sides[f"open_{name}"] = there & part[f"is_open_{name}"].astype("boolean").fillna(
                False
            ).astype(bool)
        return pd.DataFrame(
            {
                **{k: part[k] for k in KEY},
                "change": [c for c, _ in changed],
                "detail": [d for _, d in changed],
                **src,
                **sides,
            },
            index=part.index,
        )

    out = pd.concat(
        [
            described(up, up_change, pd.Series(True, index=up.index)),
            described(down, down_change, down["_merge"] == "both"),
        ],
        ignore_index=True,
    )[cols]
    order = {"new": 0, "escalated": 1, "closed": 2, "de-escalated": 3}
    out = out.sort_values(
        ["change", "score", "project_id", "risk_id"],
        key=lambda s: s.map(order) if s.name == "change" else s,
        ascending=[True, False, True, True],
    )
    return out.reset_index(drop=True)


# --- trend --------------------------------------------------------------------------------------


def band_trend(
    risks: pd.DataFrame,
    dates: list,
    rules: RiskRules,
    flt: RiskFilter | None = None,
    basis: str = "inherent",
) -> pd.DataFrame:
    """Open risks per band at every review date (long: report_date, band, risks).

    Each register snapshot is scored once; a grid of projects x dates then picks the snapshot in
    force on each date (``asof_grid``) and adds up its open risks per band.
    """
    flt = flt or RiskFilter()
    names = band_names(rules)
    counts = np.zeros((len(dates), len(names)), dtype=int)
    if len(dates) and len(risks):
        # A project's register on a date is its latest snapshot, whichever risks the filter keeps.
        snapshots = risks[["project_id", "report_date"]].drop_duplicates()
        if flt.project_ids is not None:
            snapshots = snapshots[snapshots["project_id"].isin(flt.project_ids)]
        ids = snapshots["project_id"].drop_duplicates()
        in_force = asof_grid(ids, dates, snapshots)
        # Only the score and the status of the risks the filter keeps: every register ever
        # kept is here (a million rows at 2,000 projects), so no copy of the whole register
        # and none of with_scores' other columns.
        lik, imp = BASIS_COLUMNS[basis][:2]
        kept = risks[["project_id", "report_date", "status", lik, imp]][flt.in_scope(risks)]
        score = pd.to_numeric(kept[lik], errors="coerce")
        score = score * pd.to_numeric(kept[imp], errors="coerce")
        per = pd.DataFrame(
            {
                "pos": pd.Index(ids).get_indexer(kept["project_id"]),
                "report_date": kept["report_date"].astype("datetime64[ns]").to_numpy(),
                "band": band_codes(score, rules),
            }
        )
        per = per[open_statuses(kept["status"], rules) & (per["pos"] >= 0) & (per["band"] >= 0)]
        per = per.groupby(["pos", "report_date", "band"]).size().rename("risks").reset_index()
        hits = in_force.dropna(subset=["report_date"]).merge(per, on=["pos", "report_date"])
        np.add.at(counts, (hits["week"].to_numpy(), hits["band"].to_numpy()), hits["risks"])
    rows = [
        {"report_date": pd.Timestamp(d), "band": b, "risks": int(n)}
        for d, row in zip(dates, counts, strict=True)
        for b, n in zip(names, row, strict=True)
    ]
    return pd.DataFrame(rows, columns=["report_date", "band", "risks"])


# --- exposure against contingency ---------------------------------------------------------------


def remaining_contingency(snap: pd.DataFrame) -> pd.DataFrame:
    """Per project: contingency, consumed and remaining contingency.

    Consumed = EAC (typical, BAC / CPI) above budget, floored at 0; zero where EAC is not
    computable. Remaining = contingency - consumed, floored at 0. A missing contingency counts
    as 0. Carries the snapshot's ``currency`` when it has one: each row is in its project's.
    """
    keep = ["project_id", "name", "budget", "contingency", "eac_typical", "currency"]
    out = snap[[c for c in keep if c in snap]].copy()
    out["contingency"] = pd.to_numeric(out["contingency"], errors="coerce").fillna(0.0)
    overrun = pd.to_numeric(out["eac_typical"], errors="coerce") - out["budget"]
    out["consumed"] = overrun.clip(lower=0).fillna(0.0)
    out["remaining"] = (out["contingency"] - out["consumed"]).clip(lower=0)
    return out


def exposure_vs_contingency(
    snap: pd.DataFrame, register: pd.DataFrame, basis: str = "inherent"
) -> pd.DataFrame:
    """Per project in the snapshot: open risks, exposure (of the given assessment) against remaining
    contingency, headroom = remaining - exposure, and ``exceeds`` when exposure > remaining.
    Projects whose exposure exceeds first, then by smallest headroom."""
    exposure_col = BASIS_COLUMNS[basis][4]
    open_reg = register[register["is_open"]]
    by_project = (
        open_reg.groupby("project_id")
        .agg(open_risks=("risk_id", "count"), exposure=(exposure_col, "sum"))
        .reset_index()
    )
    out = remaining_contingency(snap).merge(by_project, on="project_id", how="left")
    out["open_risks"] = out["open_risks"].fillna(0).astype(int)
    out["exposure"] = out["exposure"].fillna(0.0)
    out["headroom"] = out["remaining"] - out["exposure"]
    out["exceeds"] = out["exposure"] > out["remaining"]
    out = out.sort_values(["exceeds", "headroom", "project_id"], ascending=[False, True, True])
    cols = [
        "project_id", "name", "open_risks", "exposure", "contingency", "consumed", "remaining",
        "headroom", "exceeds",
    ] + [c for c in ["currency"] if c in out]  # fmt: skip
    return out[cols].reset_index(drop=True)


MONEY_TOTALS = ["exposure", "contingency", "consumed", "remaining"]


def portfolio_exposure(table: pd.DataFrame, config: Config | None = None) -> dict:
    """Portfolio totals of ``exposure_vs_contingency``, never adding two currencies.

    ``money`` holds the totals and headroom per currency (converted into the portfolio currency
    where ``[money.rates]`` has a rate, see ``analytics.money.totals``). The plain ``exposure``,
    ``contingency``, ``consumed``, ``remaining`` and ``headroom`` hold the total only when that
    leaves one currency (named in ``currency``), NaN otherwise. ``exceeds``: exposure above
    remaining contingency in any currency.
    """
    config = config or get_config()
    by_ccy = money.totals(table, MONEY_TOTALS, config)
    # Projects over their contingency, counted under the total they are in (a converted
    # currency's projects under the portfolio currency): the verdict per total names them.
    ccy = money.currencies(table, config)
    rated = ccy.isin([config.money.currency, *money.converted(table, config)])
    group = ccy.where(~rated, config.money.currency)
    for c, v in by_ccy.items():
        v["headroom"] = v["remaining"] - v["exposure"]
        v["over"] = int((table["exceeds"] & (group == c)).sum())
    one = next(iter(by_ccy)) if len(by_ccy) == 1 else None
    out: dict = {
        "projects": len(table),
        "money": by_ccy,
        "currency": one,
        "converted": money.converted(table, config),
        "exceeds": any(v["exposure"] > v["remaining"] for v in by_ccy.values()),
        "projects_exceeding": int(table["exceeds"].sum()),
    }
    for key in [*MONEY_TOTALS, "headroom"]:
        out[key] = by_ccy[one][key] if one else float("nan")
    return out


def exposure_verdict(totals: dict) -> tuple[str, str]:
    """The one verdict on portfolio exposure against remaining contingency, and its tone
    (``good``, ``mixed``, ``bad``) for the tile's colour, from ``portfolio_exposure``.

    It never contradicts the "Projects over contingency" count beside it: ``✓ within`` only
    when no project is over; when the total is within but some projects are over it names
    them (``⚠ 14 over``), never a tick. With currencies that have no rate between them, each
    is judged on its own and named (``⚠ 14 over in GBP · ⚠ exceeds in USD``): a $131 register
    never turns the pounds' verdict. A currency with no exposure is left out."""
    by_ccy = {c: v for c, v in totals["money"].items() if v["exposure"]} or totals["money"]
    words, tones = [], []
    for v in by_ccy.values():
        if v["exposure"] > v["remaining"]:
            words.append("⚠ exceeds")
            tones.append("bad")
        elif v.get("over"):
            words.append(f"⚠ {v['over']:.0f} over")
            tones.append("mixed")
        else:
            words.append("✓ within")
            tones.append("good")
    tone = tones[0] if len(set(tones)) == 1 else "mixed"
    if len(by_ccy) == 1:
        return words[0], tone
    return " · ".join(f"{w} in {c}" for w, c in zip(words, by_ccy, strict=True)), tone


def contingency_overspend(table: pd.DataFrame, config: Config | None = None) -> dict:
    """What the per-project floor of remaining contingency hides, so the portfolio tiles add up.

    Remaining is per project and never below 0, so a project that consumed more than its
    contingency does not eat into another's: portfolio contingency - consumed + overspent =
    remaining, where ``overspent`` sums, per currency (as ``portfolio_exposure``), what
    projects consumed beyond their own contingency. ``projects``: how many did."""
    config = config or get_config()
    over = table.assign(overspent=(table["consumed"] - table["contingency"]).clip(lower=0))
    by_ccy = money.totals(over, ["overspent"], config)
    return {"money": by_ccy, "projects": int((over["overspent"] > 0).sum())}


def source_note(register: pd.DataFrame, uploads: pd.DataFrame) -> str:
    """Where the risk figures come from: how many uploads fed this register, and the latest one."""
    ids = pd.to_numeric(register["upload_id"], errors="coerce").dropna().astype(int).unique()
    if len(ids) == 0:
        return "no risk registers"
    latest = uploads[uploads["upload_id"] == ids.max()]
    name = latest["file_name"].iloc[0] if len(latest) else "?"
    plural = "s" if len(ids) != 1 else ""
    return f"risk registers from {len(ids)} upload{plural}, latest #{ids.max()} ({name})"
