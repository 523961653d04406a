"""A seeded, deterministic, believable enterprise portfolio in the canonical schema.

About 60 projects in 4 portfolios and 8 programmes, 26 weekly status reports each. Every
project follows a trajectory (steady, slipping, recovering, watermelon, stops reporting, new
mid-period) and its earned value, forecasts, risks and milestones follow from it, so the
numbers add up: EV = PV x SPI, AC = EV / CPI, forecasts slip as SPI falls.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

SEED = 42
WEEKS = 26
LAST_REPORT = pd.Timestamp("2026-11-20")  # a Friday; fixed so the sample never changes

PORTFOLIOS = {
    "Digital & Technology": ["Cloud Migration", "Data & Analytics"],
    "Customer & Growth": ["Customer Experience", "New Markets"],
    "Operations & Supply Chain": ["Warehouse Modernisation", "Procurement Excellence"],
    "Corporate & Compliance": ["Regulatory Change", "Finance Transformation"],
}
DEPARTMENTS = ["IT", "Operations", "Finance", "Marketing", "HR", "Legal", "Sales", "Supply Chain"]
SPONSORS = [
    "Helen Carter (CIO)", "Marcus Webb (COO)", "Priya Nair (CFO)", "Daniel Okafor (CMO)",
    "Sarah Lindqvist (CHRO)", "Tom Becker (General Counsel)", "Aisha Rahman (CDO)",
    "Robert Hughes (VP Supply Chain)",
]  # fmt: skip
MANAGERS = [
    "Alex Morgan", "Jamie Chen", "Sam Patel", "Chris Doyle", "Nina Kowalski", "Omar Haddad",
    "Laura Benson", "Ravi Iyer", "Grace O'Neill", "Ben Foster", "Maya Singh", "Lucas Ferreira",
    "Zoe Adams", "Ethan Brooks", "Hannah Weiss", "Kofi Mensah",
]  # fmt: skip
NOUNS = [
    "CRM Replacement", "Data Platform", "ERP Upgrade", "Mobile App", "Payments Gateway",
    "Identity & Access", "Customer Portal", "Warehouse Robotics", "Supplier Portal",
    "GDPR Remediation", "Finance Close Automation", "HR System", "Network Refresh",
    "Pricing Engine", "Contact Centre", "Fleet Telematics", "Loyalty Programme",
    "Document Management", "Cyber Resilience", "E-invoicing", "Demand Forecasting",
    "Store Rollout", "Billing Consolidation", "Treasury System", "Chatbot",
    "Inventory Visibility", "Data Centre Exit", "Master Data", "Partner API", "ESG Reporting",
]  # fmt: skip
PHASES = ["Phase 1", "Phase 2", "Wave A", "Wave B"]
RISK_TITLES = {
    "Technical": ["Legacy interface undocumented", "Performance below target under load",
                  "Data migration quality issues", "Integration vendor API changes"],
    "Resource": ["Key architect may leave", "Test team shared with BAU peak",
                 "Contractor rates rising"],
    "Commercial": ["Supplier price increase at renewal", "Licence model change",
                   "Currency exposure on USD contract"],
    "Schedule": ["Dependency on platform release slips", "Late sign-off of requirements",
                 "Change freeze over year end"],
    "Regulatory": ["New reporting rule before go-live", "Data residency requirement"],
    "Supplier": ["Supplier financial distress", "Hardware lead times extended"],
}  # fmt: skip
RESPONSES = ["Mitigate", "Transfer", "Accept", "Avoid"]
# Share of projects per trajectory; exact counts, shuffled, so every sample tells the same story.
TRAJECTORIES = {
    "steady": 0.55, "slipping": 0.15, "recovering": 0.12, "watermelon": 0.07,
    "stops_reporting": 0.05, "new": 0.06,
}  # fmt: skip


# The sample's six milestones; a larger organisation's portfolio (``Shape``) has eight, with
# data migration and a pilot between build and the third gate.
MILESTONES = ["Gate 1: Business case", "Gate 2: Design approved", "Build complete",
              "Gate 3: Ready for go-live", "Go-live", "Gate 4: Benefits review"]  # fmt: skip
MILESTONES_8 = MILESTONES[:3] + ["Data migration complete", "Pilot complete"] + MILESTONES[3:]


@dataclass(frozen=True)
class Shape:
    """How the registers of a generated portfolio look. The defaults are the sample's (its output
    never changes); ``WEEKLY_REGISTERS`` is the scale benchmark's organisation."""

    duration_days: tuple[int, int] = (270, 1100)  # a project's plan: rng.integers(low, high)
    # every project but the new ones reports every week of the window (plans long enough)
    whole_window: bool = False
    risks: tuple[int, int] = (3, 9)  # risks per project's register: rng.integers(low, high)
    # weeks from raised to closed: rng.integers(low, high); None: closed any time up to 12
    # weeks past the window (the sample's)
    risk_life: tuple[int, int] | None = None
    # a closed risk stays in the register this many weeks, then is archived; None: for ever
    closed_kept: int | None = None
    milestones: tuple[str, ...] = tuple(MILESTONES)
    board_decisions: float = 0.3  # chance of a Portfolio Board change decision per project
    # registers (risks, milestones) kept: those of the latest ``weekly_for`` weeks, and every
    # ``register_every``-th week before, counted back from the latest (status reports: all)
    register_every: int = 1
    weekly_for: int = 0
    trajectories: dict[str, float] = field(default_factory=lambda: dict(TRAJECTORIES))

    def keeps(self, week: int, weeks: int) -> bool:
        """Whether week ``week`` (0-based) of ``weeks`` carries a risk and milestone register."""
        back = weeks - 1 - week
        return back < self.weekly_for or back % self.register_every == 0


# The scale benchmark's organisation (bench/bench_scale.py --shape weekly-registers): at 2,000
# projects about 40,000 open risks in the latest register (20 a project: each of ~50 risks lives
# 26 to 104 weeks), 16,000 milestones, 6,000 decisions, a fifth of the projects Red, Amber,
# not reporting or reported Green against their figures. Registers arrive every week; the
# store keeps the latest quarter of them weekly and one a quarter before (``register_every``
# 13, ``weekly_for`` 13): a weekly register of 40,000 risks kept for three years would be six
# million rows to load and hold.
WEEKLY_REGISTERS = Shape(
    duration_days=(1200, 3600),
    whole_window=True,
    risks=(44, 62),
    risk_life=(26, 105),
    closed_kept=4,
    milestones=tuple(MILESTONES_8),
    board_decisions=0.4,
    register_every=13,
    weekly_for=13,
    trajectories={
        "steady": 0.68,
        "slipping": 0.12,
        "recovering": 0.10,
        "watermelon": 0.04,
        "stops_reporting": 0.03,
        "new": 0.03,
    },
)
SAMPLE_SHAPE = Shape()


def manager_email(name: str) -> str:
    """The sample manager's address: "Grace O'Neill" -> grace.oneill@example.org (a reserved
    domain, so a demo that really sends mail reaches no one)."""
    local = ".".join("".join(c for c in part if c.isalnum()) for part in name.lower().split())
    return f"{local}@example.org"


def _trajectories(
    n: int, rng: np.random.Generator, shares: dict[str, float] = TRAJECTORIES
) -> list[str]:
    counts = {k: round(share * n) for k, share in shares.items()}
    counts["steady"] += n - sum(counts.values())
    return [str(k) for k in rng.permutation([k for k, c in counts.items() for _ in range(c)])]


@dataclass(frozen=True)
class SamplePortfolio:
    projects: pd.DataFrame
    status_reports: pd.DataFrame
    risks: pd.DataFrame
    milestones: pd.DataFrame
    decisions: pd.DataFrame
    raid_items: pd.DataFrame
    benefits: pd.DataFrame

    def tables(self) -> dict[str, pd.DataFrame]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


# The long-names portfolio: real portfolios carry names of 40+ characters, and every chart,
# table and slide must stay readable with them (tests render it; `seed --long-names` loads it).
LONG_PORTFOLIO = " — Group-wide Change Portfolio"
LONG_PROGRAMME = " Programme for Enterprise Transformation"
LONG_PROJECT = " — Implementation Workstream"


def with_long_names(sample: SamplePortfolio) -> SamplePortfolio:
    """The same portfolio, with every portfolio, programme and project name over 40 characters."""
    projects = sample.projects.assign(
        portfolio=sample.projects["portfolio"] + LONG_PORTFOLIO,
        programme=sample.projects["programme"] + LONG_PROGRAMME,
        name=sample.projects["name"] + LONG_PROJECT,
    )
    return SamplePortfolio(**{**sample.tables(), "projects": projects})


def report_dates(weeks: int = WEEKS, last: pd.Timestamp = LAST_REPORT) -> list[pd.Timestamp]:
    return [last - pd.Timedelta(weeks=weeks - 1 - i) for i in range(weeks)]


def _five_point(spi: float, cpi: float) -> str:
    worst = min(spi, cpi)
    if worst >= 0.97:
        return "Green"
    if worst >= 0.93:
        return "Amber/Green"
    if worst >= 0.88:
        return "Amber"
    if worst >= 0.83:
        return "Amber/Red"
    return "Red"


def _three_point(x: float) -> str:
    return "Green" if x >= 0.95 else "Amber" if x >= 0.87 else "Red"


def _curve(kind: str, t: float, severity: float) -> tuple[float, float]:
    """The SPI and CPI trend at t (0..1 through the reporting window) for a trajectory.

    PMs rate against the trend; the week-to-week noise only shows in the EV and AC figures.
    """
    if kind == "slipping":
        spi, cpi = 1.0 - severity * t, 1.0 - 0.7 * severity * t
    elif kind == "recovering":
        spi, cpi = 0.8 + 0.21 * t, 0.86 + 0.16 * t
    elif kind == "watermelon":
        spi, cpi = 0.86 - 0.08 * t, 0.88 - 0.06 * t
    else:  # steady projects run slightly ahead on cost, as healthy ones do
        spi, cpi = 1.01, 1.03
    return spi, cpi


def _amber_weeks(rng: np.random.Generator, weeks: int, chance: float) -> set[int]:
    """A run of weeks in which a softer dimension (scope, resource) is reported Amber."""
    if rng.random() >= chance:
        return set()
    first = int(rng.integers(0, weeks - 2))
    return set(range(first, first + int(rng.integers(2, 7))))


def generate(
    seed: int = SEED, n_projects: int = 60, weeks: int = WEEKS, shape: Shape = SAMPLE_SHAPE
) -> SamplePortfolio:
    rng = np.random.default_rng(seed)
    dates = report_dates(weeks)
    programmes = [(p, g) for p, gs in PORTFOLIOS.items() for g in gs]

    projects, reports, risks, milestones, decisions, raid = [], [], [], [], [], []
    names: set[str] = set()
    kinds = _trajectories(n_projects, rng, shape.trajectories)
    for i in range(n_projects):
        pid = f"PRJ-{i + 1:04d}"
        portfolio, programme = programmes[i % len(programmes)]
        name = f"{NOUNS[i % len(NOUNS)]} {PHASES[(i // len(NOUNS)) % len(PHASES)]}"
        while name in names:
            name += " II"
        names.add(name)
        kind = kinds[i]
        # A plan (9 months to 3 years in the sample), and how far through it the project is at
        # the last report: every project is still in flight.
        duration = int(rng.integers(*shape.duration_days))
        if kind == "new":
            start = dates[int(rng.integers(8, weeks - 4))] - pd.Timedelta(days=3)
        else:
            # at least 120 days in; with ``whole_window``, in flight since the first report
            since = 7 * (weeks - 1) + 3 if shape.whole_window else 120
            progress = rng.uniform(max(0.1, since / duration), 0.95)
            start = dates[-1] - pd.Timedelta(days=int(progress * duration))
        elapsed = (dates[-1] - start).days
        end = start + pd.Timedelta(days=duration)
        stage = _stage(kind, elapsed / duration)
        budget = float(round(np.exp(rng.normal(14.8, 0.8)), -3))  # median about 2.7m
        contingency = round(budget * float(rng.uniform(0.05, 0.15)), -3)
        manager = MANAGERS[int(rng.integers(len(MANAGERS)))]
        sponsor = SPONSORS[i % len(SPONSORS)]
        projects.append(
            {
                "project_id": pid,
                "name": name,
                "portfolio": portfolio,
                "programme": programme,
                "department": DEPARTMENTS[int(rng.integers(len(DEPARTMENTS)))],
                "sponsor": sponsor,
                "manager": manager,
                "stage": stage,
                "priority": str(rng.choice(["High", "Medium", "Low"], p=[0.3, 0.5, 0.2])),
                "strategic_score": round(float(rng.uniform(2, 10)), 1),
                "value_score": round(float(rng.uniform(2, 10)), 1),
                "budget": budget,
                "currency": "GBP",
                "contingency": contingency,
                "start_date": start,
                "end_date": end,
                "forecast_end_date": end,  # updated below to the last forecast
                "benefits_planned": round(budget * float(rng.uniform(1.2, 3.0)), -3),
                "manager_email": manager_email(manager),
            }
        )
        # Some portfolios report five-point delivery confidence, others plain RAG.
        five_point = portfolio in ("Digital & Technology", "Corporate & Compliance")
        stop_after = int(rng.integers(weeks - 6, weeks - 3)) if kind == "stops_reporting" else None
        severity = float(rng.uniform(0.06, 0.26))  # how far a slipping project falls
        scope_amber = _amber_weeks(rng, weeks, 0.25)
        resource_amber = _amber_weeks(rng, weeks, 0.35)
        ms_plan = _milestone_plan(pid, start, end, shape.milestones)
        project_risks = _risk_plan(pid, budget, start, dates, rng, shape)
        forecast_end = end
        ev = 0.0
        for w, d in enumerate(dates):
            if d < start or (stop_after is not None and w > stop_after):
                continue
            t = w / (weeks - 1)
            spi, cpi = _curve(kind, t, severity)
            noise = rng.normal(0, 0.012, 2)
            planned = float(np.clip((d - start).days / duration, 0, 1))
            pv = round(budget * planned, 0)
            # earned value never goes down
            ev = max(ev, round(min(budget, pv * float(np.clip(spi + noise[0], 0.6, 1.15))), 0))
            ac = round(ev / float(np.clip(cpi + noise[1], 0.6, 1.15)), 0)
            remaining = max(0.0, (end - d).days)
            slip = int((1 / spi - 1) * remaining * 0.5) if spi < 0.97 else 0
            forecast_end = end + pd.Timedelta(days=slip)
            if kind == "watermelon":
                label, sched, cost = "Green", "Green", "Green"
            else:
                label = _five_point(spi, cpi) if five_point else _three_point(min(spi, cpi))
                sched, cost = _three_point(spi), _three_point(cpi)
            overall = {"Amber/Green": "Amber", "Amber/Red": "Red"}.get(label, label)
            asks = (
                f"Approve change request CR-{int(rng.integers(100, 999))} "
                f"(+£{int(budget * 0.04 / 1000)}k, {slip} days)"
                if overall == "Red" and rng.random() < 0.5
                else None
            )
            reports.append(
                {
                    "project_id": pid,
                    "report_date": d,
                    "overall_rag": overall,
                    "schedule_rag": sched,
                    "cost_rag": cost,
                    "scope_rag": "Amber" if w in scope_amber else "Green",
                    "resource_rag": "Amber" if w in resource_amber else "Green",
                    "rag_label": label,
                    "percent_complete": round(100 * ev / budget, 1),
                    "planned_value": pv,
                    "earned_value": ev,
                    "actual_cost": ac,
                    "forecast_end_date": forecast_end,
                    "summary": _summary(kind, spi, cpi, slip),
                    "next_steps": "Complete sprint reviews; update plan with supplier dates.",
                    "decisions_needed": asks,
                    "reported_by": manager,
                }
            )
            if shape.keeps(w, weeks):
                milestones += _milestone_snapshot(ms_plan, d, slip)
                risks += _risk_snapshot(project_risks, d, w, rng, shape.closed_kept)
        projects[-1]["forecast_end_date"] = forecast_end
        decisions += _decisions(pid, start, ms_plan, dates[-1], sponsor, rng, shape.board_decisions)
        raid += _raid(pid, manager, start, rng)

    sample = SamplePortfolio(
        projects=pd.DataFrame(projects),
        status_reports=pd.DataFrame(reports),
        risks=pd.DataFrame(risks),
        milestones=pd.DataFrame(milestones),
        decisions=pd.DataFrame(decisions),
        raid_items=pd.DataFrame(raid),
        benefits=_benefits(pd.DataFrame(projects), dates, seed),
    )
    _add_quirks(sample, dates)
    return sample


# Benefits a change portfolio promises: title, category, measure, baseline and target per year.
BENEFITS = [
    ("Fewer calls to the service desk", "Efficiency", "calls per week", 1200.0, 800.0),
    ("Faster case handling", "Efficiency", "days per case", 12.0, 7.0),
    ("Licence savings", "Cashable", "GBP per year", 0.0, 250_000.0),
    ("Higher customer satisfaction", "Quality", "CSAT %", 71.0, 80.0),
    ("Fewer manual errors", "Quality", "errors per month", 40.0, 10.0),
]


def _benefits(projects: pd.DataFrame, dates: list[pd.Timestamp], seed: int) -> pd.DataFrame:
    """A benefits register per project, reported every four weeks and on the last week: each
    benefit moves from its baseline towards its target as the project delivers. Its own random
    stream, so the other tables are the same with or without it."""
    rng = np.random.default_rng(seed + 26)
    weeks = [w for w in range(len(dates)) if w % 4 == 3 or w == len(dates) - 1]
    rows = []
    for pid, end, manager in zip(
        projects["project_id"], projects["end_date"], projects["manager"], strict=True
    ):
        picks = rng.choice(len(BENEFITS), size=2, replace=False)
        due = pd.Timestamp(end) + pd.Timedelta(days=int(rng.integers(90, 365)))
        drift = float(rng.uniform(0.7, 1.05))  # forecast share of the target gap
        for k, b in enumerate(picks):
            title, category, measure, base, target = BENEFITS[int(b)]
            for w in weeks:
                done = (w + 1) / len(dates)
                gap = target - base
                rows.append(
                    {
                        "project_id": pid,
                        "benefit_id": f"B{k + 1:02d}",
                        "report_date": dates[w],
                        "title": title,
                        "owner": manager,
                        "category": category,
                        "measure": measure,
                        "baseline": base,
                        "target": target,
                        "forecast": round(base + gap * drift, 1),
                        "realised": round(base + gap * drift * max(0.0, done - 0.5), 1),
                        "due_date": due,
                    }
                )
    return pd.DataFrame(rows)


def _add_quirks(sample: SamplePortfolio, dates: list[pd.Timestamp]) -> None:
    """What real returns contain, so the quality and change views have something true to say:
    two re-baselines (one approved, one never decided), a missing narrative, a correction."""
    last = sample.status_reports[sample.status_reports["report_date"] == dates[-1]]
    laggards = last.assign(spi=last["earned_value"] / last["planned_value"]).nsmallest(2, "spi")
    ms, dec = sample.milestones, sample.decisions
    for (pid, week), decided in zip(
        zip(laggards["project_id"], (18, 21), strict=True), (True, False), strict=True
    ):
        # Milestones still open at the re-baseline move, in that snapshot and every later one.
        at_week = ms[(ms["project_id"] == pid) & (ms["report_date"] == dates[week])]
        still_open = at_week.loc[at_week["actual_date"].isna(), "milestone_id"]
        moved = (ms["project_id"] == pid) & (ms["report_date"] >= dates[week])
        moved &= ms["milestone_id"].isin(still_open)
        ms.loc[moved, "baseline_date"] += pd.Timedelta(days=42)
        ms.loc[moved, "forecast_date"] += pd.Timedelta(days=42)
        if decided:
            dec.loc[len(dec)] = {
                "project_id": pid,
                "decision_id": "D9",
                "forum": "Portfolio Board",
                "decision_date": dates[week] - pd.Timedelta(days=2),
                "decision": "approved",
                "rationale": "Re-baseline approved: +6 weeks after a supplier delivery slipped.",
                "decided_by": "Portfolio Board",
            }
    sr = sample.status_reports
    quiet = (sr["project_id"] == "PRJ-0007") & (sr["report_date"] >= dates[-2])
    sr.loc[quiet, ["summary", "next_steps"]] = None
    corrected = (sr["project_id"] == "PRJ-0011") & (sr["report_date"] == dates[22])
    sr.loc[corrected, "earned_value"] = (sr.loc[corrected, "earned_value"] * 0.9).round(0)
    sr.loc[corrected, "percent_complete"] = (sr.loc[corrected, "percent_complete"] * 0.9).round(1)


def _summary(kind: str, spi: float, cpi: float, slip: int) -> str:
    if kind == "watermelon":
        return "All workstreams progressing; team confident of delivery."
    if spi < 0.9:
        return f"Behind plan (SPI {spi:.2f}); go-live {slip} days late. Recovery plan drafted."
    if cpi < 0.9:
        return f"Costs running ahead of value earned (CPI {cpi:.2f}); reviewing supplier spend."
    return "On track against baseline; no escalations this week."


def _milestone_plan(pid, start, end, names) -> list[dict]:
    span = (end - start).days
    plan = []
    for k, n in enumerate(names):
        baseline = start + pd.Timedelta(days=int(span * (k + 0.5) / len(names)))
        plan.append(
            {
                "project_id": pid,
                "milestone_id": f"M{k + 1}",
                "name": n,
                "baseline_date": baseline,
                "is_gate": n.startswith("Gate"),
                "weight": (k + 1) / len(names),  # later milestones feel more of the slip
            }
        )
    return plan


def _milestone_snapshot(plan, d, slip) -> list[dict]:
    rows = []
    for m in plan:
        forecast = m["baseline_date"] + pd.Timedelta(days=int(slip * m["weight"]))
        done = forecast <= d
        rows.append(
            {
                "project_id": m["project_id"],
                "milestone_id": m["milestone_id"],
                "report_date": d,
                "name": m["name"],
                "baseline_date": m["baseline_date"],
                "forecast_date": forecast,
                "actual_date": forecast if done else pd.NaT,
                "status": "Complete"
                if done
                else ("Late" if forecast > m["baseline_date"] else "On track"),
                "is_gate": m["is_gate"],
            }
        )
    return rows


def _risk_plan(pid, budget, start, dates, rng, shape: Shape) -> list[dict]:
    plan = []
    for k in range(int(rng.integers(*shape.risks))):
        category = str(rng.choice(list(RISK_TITLES)))
        title = str(rng.choice(RISK_TITLES[category]))
        likelihood, impact = int(rng.integers(1, 6)), int(rng.integers(1, 6))
        raised_week = 0 if k < 3 else int(rng.integers(1, len(dates)))
        plan.append(
            {
                "project_id": pid,
                "risk_id": f"R{k + 1:03d}",
                "title": title,
                "description": f"{title}; could affect delivery of {pid}.",
                "category": category,
                "owner": MANAGERS[int(rng.integers(len(MANAGERS)))],
                "likelihood": likelihood,
                "impact": impact,
                "residual_likelihood": max(1, likelihood - int(rng.integers(0, 3))),
                "residual_impact": max(1, impact - int(rng.integers(0, 2))),
                "cost_impact": round(budget * float(rng.uniform(0.005, 0.06)), -3),
                "response": str(rng.choice(RESPONSES)),
                "raised_week": raised_week,
                "raised_date": max(start, dates[raised_week] - pd.Timedelta(days=2)),
                "close_week": int(rng.integers(raised_week + 4, len(dates) + 12))
                if shape.risk_life is None
                else raised_week + int(rng.integers(*shape.risk_life)),
                "due_date": dates[raised_week] + pd.Timedelta(days=int(rng.integers(30, 300))),
                "opportunity": False,  # the sample's risks are all threats
            }
        )
    return plan


def _risk_snapshot(plan, d, w, rng, closed_kept: int | None = None) -> list[dict]:
    rows = []
    for r in plan:
        if w < r["raised_week"]:
            continue
        if closed_kept is not None and w >= r["close_week"] + closed_kept:
            continue  # archived: out of the register
        # Scores drift occasionally so the register is alive from week to week.
        if rng.random() < 0.05:
            r["likelihood"] = int(np.clip(r["likelihood"] + rng.choice([-1, 1]), 1, 5))
            r["residual_likelihood"] = min(r["residual_likelihood"], r["likelihood"])
        row = {k: v for k, v in r.items() if k not in ("raised_week", "close_week")}
        row["status"] = "Closed" if w >= r["close_week"] else "Open"
        row["report_date"] = d
        rows.append(row)
    return rows


def _stage(kind: str, progress: float) -> str:
    """Stage from planned progress at the last report; Gate 2 (at 25 %) opens execution."""
    if kind == "new":
        return "Initiation"
    if progress < 0.25:
        return "Planning"
    return "Closing" if progress > 0.85 else "Execution"


GATE_VERDICTS = {
    "go": "Plan and costs approved; funding released for the next stage.",
    "recycle": "Evidence incomplete; resubmit with updated costs.",
    "hold": "Paused pending budget review.",
}


def _decisions(pid, start, plan, last_report, sponsor, rng, board: float = 0.3) -> list[dict]:
    rows = [
        {
            "project_id": pid,
            "decision_id": "D1",
            "forum": "Gate 1",
            "decision_date": start - pd.Timedelta(days=14),
            "decision": "go",
            "rationale": "Business case approved; strategic fit confirmed.",
            "decided_by": "Investment Committee",
        }
    ]
    # Later gates are decided at (or just before) their milestone; a few are never recorded,
    # which the governance page reports as overdue or as executing without approval.
    for m in plan:
        gate = m["name"].split(":")[0]
        if not m["is_gate"] or gate == "Gate 1" or m["baseline_date"] > last_report:
            continue
        if rng.random() < 0.05:
            continue
        verdict = str(rng.choice(list(GATE_VERDICTS), p=[0.94, 0.04, 0.02]))
        rows.append(
            {
                "project_id": pid,
                "decision_id": f"D{len(rows) + 1}",
                "forum": gate,
                "decision_date": m["baseline_date"] - pd.Timedelta(days=int(rng.integers(0, 6))),
                "decision": verdict,
                "rationale": GATE_VERDICTS[verdict],
                "decided_by": sponsor if gate == "Gate 2" else "Investment Committee",
            }
        )
    if rng.random() < board:
        rows.append(
            {
                "project_id": pid,
                "decision_id": f"D{len(rows) + 1}",
                "forum": "Portfolio Board",
                "decision_date": start + pd.Timedelta(days=int(rng.integers(90, 200))),
                "decision": str(rng.choice(["approved", "deferred", "rejected"])),
                "rationale": "Change request reviewed against contingency.",
                "decided_by": "Portfolio Board",
            }
        )
    return rows


def _raid(pid, manager, start, rng) -> list[dict]:
    texts = {
        "assumption": "Supplier resources available from next quarter.",
        "issue": "Test environment unavailable for two weeks.",
        "dependency": "Needs the identity platform upgrade to go live first.",
        "action": "Confirm data-migration approach with architecture board.",
    }
    rows = []
    for k in range(int(rng.integers(2, 7))):
        kind = str(rng.choice(list(texts)))
        raised = start + pd.Timedelta(days=int(rng.integers(0, 200)))
        rows.append(
            {
                "project_id": pid,
                "item_id": f"{kind[0].upper()}{k + 1:02d}",
                "type": kind,
                "description": texts[kind],
                "owner": manager,
                "status": str(rng.choice(["Open", "Open", "Closed"])),
                "priority": str(rng.choice(["High", "Medium", "Low"])),
                "raised_date": raised,
                "due_date": raised + pd.Timedelta(days=int(rng.integers(14, 60))),
            }
        )
    return rows
