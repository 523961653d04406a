"""Thresholds and mappings, read once from one TOML file (``pmo_lens.toml`` or ``$PMO_CONFIG``).

Defaults live in the dataclasses below and equal the ones in ``../shared/DESIGN.md``; the TOML
file only overrides. Nothing here imports streamlit.
"""

from __future__ import annotations

import math
import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from functools import lru_cache
from pathlib import Path

from vocabulary.fields import ALL_FIELDS
from vocabulary.roles import ROLES, principal

ROOT = Path(__file__).resolve().parent
DEFAULT_CONFIG_PATH = ROOT / "pmo_lens.toml"

DEFAULT_RAG_LABELS: dict[str, str] = {
    "green": "Green",
    "g": "Green",
    "on track": "Green",
    "on-track": "Green",
    "complete": "Green",
    "completed": "Green",
    # Five-point delivery confidence collapses to three: Amber/Green -> Amber, Amber/Red -> Red.
    "amber/green": "Amber",
    "amber": "Amber",
    "a": "Amber",
    "yellow": "Amber",
    "at risk": "Amber",
    "at-risk": "Amber",
    "amber/red": "Red",
    "red": "Red",
    "r": "Red",
    "off track": "Red",
    "off-track": "Red",
    "critical": "Red",
    "grey": "Grey",
    "gray": "Grey",
    "not rated": "Grey",
    "not reported": "Grey",
    "exempt": "Grey",
    "n/a": "Grey",
    "on hold": "Grey",
}


DEFAULT_RISK_SCALES: dict[str, int] = {
    "rare": 1,
    "unlikely": 2,
    "possible": 3,
    "likely": 4,
    "almost certain": 5,
    "very low": 1,
    "low": 2,
    "medium": 3,
    "med": 3,
    "moderate": 3,
    "high": 4,
    "very high": 5,
    "negligible": 1,
    "insignificant": 1,
    "minor": 2,
    "major": 4,
    "severe": 5,
    "catastrophic": 5,
}


DEFAULT_PLACEHOLDERS: tuple[str, ...] = (
    "not provided", "tbc", "tbd", "n/a", "na", "-", "--", "—", "?", "unknown", "none", "nil",
    "null", "not applicable", "not known", "withheld*", "exempt*", "redacted*",
    "#n/a", "#ref!", "#value!", "#div/0!", "#name?", "#num!", "#null!",
)  # fmt: skip


@dataclass(frozen=True)
class ScheduleRules:
    red_slip_pct: float = 10.0
    red_spi: float = 0.85
    amber_spi: float = 0.95


@dataclass(frozen=True)
class CostRules:
    red_cpi: float = 0.85
    amber_cpi: float = 0.95


@dataclass(frozen=True)
class Staleness:
    cadence_days: int = 7
    grace_days: int = 3


@dataclass(frozen=True)
class RiskRules:
    # band name -> lowest score in the band, in ascending order
    bands: dict[str, int] = field(
        default_factory=lambda: {"low": 1, "medium": 5, "high": 10, "critical": 15}
    )
    # likelihood 1-5 -> probability used for exposure (probability x cost impact)
    probability: dict[str, float] = field(
        default_factory=lambda: {"1": 0.1, "2": 0.3, "3": 0.5, "4": 0.7, "5": 0.9}
    )
    # statuses that mean a risk no longer counts (compared lower-case, trimmed)
    closed_statuses: tuple[str, ...] = ("closed", "retired", "expired", "occurred", "cancelled")
    # word (lower-case, trimmed) -> 1-5, for likelihood and impact given as words; one table for
    # Rare..Almost certain, Very low..Very high and Low/Med/High (Low = 2, High = 4 on five points)
    scales: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_RISK_SCALES))


@dataclass(frozen=True)
class Governance:
    # weights of the governance value score (0-100); they are normalised to sum to 1
    weight_strategic: float = 0.4
    weight_value: float = 0.4
    weight_benefits: float = 0.2
    # benefits points: benefits_planned / budget, full marks at this ratio (3.0 = benefits 3x cost)
    benefits_ratio_full: float = 3.0
    # weights of the execution health score (0-100); normalised over the inputs a project has
    weight_rag: float = 0.2  # RAG by dimension: Green 100, Amber 50, Red 0 points
    weight_spi: float = 0.2
    weight_cpi: float = 0.2
    weight_slip: float = 0.2
    weight_trend: float = 0.2  # SPI/CPI change over the last reports
    # SPI/CPI points run linearly from 0 at index_floor to 100 at index_full, so on plan (1.0)
    # is 75 points and a project ahead of plan scores above one merely on it (no pile at 100)
    index_floor: float = 0.7
    index_full: float = 1.1
    slip_zero_days: int = 60  # worst milestone slip against baseline at or beyond this scores 0
    # trend: mean change of SPI and CPI from the report trend_reports reports back to the last;
    # no change 50 points, +trend_full_change or better 100, -trend_full_change or worse 0
    trend_reports: int = 4
    trend_full_change: float = 0.05
    value_threshold: float = 50.0  # governance value at or above this is "high value"
    health_threshold: float = 70.0  # execution health at or above this is "healthy"
    stage_order: tuple[str, ...] = ("Initiation", "Planning", "Execution", "Closing")
    execution_stages: tuple[str, ...] = ("Execution", "Closing")  # need an approved gate
    execution_gate: str = "Gate 2"  # the gate that approves the baseline and releases execution
    approving_decisions: tuple[str, ...] = ("go", "approved")
    gate_overdue_days: int = 30  # a gate decision is overdue this long after its milestone
    risk_review_days: int = 30  # the risk register must have been reviewed within this window
    # quadrant chart: name this many projects (moved quadrant since the compare date, lowest
    # health, largest budget, in turn); every bubble has its name on hover
    label_count: int = 8
    label_chars: int = 26  # longer names are shortened on the label (full name on hover)


@dataclass(frozen=True)
class Changes:
    milestone_move_days: int = 14  # a milestone forecast move bigger than this is a change
    risk_band: str = "high"  # new and closed risks at or above this band are listed
    end_move_days: int = 14  # a project forecast end move bigger than this is a change
    eac_move_pct: float = 5.0  # an EAC move bigger than this % of budget is a change
    narrative_names: int = 5  # names per narrative sentence before "and N more"


@dataclass(frozen=True)
class Quality:
    cost_overrun_factor: float = 1.5  # actual cost above this x budget is implausible
    # a baseline change counts as approved by a decision dated up to this many days before it
    decision_window_days: int = 14
    # an upload that replaces a stored report and moves EV, AC or the forecast end by more than
    # this % is warned about in the preview and listed as a finding
    overwrite_jump_pct: float = 50.0


@dataclass(frozen=True)
class Ingest:
    max_upload_mb: float = 25.0
    max_uncompressed_mb: float = 300.0  # zip-bomb guard: total uncompressed size
    max_zip_ratio: float = 100.0  # zip-bomb guard: uncompressed / compressed
    date_order: str = "dayfirst"  # default when a date column is still ambiguous
    min_year: int = 1950  # a date outside these years is impossible: its row is skipped
    max_year: int = 2100
    warn_before_year: int = 1990  # a date before this year or after the next loads with a warning
    warn_after_year: int = 2060
    # a report date more than this many weeks from the latest stored review is warned about
    far_report_date_weeks: int = 8
    # Cell texts that mean "no value" in any field (case and spaces ignored; a trailing * matches
    # any text that starts with it). Such a cell loads empty with a warning naming the value.
    placeholders: tuple[str, ...] = DEFAULT_PLACEHOLDERS
    strict: bool = False  # all-or-nothing: refuse the whole file when any row would be skipped
    # Size of one sheet, checked before it is read (an .xlsx from its XML, a CSV while reading):
    # the reader allocates every cell of the used area, so one far-away cell can ask for GBs.
    max_rows: int = 1_000_000
    max_columns: int = 16_384  # Excel's own limit; the cell limit usually binds first
    max_cells: int = 10_000_000  # rows x columns of the used area, from A1
    # Text limits, the same on every database (a longer value is an error on its row).
    max_id_chars: int = 64
    max_name_chars: int = 300  # and never more than the column holds (portfolio 200, ...)
    max_text_chars: int = 10_000  # summaries, descriptions and other free text
    # Parsing runs in a child process with these hard limits (upload page and CLI).
    parse_memory_mb: int = 1024  # address space of the child, its ~400 MB of libraries included
    parse_cpu_seconds: int = 120
    parse_timeout_seconds: int = 180  # wall clock, start-up included
    # A SQL source is read in such a child too ("Sync now" and the sync command line): a
    # million-row table must fit, and the wall time covers several statement timeouts.
    sync_memory_mb: int = 3072
    sync_cpu_seconds: int = 600
    sync_timeout_seconds: int = 900
    # The command line reads local files (a portfolio's canonical CSVs, years of weekly
    # reports): its own size limit, and its parser gets more memory and time per MB of file.
    cli_max_file_mb: float = 500.0
    cli_parse_memory_per_mb: float = 32.0  # added to parse_memory_mb (a CSV needs ~30x its size)
    cli_parse_seconds_per_mb: float = 1.0  # added to parse_cpu_seconds and parse_timeout_seconds


@dataclass(frozen=True)
class Money:
    currency: str = "GBP"  # the portfolio's currency: money with no symbol or code is in it
    # currency -> how many units of ``currency`` one unit of it is worth (USD = 0.79). Totals
    # convert with these; a currency without a rate is totalled on its own, never added in.
    rates: dict[str, float] = field(default_factory=dict)
    # a money column without a unit whose median is below this looks like millions or thousands
    # (a portfolio budget of 7.9): the upload asks for the unit
    ask_unit_below: float = 1000.0


@dataclass(frozen=True)
class Access:
    """Sign-in and roles (see access/roles.py). Roles themselves live in the app database."""

    # The e-mail a command line acts as when it is given no --as (scheduled jobs, e.g. a nightly
    # sync). It is granted roles like anyone else; this setting grants nothing by itself.
    service_identity: str = ""
    groups_claim: str = "groups"  # the sign-in claim that lists the user's groups
    # group name (as the provider sends it in that claim) -> viewer, pm, pmo or admin
    groups: dict[str, str] = field(default_factory=dict)
    # Sign-in providers (names as in [auth.NAME] of secrets.toml; "default" for a lone [auth])
    # whose e-mail counts as verified although they send no email_verified claim (Entra ID).
    # Any other provider's e-mail counts only with email_verified = true (boolean).
    trust_email_without_verified_claim: tuple[str, ...] = ()
    # A sign-in lasts this long from the provider's ID token issue time; then sign in again.
    session_hours: float = 12.0
    # Without [auth] the app is the local admin for every visitor, so it serves only on
    # loopback (127.0.0.1, ::1) unless this is true.
    allow_open_local_mode: bool = False


@dataclass(frozen=True)
class Deck:
    # Red projects with a slide each, worst first (EAC variance, then exposure); the other Red
    # projects are one appendix table. 0: the appendix only.
    max_project_slides: int = 8


@dataclass(frozen=True)
class Roadmap:
    # Bar colour of the Roadmap page: the forecast end's slip against the baseline end, in
    # days; a bar is "late up to" the first figure, "late up to" the second, or later than it.
    slip_band_days: tuple[int, ...] = (30, 90)
    # Above this many projects in view the roadmap opens as one summary bar per group (earliest
    # start to latest forecast end, worst RAG, count); a chosen group opens into its projects.
    group_above: int = 60
    # Rows in one roadmap chart: what a 1920x1080 slide holds legibly; a longer group continues
    # in the next chart on the same time axis.
    chart_rows: int = 12
    # Charts of projects drawn on the page at most (the table under them lists every project).
    max_charts: int = 10


@dataclass(frozen=True)
class Mail:
    # The mail server when PMO_SMTP_URL is not set: smtp://host:port (STARTTLS when the URL has a
    # user), smtps://user:pass@host:port (TLS). A password belongs in PMO_SMTP_URL, not here.
    smtp_url: str = ""
    sender: str = "PMO Lens <pmo-lens@localhost>"  # the From of every mail
    # The app's address as PMs open it (https://pmo.example.org): mails link its Upload page.
    # The link carries no secret; the page still asks for sign-in.
    app_url: str = ""


@dataclass(frozen=True)
class Cadence:
    # The update request goes this many days before the review date.
    request_days_before: int = 2
    # Days after the review date (0: the day itself, 1: a day late) on which `python -m cadence
    # remind` sends the reminder to projects still due; each project gets one reminder per review.
    reminder_days_after: tuple[int, ...] = (0, 1)
    # The Upload preview flags a report whose summary is the same text as for this many weeks.
    narrative_unchanged_weeks: int = 4


@dataclass(frozen=True)
class People:
    # A project manager or sponsor with more active projects than this is flagged on People.
    max_active_projects: int = 6
    # ... and one with at least this many Red projects.
    red_projects_flag: int = 2


@dataclass(frozen=True)
class Config:
    schedule: ScheduleRules = field(default_factory=ScheduleRules)
    cost: CostRules = field(default_factory=CostRules)
    staleness: Staleness = field(default_factory=Staleness)
    risk: RiskRules = field(default_factory=RiskRules)
    governance: Governance = field(default_factory=Governance)
    changes: Changes = field(default_factory=Changes)
    quality: Quality = field(default_factory=Quality)
    ingest: Ingest = field(default_factory=Ingest)
    money: Money = field(default_factory=Money)
    access: Access = field(default_factory=Access)
    deck: Deck = field(default_factory=Deck)
    roadmap: Roadmap = field(default_factory=Roadmap)
    mail: Mail = field(default_factory=Mail)
    cadence: Cadence = field(default_factory=Cadence)
    people: People = field(default_factory=People)
    rag_labels: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_RAG_LABELS))
    # canonical field -> the office's own header words for it (``[synonyms]``); they add to the
    # built-in table in data_loaders/fields.py and win over it
    synonyms: dict[str, tuple[str, ...]] = field(default_factory=dict)


def _section(cls, raw: dict | None):
    """Build a section dataclass from a TOML table, refusing unknown keys (typos)."""
    raw = raw or {}
    known = {f.name for f in fields(cls)}
    unknown = set(raw) - known
    if unknown:
        raise ValueError(f"{cls.__name__}: unknown setting(s) {sorted(unknown)}")
    return replace(cls(), **raw)


def parse_config(raw: dict) -> Config:
    labels = dict(DEFAULT_RAG_LABELS)
    labels.update({k.strip().lower(): v for k, v in (raw.get("rag_labels") or {}).items()})
    bad = {k: v for k, v in labels.items() if v not in ("Green", "Amber", "Red", "Grey")}
    if bad:
        raise ValueError(f"rag_labels must map to Green, Amber, Red or Grey: {bad}")
    risk = _section(RiskRules, raw.get("risk"))
    risk = replace(
        risk,
        bands=dict(sorted(risk.bands.items(), key=lambda kv: kv[1])),
        closed_statuses=tuple(s.lower() for s in risk.closed_statuses),
    )
    ingest = _section(Ingest, raw.get("ingest"))
    ingest = replace(
        ingest, placeholders=tuple(str(w).strip().lower() for w in ingest.placeholders)
    )
    return Config(
        schedule=_section(ScheduleRules, raw.get("schedule")),
        cost=_section(CostRules, raw.get("cost")),
        staleness=_section(Staleness, raw.get("staleness")),
        risk=risk,
        governance=_governance(raw.get("governance")),
        changes=_section(Changes, raw.get("changes")),
        quality=_section(Quality, raw.get("quality")),
        ingest=ingest,
        money=_money(raw.get("money")),
        access=_access(raw.get("access")),
        deck=_deck(raw.get("deck")),
        roadmap=_roadmap(raw.get("roadmap")),
        mail=_section(Mail, raw.get("mail")),
        cadence=_cadence(raw.get("cadence")),
        people=_people(raw.get("people")),
        rag_labels=labels,
        synonyms=_synonyms(raw.get("synonyms")),
    )


def _people(raw: dict | None) -> People:
    """``[people]``: load limits that flag a person on the People page."""
    rules = _section(People, raw)
    if rules.max_active_projects < 1 or rules.red_projects_flag < 1:
        raise ValueError("people: max_active_projects and red_projects_flag must be 1 or more")
    return rules


def _cadence(raw: dict | None) -> Cadence:
    """``[cadence]``: a request before the review, reminders on or after it."""
    rules = _section(Cadence, raw)
    days = tuple(int(d) for d in rules.reminder_days_after)
    if rules.narrative_unchanged_weeks < 1:
        raise ValueError("cadence: narrative_unchanged_weeks must be 1 or more")
    if rules.request_days_before < 0 or any(d < 0 for d in days):
        raise ValueError(
            "cadence: request_days_before and reminder_days_after count days before and after "
            "the review date, so neither may be negative"
        )
    return replace(rules, reminder_days_after=tuple(sorted(set(days))))


def _governance(raw: dict | None) -> Governance:
    """``[governance]``, refusing scales that would divide by zero or run backwards."""
    rules = _section(Governance, raw)
    if not rules.index_full > rules.index_floor:
        raise ValueError("governance: index_full must be above index_floor")
    if rules.trend_full_change <= 0 or rules.trend_reports < 1 or rules.slip_zero_days <= 0:
        raise ValueError(
            "governance: trend_full_change, trend_reports and slip_zero_days must be above 0"
        )
    if rules.label_count < 0 or rules.label_chars < 8:
        raise ValueError("governance: label_count must be 0 or more and label_chars 8 or more")
    return rules


def _synonyms(raw: dict | None) -> dict[str, tuple[str, ...]]:
    """``[synonyms] budget = ["Approved envelope"]``: a key that is no field is refused (typo)."""
    raw = raw or {}
    unknown = set(raw) - ALL_FIELDS
    if unknown:
        raise ValueError(
            f"synonyms: unknown field(s) {sorted(unknown)}; fields: {', '.join(sorted(ALL_FIELDS))}"
        )
    out = {}
    for f, words in raw.items():
        words = [words] if isinstance(words, str) else words
        if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
            raise ValueError(f"synonyms: {f} must be a list of header texts")
        out[f] = tuple(w.strip() for w in words if w.strip())
    return out


def _money(raw: dict | None) -> Money:
    money = _section(Money, raw)
    rates = {str(k).upper(): float(v) for k, v in money.rates.items()}
    if any(v <= 0 for v in rates.values()):
        raise ValueError(f"money.rates must be positive: {rates}")
    return replace(money, currency=money.currency.upper(), rates=rates)


def _access(raw: dict | None) -> Access:
    access = _section(Access, raw)
    groups = {str(k): str(v).strip().lower() for k, v in access.groups.items()}
    bad = {k: v for k, v in groups.items() if v not in ROLES}
    if bad:
        raise ValueError(f"access.groups must map to {', '.join(ROLES)}: {bad}")
    service = access.service_identity.strip()
    try:
        service = principal(service) if service else ""
    except ValueError as exc:
        raise ValueError(f"access.service_identity: {exc}") from None
    trusted = access.trust_email_without_verified_claim
    if isinstance(trusted, str) or not all(isinstance(p, str) for p in trusted):
        raise ValueError(
            "access.trust_email_without_verified_claim must be a list of provider names, "
            'e.g. ["microsoft"]'
        )
    hours = access.session_hours
    if isinstance(hours, bool) or not isinstance(hours, int | float) or not hours > 0:
        raise ValueError(f"access.session_hours must be a number of hours above 0: {hours!r}")
    if not isinstance(access.allow_open_local_mode, bool):
        raise ValueError("access.allow_open_local_mode must be true or false")
    return replace(
        access,
        service_identity=service,
        groups=groups,
        trust_email_without_verified_claim=tuple(p.strip() for p in trusted),
        session_hours=float(hours),
    )


def _deck(raw: dict | None) -> Deck:
    deck = _section(Deck, raw)
    limit = deck.max_project_slides
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
        raise ValueError(f"deck.max_project_slides must be a whole number, 0 or more: {limit!r}")
    return deck


def _roadmap(raw: dict | None) -> Roadmap:
    """``[roadmap]``: slip bands in rising order, counts of rows and charts above 0."""
    rules = _section(Roadmap, raw)
    bands = tuple(int(d) for d in rules.slip_band_days)
    if not bands or any(d < 1 for d in bands) or list(bands) != sorted(set(bands)):
        raise ValueError("roadmap: slip_band_days must be whole days above 0, rising: [30, 90]")
    if min(rules.group_above, rules.chart_rows, rules.max_charts) < 1:
        raise ValueError("roadmap: group_above, chart_rows and max_charts must be 1 or more")
    return replace(rules, slip_band_days=bands)


class ConfigError(ValueError):
    """The configuration file cannot be used; the message names the file and what is wrong."""


@lru_cache(maxsize=4)
def _load(path: str) -> Config:
    try:
        with open(path, "rb") as fh:
            return parse_config(tomllib.load(fh))
    except OSError as exc:
        raise ConfigError(f"cannot read the configuration {path}: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"the configuration {path} is not valid TOML: {exc}") from None
    except (TypeError, ValueError) as exc:  # a setting of the wrong kind, or refused above
        raise ConfigError(f"the configuration {path} has a bad setting: {exc}") from None


def get_config() -> Config:
    """The active configuration: ``$PMO_CONFIG`` if set, else ``pmo_lens.toml`` beside the code.

    Raises ``ConfigError`` for a file that cannot be read or used, and for a ``$PMO_CONFIG``
    naming no file: a mistyped path must not silently drop the office's settings.
    """
    chosen = os.environ.get("PMO_CONFIG")
    if chosen and not Path(chosen).is_file():
        raise ConfigError(f"PMO_CONFIG names {chosen}, which is not a file")
    path = chosen or str(DEFAULT_CONFIG_PATH)
    if not Path(path).exists():
        return Config()
    return _load(path)


READ_AHEAD_ENV = "PMO_READ_AHEAD_SECONDS"
READ_AHEAD_SECONDS = 30.0


def read_ahead_seconds() -> float:
    """How often the server looks for a new data version to read ahead (``ui.data``):
    ``$PMO_READ_AHEAD_SECONDS``, default 30; 0 turns reading ahead off. Raises
    ``ConfigError`` for a value that is not a number of seconds (the server refuses to start)."""
    raw = os.environ.get(READ_AHEAD_ENV, "").strip()
    if not raw:
        return READ_AHEAD_SECONDS
    try:
        seconds = float(raw)
    except ValueError:
        seconds = math.nan
    if not (math.isfinite(seconds) and seconds >= 0):
        raise ConfigError(f"{READ_AHEAD_ENV}={raw!r} is not a number of seconds (0 turns it off)")
    return seconds


def for_command_line(config: Config, size_bytes: int) -> Config:
    """``config`` with the command line's limits for a file of ``size_bytes``: ``[ingest]
    cli_max_file_mb`` in place of the browser's ``max_upload_mb``, and the parser's memory and
    time grown by ``cli_parse_memory_per_mb`` and ``cli_parse_seconds_per_mb`` per MB of file."""
    cfg = config.ingest
    mb = size_bytes / 1e6
    more_time = round(cfg.cli_parse_seconds_per_mb * mb)
    ingest = replace(
        cfg,
        max_upload_mb=cfg.cli_max_file_mb,
        parse_memory_mb=cfg.parse_memory_mb + round(cfg.cli_parse_memory_per_mb * mb),
        parse_cpu_seconds=cfg.parse_cpu_seconds + more_time,
        parse_timeout_seconds=cfg.parse_timeout_seconds + more_time,
    )
    return replace(config, ingest=ingest)
