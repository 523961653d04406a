"""SQL source definitions: one TOML file per external database (see ``sources/example_ppm.toml``).

A definition names the database (a SQLAlchemy URL whose secrets come from environment variables
or ``.streamlit/secrets.toml``, never from the file) and, per canonical table, a source table or
query, a column mapping and value mappings. Parsing never connects to anything.

A ``query`` must be one plain SELECT, checked with a SQL parser (sqlglot) in the source's dialect
before anything runs: the read-only transaction alone is not enough, because MySQL and MariaDB
commit implicitly before DDL, which ends a read-only transaction (``DROP TABLE`` would run).
It may call only the functions of ``ALLOWED_FUNCTIONS`` and never read a system catalog: server
functions reach outside the transaction (``dblink_exec`` writes through a new connection,
``pg_terminate_backend`` ends other sessions, ``pg_read_file``/``LOAD_FILE`` read server files,
``pg_sleep`` holds the server). The database user is checked at sync start as well (see
``data_loaders.source_role``); each check holds without the other.
"""

from __future__ import annotations

import logging
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import sqlglot
from sqlglot import exp
from sqlglot.dialects.dialect import Dialect

import models
import redact
from config import ROOT

SOURCE_KEYS = {
    "name",
    "url",
    "description",
    "allow_privileged_user",
    "statement_timeout_seconds",
    "max_rows_per_table",
}
# A query running longer is cancelled by the server itself (statement_timeout, max_statement_time)
DEFAULT_STATEMENT_TIMEOUT_SECONDS = 60
# As many rows as an uploaded sheet may have ([ingest] max_rows): a weekly portfolio of 1,000
# projects over ten years is 520,000 status reports; a million rows still fit the sync worker's
# memory ([ingest] sync_memory_mb).
DEFAULT_MAX_ROWS_PER_TABLE = 1_000_000
TABLE_KEYS = {"table", "query", "columns", "values", "scales"}
_PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_SCHEME = re.compile(r"^([A-Za-z][\w.-]*)(?:\+[\w.-]+)?://")
# SQLAlchemy backend name -> sqlglot dialect, where the names differ
_DIALECTS = {"postgresql": "postgres", "mariadb": "mysql", "mssql": "tsql"}
# Anything that writes, locks, changes the session or runs arbitrary commands. A source query is
# refused when its tree holds any of these anywhere, e.g. WITH x AS (DELETE ... RETURNING *).
_NOT_READING = (
    exp.DML,  # INSERT, UPDATE, DELETE, MERGE
    exp.DDL,  # CREATE, DROP, ALTER ...
    exp.Into,  # SELECT ... INTO new_table / @variable
    exp.Lock,  # FOR UPDATE, FOR SHARE, LOCK IN SHARE MODE
    exp.Command,  # statements sqlglot does not model: CALL, VACUUM, ...
    exp.Set,
    exp.Transaction,
    exp.Commit,
    exp.Rollback,
    exp.Pragma,
    exp.Copy,
    exp.LoadData,
    exp.Use,
    exp.Grant,
    exp.Kill,
    exp.Execute,
    exp.Attach,
    exp.Detach,
    exp.TruncateTable,
)

# The functions a source query may call: aggregates and window functions, casts and conditionals,
# string, date and math functions. Anything else is refused, above all the functions sqlglot does
# not know (exp.Anonymous: dblink_exec, pg_read_file, pg_terminate_backend, pg_sleep, set_config,
# current_setting, lo_import, load_file, sleep, benchmark, get_lock ...). Names not in this
# sqlglot version are skipped.
# fmt: off
_ALLOWED_FUNCTION_NAMES = (
    "Sum", "Avg", "Count", "CountIf", "Min", "Max", "GroupConcat", "ArrayAgg", "AnyValue",
    "Median", "Stddev", "StddevPop", "StddevSamp", "Variance", "VariancePop", "First", "Last",
    "FirstValue", "LastValue", "Lag", "Lead", "NthValue", "Ntile", "Rank", "DenseRank",
    "RowNumber", "PercentRank", "CumeDist", "LogicalAnd", "LogicalOr", "PercentileCont",
    "PercentileDisc", "Grouping", "Cast", "TryCast", "CastToStrType", "Convert", "Coalesce",
    "Nullif", "Case", "If", "Greatest", "Least", "IsNan", "Upper", "Lower", "Initcap", "Trim",
    "Substring", "Left", "Right", "Concat", "ConcatWs", "Length", "Replace", "Pad", "SplitPart",
    "Reverse", "Repeat", "StrPosition", "RegexpLike", "RegexpReplace", "RegexpExtract", "Chr",
    "Ascii", "Unicode", "Format", "Space", "Translate", "MD5", "Round", "Abs", "Floor", "Ceil",
    "Sign", "Sqrt", "Pow", "Ln", "Log", "Exp", "Trunc", "SafeDivide", "CurrentDate",
    "CurrentTimestamp", "CurrentTime", "CurrentDatetime", "Extract", "DateTrunc",
    "TimestampTrunc", "TimeTrunc", "DateAdd", "DateSub", "DateDiff", "TimestampAdd",
    "TimestampSub", "TimestampDiff", "DatetimeAdd", "DatetimeSub", "DatetimeDiff", "TimeToStr",
    "StrToDate", "StrToTime", "TsOrDsToDate", "TsOrDsToTimestamp", "TsOrDsAdd", "TsOrDsDiff",
    "ToChar", "ToNumber", "Date", "Datetime", "Timestamp", "Day", "Month", "Year", "Week",
    "Quarter", "DayOfWeek", "DayOfMonth", "DayOfYear", "WeekOfYear", "LastDay", "MonthsBetween",
    "UnixToTime", "TimeToUnix", "TimeStrToTime", "TimeStrToDate", "DateStrToDate",
    "DateToDateStr", "DateFromParts", "JSONExtract", "JSONExtractScalar", "Exists", "Array",
)
# fmt: on
# Built-in date, string and type functions this sqlglot version does not model (exp.Anonymous),
# by name, unqualified only: ``evil.age()`` is some schema's function, not the built-in.
ALLOWED_ANONYMOUS = {
    "age",
    "make_date",
    "make_timestamp",
    "justify_days",
    "date_part",
    "now",
    "field",
    "substring_index",
    "elt",
    "locate",
    "julianday",
    "printf",
    "datetime",
    "total",
    "typeof",
}  # fmt: skip
ALLOWED_FUNCTIONS = tuple(
    cls
    for cls in (getattr(exp, name, None) for name in _ALLOWED_FUNCTION_NAMES)
    if isinstance(cls, type) and issubclass(cls, exp.Func)
)
# System catalogs: they describe the server (sessions, users, settings, files), never a portfolio.
# A schema with one of these names, or a relation whose name starts with one of the prefixes
# (PostgreSQL resolves pg_stat_activity in pg_catalog without a schema).
CATALOG_SCHEMAS = {
    "pg_catalog",
    "information_schema",
    "pg_toast",
    "mysql",
    "performance_schema",
    "sys",
}
CATALOG_PREFIXES = ("pg_", "sqlite_")
# sqlglot warns on stderr when it falls back to a Command; we refuse those with our own message.
logging.getLogger("sqlglot").setLevel(logging.ERROR)


class SourceError(ValueError):
    """The source definition cannot be used; the message says what to change."""


@dataclass
class TableDef:
    table: str  # canonical table name
    source_table: str | None = None
    query: str | None = None
    columns: dict[str, str] = field(default_factory=dict)  # canonical field -> source column
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # field -> {source: canon}
    scales: dict[str, dict[str, int]] = field(default_factory=dict)  # field -> {source: 1-5}

    @property
    def label(self) -> str:
        """How problems name this table: the source table, or the canonical table's query."""
        return self.source_table or f"{self.table} (query)"


@dataclass
class SourceDef:
    name: str
    path: Path
    url_template: str  # as written in the file, with ${...} placeholders
    description: str = ""
    tables: dict[str, TableDef] = field(default_factory=dict)
    # a database user that can do more than read is refused unless this is set (then a warning)
    allow_privileged_user: bool = False
    statement_timeout_seconds: int = DEFAULT_STATEMENT_TIMEOUT_SECONDS
    max_rows_per_table: int = DEFAULT_MAX_ROWS_PER_TABLE


def sources_dir() -> Path:
    """Where source files live: ``$PMO_SOURCES_DIR`` or ``sources/`` beside the code."""
    return Path(os.environ.get("PMO_SOURCES_DIR") or ROOT / "sources")


def list_sources(folder: Path | None = None) -> list[Path]:
    folder = folder or sources_dir()
    return sorted(folder.glob("*.toml")) if folder.is_dir() else []


def find_source(name_or_path: str) -> Path:
    """A path as given, else ``<sources dir>/<name>.toml``; raises FileNotFoundError."""
    path = Path(name_or_path)
    if path.is_file():
        return path
    candidate = sources_dir() / (
        name_or_path if name_or_path.endswith(".toml") else f"{name_or_path}.toml"
    )
    if candidate.is_file():
        return candidate
    raise FileNotFoundError(f"no source file {name_or_path!r} (looked in {sources_dir()})")


def load_source(path: Path) -> SourceDef:
    """Parse and check a source file; raises SourceError with every mistake found."""
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise SourceError(f"{path.name}: not valid TOML ({exc})") from exc
    errors: list[str] = []
    src = raw.get("source")
    if not isinstance(src, dict):
        raise SourceError(f"{path.name}: a [source] table with name and url is required")
    errors += [f"[source]: unknown key {k!r}" for k in sorted(set(src) - SOURCE_KEYS)]
    url = str(src.get("url") or "")
    if not url:
        errors.append('[source]: url is required, e.g. url = "${PPM_DB_URL}"')
    errors += _literal_secret(url)
    allow = src.get("allow_privileged_user", False)
    if not isinstance(allow, bool):
        errors.append("[source]: allow_privileged_user must be true or false")
    timeout = _positive_int(src, "statement_timeout_seconds", DEFAULT_STATEMENT_TIMEOUT_SECONDS)
    max_rows = _positive_int(src, "max_rows_per_table", DEFAULT_MAX_ROWS_PER_TABLE)
    errors += [v for v in (timeout, max_rows) if isinstance(v, str)]
    unknown = sorted(set(raw) - {"source", "tables"})
    errors += [f"unknown top-level table [{k}]" for k in unknown]
    tables: dict[str, TableDef] = {}
    for name, spec in (raw.get("tables") or {}).items():
        tdef, problems = _table(name, spec)
        errors += problems
        if tdef:
            tables[name] = tdef
    # The dialect is known when the URL's scheme is written in the file or its secret is set;
    # otherwise read_source checks the queries once the URL is resolved, still before connecting.
    dialect = query_dialect(_fill_known(url))
    if dialect is not None:
        errors += query_problems(tables, dialect)
    if not raw.get("tables"):
        errors.append("no [tables.<canonical table>] defined: nothing to read")
    if errors:
        raise SourceError(f"{path.name}: " + "; ".join(errors))
    return SourceDef(
        name=str(src.get("name") or path.stem),
        path=Path(path),
        url_template=url,
        description=str(src.get("description") or ""),
        tables=tables,
        allow_privileged_user=allow is True,
        statement_timeout_seconds=timeout,
        max_rows_per_table=max_rows,
    )


def _positive_int(src: dict, key: str, default: int) -> int | str:
    """The whole number > 0 under ``key`` (``default`` when absent), or the error message."""
    value = src.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        return f"[source]: {key} must be a whole number above 0, e.g. {key} = {default}"
    return value


def _literal_secret(url: str) -> list[str]:
    # Any secret the masking rule would hide (user-part password, ?password=, ?sslpassword=,
    # ?token=...) that is written out rather than a ${NAME} placeholder.
    if any(not _PLACEHOLDER.search(s) for s in redact.secrets_of(url)):
        return [
            "[source]: the url contains a password or another secret; never put secrets in this "
            'file. Write url = "${PPM_DB_URL}" and set the environment variable PPM_DB_URL (or '
            "add PPM_DB_URL under [sources] in .streamlit/secrets.toml)"
        ]
    return []


def _table(name: str, spec) -> tuple[TableDef | None, list[str]]:
    where = f"[tables.{name}]"
    if name not in models.FIELDS:
        return None, [f"{where}: {name!r} is not a canonical table ({', '.join(models.FIELDS)})"]
    if not isinstance(spec, dict):
        return None, [f"{where}: must be a table"]
    errors = [f"{where}: unknown key {k!r}" for k in sorted(set(spec) - TABLE_KEYS)]
    if bool(spec.get("table")) == bool(spec.get("query")):
        errors.append(f'{where}: give exactly one of table = "..." or query = "SELECT ..."')
    if spec.get("table") and is_catalog(*reversed(str(spec["table"]).split("."))):
        errors.append(f"{where}: the table is {_catalog_refusal(str(spec['table']))}")
    fields = models.FIELDS[name]
    columns = {str(k): str(v) for k, v in (spec.get("columns") or {}).items()}
    errors += [
        f"{where}.columns: {k!r} is not a field of {name} (fields: {', '.join(fields)})"
        for k in columns
        if k not in fields
    ]
    values: dict[str, dict[str, str]] = {}
    for fld, mapping in (spec.get("values") or {}).items():
        if fld not in fields:
            errors.append(f"{where}.values: {fld!r} is not a field of {name}")
            continue
        values[fld] = {str(k): str(v) for k, v in mapping.items()}
        if fld.endswith("_rag"):
            bad = sorted({v for v in values[fld].values() if v not in models.RAG_VALUES})
            errors += [f"{where}.values.{fld}: {v!r} is not Green, Amber, Red or Grey" for v in bad]
    scales: dict[str, dict[str, int]] = {}
    for fld, mapping in (spec.get("scales") or {}).items():
        if fld not in fields:
            errors.append(f"{where}.scales: {fld!r} is not a field of {name}")
            continue
        if not all(isinstance(v, int) and 1 <= v <= 5 for v in mapping.values()):
            errors.append(f"{where}.scales.{fld}: every value must be a whole number 1-5")
            continue
        scales[fld] = {str(k): int(v) for k, v in mapping.items()}
    tdef = TableDef(
        table=name,
        source_table=spec.get("table") or None,
        query=spec.get("query") or None,
        columns=columns,
        values=values,
        scales=scales,
    )
    return tdef, errors


# --- queries: one SELECT only -----------------------------------------------------------------


def query_dialect(url: str) -> str | None:
    """The sqlglot dialect for a SQLAlchemy URL ("" = generic SQL), None when it is not known."""
    match = _SCHEME.match(url)
    if not match:
        return None
    backend = match.group(1).lower()
    name = _DIALECTS.get(backend, backend)
    return name if Dialect.get(name) is not None else ""


def check_query(sql: str, dialect: str) -> str | None:
    """Why ``sql`` may not be a source query, or None when it is one plain SELECT (or UNION).

    Parsed in the source's dialect, so strings, quoting and comments split where the server
    splits them; whatever cannot be parsed is refused.
    """
    try:
        tokens = sqlglot.tokenize(sql, read=dialect)
        statements = [s for s in sqlglot.parse(sql, read=dialect) if s is not None]
    except sqlglot.errors.SqlglotError as exc:
        return f"the query could not be parsed as {dialect or 'SQL'} ({_parse_error(exc)})"
    # MySQL and MariaDB run the text of /*! ... */ and /*M! ... */ comments as SQL.
    if any(c.lstrip().startswith(("!", "M!")) for t in tokens for c in t.comments):
        return "the query holds an executable comment (/*! ... */); remove it"
    if len(statements) != 1:
        return f"the query must be one SELECT statement, not {len(statements)} statements"
    root = statements[0]
    while isinstance(root, exp.Subquery):  # (SELECT ...)
        root = root.this
    if not isinstance(root, (exp.Select, exp.SetOperation)):
        return f"the query must be a SELECT, not {_keyword(root)}: a source is only ever read"
    for node in root.walk():
        if isinstance(node, _NOT_READING):
            return (
                f"the query must only read, but it holds {_keyword(node)}: a source is only "
                "ever read"
            )
    return _function_problem(root) or _catalog_problem(root)


def _function_problem(root: exp.Expression) -> str | None:
    for node in root.walk():
        if isinstance(node, exp.SessionParameter):  # @@hostname, @@global.secure_file_priv
            return (
                f"the query reads the server variable {node.sql()}: a source query reads only "
                "your tables"
            )
        if isinstance(node, exp.Func) and not _allowed(node):
            return (
                f"the query calls the function {_function_name(node)}(), which a source query "
                "may not use: only aggregates, casts, CASE/COALESCE/NULLIF and string, date "
                "and math functions are allowed (server functions can write, read files or "
                "stop sessions). Compute it in a view the read-only user may select from"
            )
    return None


def _function_name(node: exp.Func) -> str:
    if not isinstance(node, exp.Anonymous):
        return node.sql_name().lower()
    if isinstance(node.parent, exp.Dot):  # schema.function()
        return f"{node.parent.this.sql()}.{node.name}".lower()
    return node.name.lower()


def _allowed(node: exp.Func) -> bool:
    if isinstance(node, exp.Anonymous):
        return node.name.lower() in ALLOWED_ANONYMOUS and not isinstance(node.parent, exp.Dot)
    return isinstance(node, ALLOWED_FUNCTIONS)


def is_catalog(name: str, schema: str | None = None, catalog: str | None = None) -> bool:
    """Whether a relation is a system catalog (see CATALOG_SCHEMAS and CATALOG_PREFIXES)."""
    if any((part or "").lower() in CATALOG_SCHEMAS for part in (schema, catalog)):
        return True
    return name.lower().startswith(CATALOG_PREFIXES) or name.lower() in CATALOG_SCHEMAS


def _catalog_refusal(name: str) -> str:
    return (
        f"{name}, a system catalog: a source reads only your own tables and views, never the "
        "server's sessions, users, settings or files"
    )


def _catalog_problem(root: exp.Expression) -> str | None:
    for node in root.find_all(exp.Table):
        if is_catalog(node.name, node.db, node.catalog):
            shown = ".".join(p for p in (node.catalog, node.db, node.name) if p)
            return f"the query reads {_catalog_refusal(shown)}"
    return None


def _parse_error(exc: Exception) -> str:
    first = (getattr(exc, "errors", None) or [{}])[0]
    if first.get("description"):
        return f"{first['description']} at line {first.get('line')}, column {first.get('col')}"
    return re.sub(r"\x1b\[[0-9;]*m", "", " ".join(str(exc).split()))[:200]


def _keyword(node: exp.Expression) -> str:
    names = {exp.Into: "SELECT ... INTO", exp.Lock: "a locking clause (FOR UPDATE/SHARE)"}
    for cls, name in names.items():
        if isinstance(node, cls):
            return name
    if isinstance(node, exp.Command):
        return str(node.this).upper()
    return node.key.upper()


def query_problems(tables: dict[str, TableDef], dialect: str) -> list[str]:
    """One message per table whose query is not a single read-only SELECT."""
    out = []
    for name, tdef in tables.items():
        problem = check_query(tdef.query, dialect) if tdef.query else None
        if problem:
            out.append(f"[tables.{name}]: {problem}")
    return out


# --- secrets -------------------------------------------------------------------------------


def secrets_files() -> list[Path]:
    return [Path.cwd() / ".streamlit" / "secrets.toml", ROOT / ".streamlit" / "secrets.toml"]


def _secret(name: str) -> str | None:
    if os.environ.get(name):
        return os.environ[name]
    for path in secrets_files():
        if path.is_file():
            try:
                value = (tomllib.loads(path.read_text(encoding="utf-8")).get("sources") or {}).get(
                    name
                )
            except tomllib.TOMLDecodeError:
                continue
            if value:
                return str(value)
    return None


def _fill_known(url_template: str) -> str:
    """The URL with the secrets that are set filled in (others left as ``${NAME}``)."""
    return _PLACEHOLDER.sub(lambda m: _secret(m.group(1)) or m.group(0), url_template)


def resolve_url(source: SourceDef) -> str:
    """The URL with every ``${NAME}`` replaced; raises SourceError naming a missing secret."""
    missing = [n for n in _PLACEHOLDER.findall(source.url_template) if _secret(n) is None]
    if missing:
        names = ", ".join(missing)
        raise SourceError(
            f"{source.path.name}: {names} is not set: export it as an environment variable or "
            f"add it under [sources] in .streamlit/secrets.toml"
        )
    return _PLACEHOLDER.sub(lambda m: _secret(m.group(1)) or "", source.url_template)


def display_url(url: str) -> str:
    """The URL with its password hidden, for messages and the sources page."""
    return redact.shown_url(url)
