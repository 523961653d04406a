"""Computed RAG per dimension, with the rule that fired kept beside it.

Defaults (configurable in pmo_lens.toml): schedule Red when slip > 10 % of the planned duration
or SPI < 0.85, Amber when slip > 0 or SPI < 0.95; cost Red when CPI < 0.85 or EAC > budget +
contingency, Amber when CPI < 0.95 or EAC > budget. Overall = worst dimension.
"""

from __future__ import annotations

import math

import pandas as pd

from analytics import money
from config import Config, CostRules, ScheduleRules
from models import RAG_SEVERITY


def _num(x) -> float | None:
    try:
        x = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(x) else x


def _decide(red: list[str], amber: list[str], green: list[str]) -> tuple[str, str]:
    if red:
        return "Red", "; ".join(red)
    if amber:
        return "Amber", "; ".join(amber)
    if green:
        return "Green", "; ".join(green)
    return "Grey", "not computable"


def schedule_rag(spi, slip_days, planned_days, rules: ScheduleRules) -> tuple[str, str]:
    """(RAG, rule) from SPI and slip of the forecast end against the approved baseline end."""
    spi, slip, planned = _num(spi), _num(slip_days), _num(planned_days)
    red, amber, green = [], [], []
    if slip is not None:
        pct = slip / planned * 100 if planned and planned > 0 else None
        if pct is not None and pct > rules.red_slip_pct:
            red.append(
                f"slip {slip:.0f} d = {pct:.1f}% of planned duration > {rules.red_slip_pct:g}%"
            )
        elif slip > 0:
            amber.append(f"slip {slip:.0f} d > 0")
        else:
            green.append("no slip")
    if spi is not None:
        if spi < rules.red_spi:
            red.append(f"SPI {spi:.2f} < {rules.red_spi:g}")
        elif spi < rules.amber_spi:
            amber.append(f"SPI {spi:.2f} < {rules.amber_spi:g}")
        else:
            green.append(f"SPI {spi:.2f} ≥ {rules.amber_spi:g}")
    return _decide(red, amber, green)


def cost_rag(
    cpi, eac, budget, contingency, rules: CostRules, currency: str | None = None
) -> tuple[str, str]:
    """(RAG, rule) from CPI and EAC against budget and budget + contingency; amounts in the
    project's ``currency``."""
    cpi, eac, budget = _num(cpi), _num(eac), _num(budget)
    contingency = _num(contingency) or 0.0
    red, amber, green = [], [], []
    if cpi is not None:
        if cpi < rules.red_cpi:
            red.append(f"CPI {cpi:.2f} < {rules.red_cpi:g}")
        elif cpi < rules.amber_cpi:
            amber.append(f"CPI {cpi:.2f} < {rules.amber_cpi:g}")
        else:
            green.append(f"CPI {cpi:.2f} ≥ {rules.amber_cpi:g}")
    if eac is not None and budget is not None:
        if eac > budget + contingency:
            e, limit = money.pair(eac, budget + contingency, currency)
            red.append(f"EAC {e} > budget + contingency {limit}")
        elif eac > budget:
            e, limit = money.pair(eac, budget, currency)
            amber.append(f"EAC {e} > budget {limit}")
    return _decide(red, amber, green)


def worst(*rags: str | None) -> str:
    """The worst of several RAG values; Grey only when nothing is rated."""
    rated = [r for r in rags if isinstance(r, str) and r in RAG_SEVERITY]
    return max(rated, key=RAG_SEVERITY.__getitem__) if rated else "Grey"


def add_computed_rag(frame: pd.DataFrame, config: Config) -> pd.DataFrame:
    """Add computed schedule/cost/overall RAG, their rules, and the watermelon flag.

    Needs spi, cpi, eac_typical, budget, contingency, start_date, end_date (approved baseline)
    and forecast_end (the latest forecast end date) on each row.
    """
    slip = (frame["forecast_end"] - frame["end_date"]).dt.days
    planned = (frame["end_date"] - frame["start_date"]).dt.days
    sched = [
        schedule_rag(s, d, p, config.schedule)
        for s, d, p in zip(frame["spi"], slip, planned, strict=True)
    ]
    currency = (
        frame["currency"]
        if "currency" in frame
        else pd.Series(None, index=frame.index, dtype=object)
    )
    cost = [
        cost_rag(c, e, b, k, config.cost, ccy)
        for c, e, b, k, ccy in zip(
            frame["cpi"], frame["eac_typical"], frame["budget"], frame["contingency"], currency,
            strict=True,
        )
    ]  # fmt: skip
    out = frame.assign(
        slip_days=slip,
        computed_schedule_rag=[r for r, _ in sched],
        schedule_rule=[w for _, w in sched],
        computed_cost_rag=[r for r, _ in cost],
        cost_rule=[w for _, w in cost],
    )
    out["computed_rag"] = [
        worst(s, c)
        for s, c in zip(out["computed_schedule_rag"], out["computed_cost_rag"], strict=True)
    ]
    out["computed_rule"] = [
        _overall_rule(r, s, sr, c, cr)
        for r, s, sr, c, cr in zip(
            out["computed_rag"],
            out["computed_schedule_rag"],
            out["schedule_rule"],
            out["computed_cost_rag"],
            out["cost_rule"],
            strict=True,
        )
    ]
    out["watermelon"] = (out["overall_rag"] == "Green") & out["computed_rag"].isin(["Amber", "Red"])
    return out


def _overall_rule(overall, sched, sched_rule, cost, cost_rule) -> str:
    parts = []
    if sched == overall:
        parts.append(f"schedule: {sched_rule}")
    if cost == overall:
        parts.append(f"cost: {cost_rule}")
    return f"{overall} (worst dimension) — " + " | ".join(parts) if parts else "not computable"
