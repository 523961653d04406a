"""Header synonyms, field types and sheet kinds: the table a PM can read and extend.

Headers are compared after ``norm()``: lower case, text in brackets dropped (allowed values such
as ``Impact (High/Med/Low)``), punctuation to spaces. ``id`` and ``name`` mean different things
per kind, so the synonym table has a common part and a part per kind.
"""

from __future__ import annotations

import re
import unicodedata
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache

from vocabulary.currencies import MARK as _CUR
from vocabulary.languages import LANGUAGES

KINDS = ["status", "projects", "risks", "milestones", "decisions", "raid", "benefits"]

# Fields that belong on the projects table (the rest of a status row goes to status_reports).
PROJECT_FIELDS = [
    "project_id", "name", "portfolio", "programme", "department", "sponsor", "manager", "stage",
    "priority", "strategic_score", "value_score", "budget", "currency", "contingency",
    "start_date", "end_date", "benefits_planned", "manager_email",
]  # fmt: skip

TYPES: dict[str, str] = {
    **{f: "date" for f in (
        "report_date", "start_date", "end_date", "forecast_end_date", "raised_date", "due_date",
        "baseline_date", "forecast_date", "actual_date", "decision_date",
    )},
    **{f: "money" for f in (
        "budget", "contingency", "benefits_planned", "planned_value", "earned_value",
        "actual_cost", "cost_impact", "_cost_variance",
    )},
    **{f: "number" for f in ("strategic_score", "value_score", "_delay_days", "_planned_days")},
    # a benefit's figures are in its own measure (hours, %, £): numbers, not project money
    **{f: "number" for f in ("baseline", "target", "forecast", "realised")},
    **{f: "rag" for f in (
        "overall_rag", "rag_label", "schedule_rag", "cost_rag", "scope_rag", "resource_rag",
    )},
    **{f: "scale" for f in (
        "likelihood", "impact", "residual_likelihood", "residual_impact",
    )},
    "percent_complete": "percent",
    "project_id": "id", "risk_id": "id", "milestone_id": "id", "decision_id": "id",
    "item_id": "id", "benefit_id": "id", "is_gate": "bool", "opportunity": "bool",
    "decision": "decision",
}  # fmt: skip

_COMMON: dict[str, list[str]] = {
    "project_id": [
        "project id",
        "project no",
        "project number",
        "project ref",
        "project code",
        "project reference",
        "programme id",
        "project key",
        "project identifier",
        "gmpp id",
    ],
    "name": [
        "project name",
        "project",
        "project title",
        "programme name",
        "project programme name",
        "programme project name",
        "initiative",
    ],
    "report_date": [
        "report date",
        "reporting date",
        "data date",
        "status as at",
        "period end",
        "reporting period ending",
        "status date",
        "as of",
        "as at",
        "as of date",
        "snapshot date",
        "week ending",
        "period ending",
        "reporting period end",
    ],
    "portfolio": ["portfolio", "group", "dft group", "business unit", "report category"],
    "programme": ["programme", "program", "investment title", "programme name"],
    "department": ["department", "dept", "agency", "agency name", "directorate", "division"],
    "sponsor": [
        "sponsor",
        "sro",
        "senior responsible owner",
        "senior responsible officer",
        "executive sponsor",
        "project sponsor",
        "sro name",
        "accountable executive",
    ],
    "manager": [
        "project manager",
        "manager",
        "pm",
        "project director",
        "project lead",
        "delivery lead",
        "pd",
        "project manager name",
        "delivery manager",
    ],
    "manager_email": [
        "manager email",
        "project manager email",
        "pm email",
        "pm e mail",
        "manager e mail",
        "project manager e mail",
        "email of project manager",
        "delivery lead email",
    ],
    "stage": [
        "stage",
        "phase",
        "project stage",
        "lifecycle stage",
        "gate",
        "stage gate",
        "current gate",
        "current stage",
        "project phase",
        "lifecycle phase",
    ],
    "priority": ["priority", "project priority"],
    "strategic_score": ["strategic score", "strategic alignment", "alignment score"],
    "value_score": ["value score", "business value"],
    "budget": [
        "budget",
        "bac",
        "total budget",
        "budget at completion",
        "baseline budget",
        "total baseline",
        "approved budget",
        "planned cost",
        "whole life cost",
        "whole life costs",
        "wlc",
        "total whole life cost",
        "baseline whole life cost",
        "total bl",
        "approved funding",
        "sanctioned budget",
        "authorised budget",
        "authorized budget",
        "baseline cost",
        "cost baseline",
        "approved cost",
    ],
    "currency": ["currency", "ccy"],
    "contingency": [
        "contingency",
        "overall contingency",
        "risk contingency",
        "contingency budget",
        "management reserve",
        "risk allowance",
    ],
    "start_date": [
        "start date",
        "start",
        "baseline start",
        "planned start",
        "project start",
        "baseline start date",
        "planned start date",
    ],
    "end_date": [
        "end date",
        "end",
        "baseline end",
        "planned end",
        "finish date",
        "project end",
        "planned finish",
        "baseline finish date",
        "planned end date",
        "baseline end date",
        "planned completion",
        "planned completion date",
        "baseline completion date",
        "completion date",
    ],
    "benefits_planned": [
        "benefits",
        "benefits planned",
        "planned benefits",
        "total baseline benefits",
        "baseline benefits",
        "total benefits",
        "whole life benefits",
        "benefits value",
    ],
    "rag_label": [
        "overall rag",
        "rag",
        "overall status",
        "rag status",
        "status rag",
        "overall",
        "delivery confidence",
        "dca",
        "departmental dca",
        "colour rating",
        "color rating",
        "health",
        "overall health",
        "status",
        "overall rating",
        "delivery confidence assessment",
        "project status",
        "overall dca",
        "dca rating",
        "delivery confidence rating",
        "ipa delivery confidence",
        "ipa rating",
        "overall rag status",
    ],
    "schedule_rag": [
        "schedule",
        "schedule rag",
        "schedule status",
        "time",
        "timeline",
        "sro schedule confidence",
    ],
    "cost_rag": [
        "cost",
        "cost rag",
        "budget rag",
        "budget status",
        "finance",
        "cost status",
        "sro finance confidence",
    ],
    "scope_rag": ["scope", "scope rag", "scope status", "quality"],
    "resource_rag": [
        "resources",
        "resource",
        "resource rag",
        "people",
        "resourcing",
        "overall resource dca now",
    ],
    "percent_complete": [
        "percent complete",
        "complete",
        "progress",
        "percent done",
        "completion",
        "percentage complete",
        "physical percent complete",
        "percent progress",
    ],
    "planned_value": ["pv", "planned value", "bcws", "planned value to date"],
    "earned_value": ["ev", "earned value", "bcwp", "earned value to date"],
    "actual_cost": [
        "ac",
        "actual cost",
        "acwp",
        "actual spend",
        "spend to date",
        "actual cost to date",
        "actuals to date",
        "costs to date",
    ],
    "forecast_end_date": [
        "forecast end",
        "forecast end date",
        "forecast completion",
        "forecast finish",
        "forecast completion date",
        "forecast end date",
        "estimated completion",
        "estimated completion date",
        "expected completion",
        "revised end date",
        "forecast finish date",
    ],
    "summary": [
        "summary",
        "notes",
        "comments",
        "commentary",
        "update",
        "status summary",
        "narrative",
        "key messages",
        "highlights",
        "status comments",
        "rating comment",
        "dca commentary",
        "dca narrative",
        "sro commentary",
        "delivery confidence commentary",
        "departmental dca narrative",
    ],
    "next_steps": ["next steps", "next actions", "next period", "planned next"],
    "decisions_needed": [
        "decisions needed",
        "decisions required",
        "asks",
        "escalations",
        "support needed",
    ],
    "reported_by": ["reported by", "prepared by", "author", "submitted by"],
    "_cost_variance": ["cost variance"],
    "_delay_days": ["project delay", "delay days", "schedule delay", "delay"],
    "_planned_days": ["planned duration"],
}

_PER_KIND: dict[str, dict[str, list[str]]] = {
    "risks": {
        "risk_id": ["risk id", "id", "risk no", "risk number", "ref", "risk ref", "reference"],
        "title": ["risk", "risk title", "title", "risk name", "short description"],
        "description": ["risk description", "description", "risk event", "detail", "cause"],
        "category": ["category", "risk category", "type", "risk type"],
        # "Threat", "Opportunity": read for the opportunity flag (data_loaders.registers)
        "_threat_or_opportunity": [
            "threat opportunity",
            "threat or opportunity",
            "risk or opportunity",
            "risk opportunity",
            "opportunity threat",
        ],
        "owner": [
            "owner",
            "risk owner",
            "responsibility",
            "responsibiliy",
            "responsible",
            "action owner",
        ],
        "status": ["status", "risk status"],
        "likelihood": ["likelihood", "probability", "likelihood score", "l", "chance"],
        "impact": [
            "impact",
            "impact consequence",
            "impact concequence",
            "consequence",
            "impact score",
            "severity",
            "i",
        ],
        "residual_likelihood": [
            "residual likelihood",
            "residual probability",
            "net likelihood",
            "net probability",
            "post mitigation likelihood",
            "target likelihood",
        ],
        "residual_impact": [
            "residual impact",
            "net impact",
            "post mitigation impact",
            "target impact",
            "post mitigation severity",
        ],
        "cost_impact": [
            "cost impact",
            "cost",
            "financial impact",
            "cost of impact",
            "estimated cost",
        ],
        "response": [
            "response",
            "mitigation",
            "mitigation strategy",
            "risk treatment response",
            "treatment",
            "mitigation plan",
            "risk response",
            "actions",
            "mitigating actions",
            "mitigation actions",
            "mitigating action",
            "response plan",
        ],
        "raised_date": ["raised", "raised date", "date raised", "date identified", "identified"],
        "due_date": ["due", "due date", "target date", "review date"],
        "report_date": ["last update", "last updated"],
    },
    "milestones": {
        "milestone_id": ["milestone id", "id", "wbs id", "wbs", "ref", "task id", "milestone no"],
        "name": [
            "milestone",
            "milestone name",
            "name",
            "task name",
            "task",
            "activity",
            "deliverable",
        ],
        "baseline_date": [
            "baseline",
            "baseline date",
            "baseline finish",
            "planned date",
            "planned finish",
            "original baseline",
            "baseline end",
        ],
        "forecast_date": [
            "forecast",
            "forecast date",
            "forecast finish",
            "expected date",
            "revised date",
        ],
        "actual_date": [
            "actual",
            "actual date",
            "actual finish",
            "completed date",
            "date achieved",
        ],
        "status": ["status", "milestone status", "status rag", "rag"],
        "is_gate": ["gate", "is gate", "stage gate"],
    },
    "decisions": {
        "decision_id": ["decision id", "id", "ref", "decision no"],
        "forum": [
            "forum",
            "board",
            "committee",
            "gate",
            "governance forum",
            "approval body",
            "decision forum",
        ],
        "decision_date": ["decision date", "date decided", "date", "approval date"],
        "decision": ["decision", "outcome", "decision outcome"],
        "rationale": ["rationale", "reason", "notes", "comments", "description"],
        "decided_by": ["decided by", "approver", "approved by", "decision maker"],
    },
    "raid": {
        "item_id": ["id", "ref", "item id", "issue id", "reference", "raid id", "no"],
        "type": ["type", "raid type", "item type", "category", "raid category", "log type"],
        "description": [
            "description",
            "issue",
            "issue description",
            "assumption description",
            "dependency description",
            "action description",
            "assumption",
            "dependency",
            "action",
            "details",
            "title",
        ],
        "owner": [
            "owner",
            "action owner",
            "raised by",
            "assigned to",
            "responsible",
            "raid owner",
            "item owner",
            "issue owner",
        ],
        "status": ["status", "issue status", "state"],
        "priority": ["priority", "severity"],
        "raised_date": ["raised", "date raised", "raised date", "date identified", "opened"],
        "due_date": ["due", "due date", "target date", "closure date", "closed date"],
        "decision": ["decision"],
        "decision_date": ["decision date"],
    },
}

_PER_KIND["benefits"] = {
    "benefit_id": [
        "benefit id", "id", "benefit ref", "benefit reference", "ref", "reference", "benefit no",
        "benefit number",
    ],
    "title": [
        "benefit", "benefits", "benefit title", "benefit name", "benefit description",
        "description", "title",
    ],
    "owner": ["owner", "benefit owner", "responsible", "accountable", "benefit lead"],
    "category": ["category", "benefit category", "type", "benefit type", "classification"],
    "measure": [
        "measure", "kpi", "metric", "measurement", "unit of measure", "how measured",
        "measure kpi", "benefit measure", "indicator",
    ],
    "baseline": ["baseline", "baseline value", "current value", "as is value", "starting value"],
    "target": ["target", "target value", "target benefit", "planned benefit", "expected benefit"],
    "forecast": ["forecast", "forecast value", "forecast benefit", "forecast realisation"],
    "realised": [
        "realised", "realized", "realised value", "realized value", "realised to date",
        "realized to date", "actual benefit", "actual value", "benefit realised",
        "benefit realized", "achieved",
    ],
    "due_date": [
        "due date", "due", "target date", "realisation date", "realization date",
        "expected date", "benefit due date",
    ],
}  # fmt: skip

# Words in a sheet name that say what it is.
# Sheets of allowed values behind dropdowns, lookups and definitions: never data.
LIST_SHEETS = ("dropdown", "lookup", "list", "validation", "definition", "reference", "options")
SHEET_HINTS = {
    "risks": ("risk",),
    "milestones": ("milestone", "schedule", "plan", "wbs"),
    "decisions": ("decision",),
    "raid": ("raid", "assumption", "issue", "dependenc", "action", "log"),
    "status": ("status", "report", "rag", "dashboard"),
    "projects": ("portfolio", "project", "master", "register"),
    "benefits": ("benefit",),
}
RAID_TYPES = {"assumption": "assumption", "issue": "issue", "dependenc": "dependency",
              "action": "action", "risk": "risk", "decision": "decision"}  # fmt: skip

_STRIP = re.compile(
    r"\bin\b\s*(?="
    + _CUR
    + r"|millions?|thousands?|billions?)|"
    + _CUR
    + r"\s*'?\s*(?:m|k|bn|000s?)?\b|\bbillions?\b|\bmillions?\b|\bthousands?\b|'000|\b000s?\b"
    r"|\bmn\b|\bbn\b|\(\s*(?:m|mm|k)\s*\)"
    # other languages: "in Mio. €", "TEUR", "k€", "x1000", "mil. kn", "in thousands of euros"
    r"|\bin\s+(?=mio|mrd|tsd|mln|mil|tys|tis|tausend)"
    r"|\b(?:mio|mrd|mld|tsd|mln|mil|mill|tys|tis)\b\.?|\b[kmt](?:eur|usd|gbp|sek|nok|dkk|chf|pln)\b"
    r"|[kmt]?€|\bx\s*1[ .,']?000\b|\b(?:of\s+)?(?:euros?|dollars?|pounds?)\b|\b(?:kn|kr|zł)(?!\w)",
    re.I,
)


def without_unit(header: str) -> str:
    """``Budget £m`` -> ``Budget``: the words a synonym table can look up."""
    return _STRIP.sub(" ", header)


# Letters that NFKD does not split into a base letter and an accent.
_FOLD = str.maketrans({"ß": "ss", "ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d",
                       "ð": "d", "þ": "th", "ı": "i"})  # fmt: skip


def fold(text: str) -> str:
    """Lower case without accents: ``Descripción`` -> ``descripcion``, ``Šifra`` -> ``sifra``,
    ``Größe`` -> ``grosse``. A header typed with or without its accents means the same."""
    s = unicodedata.normalize("NFKD", text.lower().translate(_FOLD))
    return "".join(c for c in s if not unicodedata.combining(c))


def norm(header: object) -> str:
    s = str(header or "")
    s = re.sub(r"([a-z])([A-Z])", r"\1 \2", s)  # PlannedCost -> Planned Cost
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1 \2", s)  # RAGStatus -> RAG Status
    s = fold(s).replace("%", " percent ")
    s = re.sub(r"\(.*?\)", " ", s)
    s = re.sub(r"[^a-z0-9]+", " ", s)  # project_start_date -> project start date
    return re.sub(r"\s+", " ", s).strip()


def _language_words(kind: str | None) -> dict[str, list[str]]:
    """The other languages' words for a kind of sheet (None: a status or project list): the
    words for any sheet, then the kind's own (``risks:likelihood``)."""
    out: dict[str, list[str]] = {}
    # the kind's own words of every language first: "Responsable" on a risk register is the
    # risk's owner (Spanish), not a project manager (French)
    entries = [(k, f, words) for table in LANGUAGES.values() for key, words in table.items()
               for k, _, f in [key.rpartition(":")] if not k or k == kind]  # fmt: skip
    for k, f, words in sorted(entries, key=lambda e: not e[0]):
        if kind and not k and f == "rag_label" and "status" in _PER_KIND[kind]:
            f = "status"  # "Estado" on a risk register is the risk's status
        if kind and not k and f == "name":
            f = "_project_name"  # "Naziv projekta" on a risk sheet names the project
        out.setdefault(f, []).extend(words)
    return out


def _index(extra: dict[str, list[str]] | None = None, user=(), kind: str | None = None):
    out: dict[str, str] = {}
    # the user's words come first: "Owner" may mean the sponsor in one office
    for field, words in user:
        if extra is None and field not in _COMMON:
            continue  # a risk-only field is not a column of a status sheet
        if extra is not None and field not in extra and field not in _COMMON:
            continue
        for w in words:
            out.setdefault(norm(w), field)
    for table in (extra or {}), _COMMON:
        for field, words in table.items():
            if extra is not None and table is _COMMON and field == "name":
                field = "_project_name"  # on a risk or milestone sheet "Project" names the project
            for w in words:
                out.setdefault(norm(w), field)
    # other languages after English: an English word never changes meaning
    for field, words in _language_words(kind).items():
        for w in words:
            out.setdefault(norm(w), field)
    return out


@lru_cache(maxsize=8)
def _tables(user: tuple[tuple[str, tuple[str, ...]], ...]) -> dict[str, dict[str, str]]:
    return {
        "status": _index(None, user),
        "projects": _index(None, user),
        **{kind: _index(extra, user, kind) for kind, extra in _PER_KIND.items()},
    }


SYNONYMS: dict[str, dict[str, str]] = _tables(())
ALL_FIELDS = frozenset(
    f for words in (_COMMON, *_PER_KIND.values()) for f in words if not f.startswith("_")
)
# The user's own words ([synonyms] in pmo_lens.toml) for the sheet being read: set around one
# parse (``user_synonyms``) so every header lookup of that parse sees them.
_USER: ContextVar[tuple] = ContextVar("user_synonyms", default=())


@contextmanager
def user_synonyms(synonyms: dict[str, tuple[str, ...]]):
    token = _USER.set(tuple(sorted((f, tuple(w)) for f, w in synonyms.items())))
    try:
        yield
    finally:
        _USER.reset(token)


def lookup(kind: str, header: str) -> str | None:
    """The canonical field for a header in a kind of sheet, or None.

    A bilingual header (``Naziv projekta / Project name``, ``Startdatum project    Project
    start date``) is read half by half: the halves that are known decide when they agree."""
    field = _lookup_one(kind, header)
    if field is not None:
        return field
    found = {_lookup_one(kind, half) for half in halves(header)} - {None}
    return found.pop() if len(found) == 1 else None


# A bilingual header: two names split by " / ", " | ", a line break or a run of 3+ spaces.
_HALVES = re.compile(r"\s+[/|]\s+|\s*[\r\n]+\s*|\s{3,}")


def halves(header: object) -> list[str]:
    """The parts of a header that names its column twice, in two languages; [] if one name."""
    parts = [p for p in _HALVES.split(str(header or "").strip()) if p and p.strip()]
    return parts if len(parts) > 1 else []


def language_of(kind: str, header: str) -> str | None:
    """The languages whose word tables know the header ("English" first; "French, Spanish"
    for a word both use), or None."""
    langs = _languages(kind)
    for key in [norm(header), *map(norm, halves(header))]:
        if key in _tables(())[kind] and _english(kind, key):
            return "English"
        if key in langs:
            return ", ".join(langs[key])
    return None


@lru_cache(maxsize=8)
def _languages(kind: str) -> dict[str, list[str]]:
    """Header word (normalised) -> the languages whose table holds it for this kind."""
    out: dict[str, list[str]] = {}
    for lang, table in LANGUAGES.items():
        for key, words in table.items():
            if key.rpartition(":")[0] in ("", kind):
                for w in words:
                    if lang not in (have := out.setdefault(norm(w), [])):
                        have.append(lang)
    return out


def how_read(kind: str, header: str, field: str) -> str | None:
    """A sentence on how a header was read as ``field`` when that took more than an English
    name: another language, a bilingual header (which half decided), CamelCase or snake_case
    words. None for a plain English name, or when the header does not look up to ``field``."""
    if lookup(kind, header) != field:
        return None
    shown = " ".join(str(header).split())
    if _lookup_one(kind, header) is None:  # a half decided
        half = next(h for h in halves(header) if _lookup_one(kind, h) == field)
        lang = language_of(kind, half)
        said = f" ({lang})" if lang and lang != "English" else ""
        return f"'{shown}' read as {field} by its half '{half.strip()}'{said}"
    lang = language_of(kind, header)
    if lang and lang != "English":
        return f"'{shown}' read as {field} ({lang})"
    return None


def header_inferences(kind: str, headers: list[str], fields: list[str | None]) -> list[str]:
    """How the sheet's column names were read, one sentence each (``how_read``); CamelCase and
    snake_case names split into words are said once for the sheet."""
    said, split = [], []
    for h, f in zip(headers, fields, strict=True):
        if not f or "=" in f:
            continue
        if sentence := how_read(kind, h, f):
            said.append(sentence)
        elif re.search(r"[a-z][A-Z]|_", str(h)) and lookup(kind, h) == f:
            split.append(f"'{h}' as '{norm(h)}'")
    if split:
        more = f" and {len(split) - 3} more" if len(split) > 3 else ""
        said.append(f"column names split into words: {', '.join(split[:3])}{more}")
    return said


def _english(kind: str, key: str) -> bool:
    return key in _english_words(kind)


@lru_cache(maxsize=8)
def _english_words(kind: str) -> frozenset[str]:
    tables = [_COMMON] + ([_PER_KIND[kind]] if kind in _PER_KIND else [])
    return frozenset(norm(w) for t in tables for ws in t.values() for w in ws)


def _lookup_one(kind: str, header: str) -> str | None:
    key = norm(header)
    if not key:
        return None
    table = _tables(_USER.get())[kind]
    if key in table:
        return table[key]
    bare = norm(without_unit(str(header)))  # "Budget £m", "Cost ($ millions)"
    if bare and bare != key and TYPES.get(table.get(bare, "")) == "money":
        return table[bare]
    # "Impact Score", "Likelihood Rating": drop a trailing generic word
    for suffix in (" score", " rating", " rag", " date", " text", " value"):
        if key.endswith(suffix) and key[: -len(suffix)] in table:
            field = table[key[: -len(suffix)]]
            if field in ("title", "name", "_project_name", "description"):
                continue  # "Risk Rating" is not the risk's title
            if TYPES.get(field) != "rag" or suffix == " rag":
                return field
    return None


def field_choices(kind: str) -> list[str]:
    """Canonical fields a PM may map a column to on this kind of sheet."""
    return sorted({f for f in SYNONYMS[kind].values() if not f.startswith("_")})
