"""The docs (README.md and docs/) document every setting, command-line option, page, benchmark
and environment variable the code has (in the spirit of datasette's test_docs.py), and hold
together: a short README that links every page of docs/, and no relative link that leads
nowhere.

Everything is read from the code itself (the config dataclasses and pmo_lens.toml, the argparse
parsers, ui/navigation.py, bench/, os.environ lookups), so a new one fails here until the docs
say what it does:

- a setting: a row ``| `key` | `default` | meaning |`` in the table under ``## [section]`` of
  docs/configuration.md, whose default reads (as TOML) equal to config.py's;
- a command or option: in the ``## python -m …`` section of docs/command-line.md;
- a page: a heading of docs/pages.md, in the menu's order;
- a key of a SQL source file: docs/sql-sources.md;
- a benchmark: docs/testing.md; a PMO_ environment variable: docs/configuration.md.

The checkers are plain functions of a text, and the tests at the end run them on texts with
something removed, so they are known to fail when something is missing.
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import tomllib
from pathlib import Path

import pytest

import config
from access.__main__ import build_parser as access_parser
from cadence.__main__ import build_parser as cadence_parser
from data_loaders.cli import build_parser as data_loaders_parser
from data_loaders.sql_source import SOURCE_KEYS, TABLE_KEYS
from exports.__main__ import build_parser as exports_parser
from sample_data.__main__ import build_parser as sample_data_parser
from ui import navigation

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
README_MAX_LINES = 200


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


README = _read(ROOT / "README.md")
CONFIGURATION = _read(DOCS / "configuration.md")
COMMAND_LINE = _read(DOCS / "command-line.md")
PAGES_DOC = _read(DOCS / "pages.md")
TESTING = _read(DOCS / "testing.md")
SQL_SOURCES = _read(DOCS / "sql-sources.md")
DOC_FILES = sorted(DOCS.glob("*.md"))


# --- Markdown: headings, sections, anchors, links ---------------------------------------------


def _without_code_blocks(text: str) -> str:
    """``text`` with fenced code blocks blanked (lines kept, so line numbers still hold)."""
    out, fenced = [], False
    for line in text.split("\n"):
        if line.lstrip().startswith("```"):
            fenced = not fenced
            out.append("")
        else:
            out.append("" if fenced else line)
    return "\n".join(out)


def _headings(text: str) -> list[tuple[int, str]]:
    """(level, title) of every heading outside code blocks."""
    found = re.findall(r"^(#{1,6}) +(.+?) *#*$", _without_code_blocks(text), re.MULTILINE)
    return [(len(hashes), title) for hashes, title in found]


def slug(title: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", title.strip().lower()).replace(" ", "-")


def anchors(text: str) -> set[str]:
    """Every heading's anchor; a repeated one gets -1, -2 … as on GitHub."""
    seen: dict[str, int] = {}
    out = set()
    for _, title in _headings(text):
        base = slug(title)
        n = seen.get(base, 0)
        out.add(base if n == 0 else f"{base}-{n}")
        seen[base] = n + 1
    return out


def sections(text: str, level: int = 2) -> dict[str, str]:
    """Heading title -> its text (heading included) up to the next heading of ``level`` or
    above. Headings inside code blocks do not count."""
    lines = text.split("\n")
    plain = _without_code_blocks(text).split("\n")
    starts = [
        (i, m.group(2))
        for i, line in enumerate(plain)
        if (m := re.match(r"^(#{1,6}) +(.+?) *#*$", line)) and len(m.group(1)) <= level
    ]
    out = {}
    for n, (i, title) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(lines)
        if re.match(rf"^#{{{level}}} ", plain[i]):
            out[title] = "\n".join(lines[i:end])
    return out


def links(text: str) -> list[str]:
    """Targets of the Markdown links outside code (``[text](target)``)."""
    text = re.sub(r"`[^`\n]*`", "", _without_code_blocks(text))
    return re.findall(r"\]\(([^)\s]+)\)", text)


def broken_links(path: Path, text: str) -> list[str]:
    """The relative links of ``text`` (the file at ``path``) to a file or heading that does not
    exist."""
    broken = []
    for target in links(text):
        if re.match(r"[a-z][a-z0-9+.-]*:", target):  # http:, https:, mailto:
            continue
        file, _, anchor = target.partition("#")
        linked = (path.parent / file).resolve() if file else path
        if not linked.exists():
            broken.append(f"{target} (no file {linked.relative_to(ROOT)})")
            continue
        if anchor and linked.suffix == ".md":
            shown = text if linked == path else _read(linked)
            if anchor not in anchors(shown):
                broken.append(f"{target} (no heading #{anchor} in {linked.name})")
    return broken


# --- Settings ---------------------------------------------------------------------------------


def _settings() -> list[tuple[str, str, object]]:
    """(section, key, default) for every setting: config.py's dataclasses and pmo_lens.toml.
    A mapping section such as [rag_labels] is one entry with key "": its keys are data."""
    found = {}
    defaults = config.Config()
    for section in dataclasses.fields(config.Config):
        value = getattr(defaults, section.name)
        if dataclasses.is_dataclass(value):
            for f in dataclasses.fields(value):
                found[(section.name, f.name)] = getattr(value, f.name)
        else:
            found[(section.name, "")] = None
    shipped = tomllib.loads(_read(ROOT / "pmo_lens.toml"))
    for section, table in shipped.items():
        if (section, "") in found:
            continue
        for key, value in table.items():
            found.setdefault((section, key), value)
    return [(s, k, v) for (s, k), v in sorted(found.items())]


def _plain(value):
    """A default as TOML would read it: tuples as lists, mapping keys as text."""
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def setting_problem(text: str, section: str, key: str, default) -> str | None:
    """Why ``text`` (docs/configuration.md) does not document the setting, or None."""
    body = sections(text).get(f"[{section}]")
    if body is None:
        return f"no heading '## [{section}]'"
    if not key:
        return None
    row = re.search(rf"^\| *`{re.escape(key)}` *\| *`([^`]*)` *\|(.*)\|\s*$", body, re.MULTILINE)
    if row is None:
        return f"no row '| `{key}` | `default` | meaning |' in the table under '## [{section}]'"
    try:
        written = tomllib.loads(f"v = {row.group(1)}")["v"]
    except tomllib.TOMLDecodeError:
        return f"the default of {key}, `{row.group(1)}`, is not a TOML value"
    if written != _plain(default):
        return f"the default of {key} is written `{row.group(1)}`, but config.py has {default!r}"
    if not row.group(2).strip(" |"):
        return f"{key} has no meaning in its row"
    return None


@pytest.mark.parametrize("section,key,default", _settings(), ids=lambda v: str(v)[:20] or "-")
def test_every_setting_is_documented(section, key, default):
    problem = setting_problem(CONFIGURATION, section, key, default)
    assert problem is None, f"docs/configuration.md does not document [{section}] {key}: {problem}"


@pytest.mark.parametrize("key", sorted(SOURCE_KEYS | TABLE_KEYS))
def test_every_key_of_a_source_file_is_documented(key):
    assert f"`{key}`" in SQL_SOURCES, f"docs/sql-sources.md does not name the source key {key}"


# --- Command line -----------------------------------------------------------------------------


def _commands() -> list[tuple[str, str]]:
    """(command, option) for every subcommand of every CLI; option "" for the command itself."""
    found = []
    for prog, parser in (
        ("python -m access", access_parser()),
        ("python -m cadence", cadence_parser()),
        ("python -m data_loaders", data_loaders_parser()),
        ("python -m exports", exports_parser()),
        ("python -m sample_data", sample_data_parser()),
    ):
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        for name, subparser in sub.choices.items():
            command = f"{prog} {name}"
            found.append((command, ""))
            for action in subparser._actions:
                found += [(command, o) for o in action.option_strings if o.startswith("--")]
    return [(c, o) for c, o in found if o != "--help"]


def command_problem(text: str, command: str, option: str) -> str | None:
    """Why ``text`` (docs/command-line.md) does not document ``command`` ``option``, or None.
    They belong in the section whose heading is the longest start of the command
    (``## python -m access`` for ``python -m access grant``)."""
    owners = [t for t in sections(text) if command.startswith(t.strip("`"))]
    if not owners:
        return f"no section '## {command}' (or one for its program)"
    body = sections(text)[max(owners, key=len)]
    if command not in body:
        return f"its section never shows the command {command!r}"
    if option and not re.search(rf"{re.escape(option)}(?![\w-])", body):
        return f"its section does not mention {option}"
    return None


@pytest.mark.parametrize("command,option", _commands(), ids=lambda v: v or "-")
def test_every_command_and_option_is_documented(command, option):
    problem = command_problem(COMMAND_LINE, command, option)
    assert problem is None, f"docs/command-line.md: {command} {option}: {problem}"


# --- Pages, benchmarks, environment variables -------------------------------------------------

PAGES = navigation.TITLES


def test_app_pages_are_found():
    assert len(PAGES) >= 9 and "Upload" in PAGES


def page_headings(text: str) -> list[str]:
    """The level-2 headings of docs/pages.md that are page titles, in their order."""
    return [title for level, title in _headings(text) if level == 2 and title in PAGES]


@pytest.mark.parametrize("title", PAGES)
def test_every_page_is_documented(title):
    assert title in page_headings(PAGES_DOC), f"docs/pages.md has no heading '## {title}'"


def test_pages_are_documented_in_menu_order():
    assert page_headings(PAGES_DOC) == PAGES, "docs/pages.md: one section per page, menu order"


@pytest.mark.parametrize("script", sorted(p.name for p in (ROOT / "bench").glob("*.py")))
def test_every_bench_script_is_documented(script):
    assert f"bench/{script}" in TESTING, f"docs/testing.md does not mention bench/{script}"


def _environment_variables() -> list[str]:
    """PMO_* variables the app and its commands read (tests and bench have their own)."""
    names = set()
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT).parts
        if parts[0] in (".venv", "tests", "bench") or parts[0].startswith("."):
            continue
        names |= set(re.findall(r"environ(?:\.get)?[(\[]\s*\"(PMO_\w+)\"", _read(path)))
    return sorted(names)


def test_environment_variables_are_found():
    assert {"PMO_DATABASE_URL", "PMO_CONFIG"} <= set(_environment_variables())


@pytest.mark.parametrize("name", _environment_variables())
def test_every_environment_variable_is_documented(name):
    assert f"`{name}`" in CONFIGURATION, f"docs/configuration.md does not mention {name}"


# --- README and links -------------------------------------------------------------------------


def test_readme_is_short():
    lines = README.count("\n") + (not README.endswith("\n"))
    assert lines <= README_MAX_LINES, (
        f"README.md has {lines} lines (at most {README_MAX_LINES}): move text into docs/"
    )


def test_readme_starts_with_the_two_commands():
    first = "\n".join(README.split("\n")[:15])
    assert "make run" in first and "make test" in first


@pytest.mark.parametrize("page", [p.name for p in DOC_FILES])
def test_every_docs_page_is_linked_from_the_readme(page):
    targets = {t.partition("#")[0] for t in links(README)}
    assert f"docs/{page}" in targets, f"README.md does not link docs/{page}"


@pytest.mark.parametrize(
    "path", [ROOT / "README.md", *DOC_FILES], ids=lambda p: str(p.relative_to(ROOT))
)
def test_relative_links_resolve(path):
    assert broken_links(path, _read(path)) == []


# --- The checkers fail when something is missing ----------------------------------------------


def test_a_setting_without_its_row_fails():
    row = next(line for line in CONFIGURATION.split("\n") if line.startswith("| `max_project_"))
    assert setting_problem(CONFIGURATION, "deck", "max_project_slides", 8) is None
    without = CONFIGURATION.replace(row + "\n", "")
    assert "no row" in setting_problem(without, "deck", "max_project_slides", 8)


def test_a_setting_with_a_wrong_default_fails():
    assert "config.py has 9" in setting_problem(CONFIGURATION, "deck", "max_project_slides", 9)


def test_a_new_setting_fails_until_documented():
    """A setting added to config.py (here: a made-up one) is not in the docs."""
    problem = setting_problem(CONFIGURATION, "ingest", "max_sheets_per_file", 50)
    assert problem and "no row" in problem
    assert "no heading" in setting_problem(CONFIGURATION, "newsection", "key", 1)


def test_a_new_option_fails_until_documented():
    assert command_problem(COMMAND_LINE, "python -m exports deck", "--quiet") is None
    assert "does not mention" in command_problem(COMMAND_LINE, "python -m exports deck", "--pdf")
    assert "no section" in command_problem(COMMAND_LINE, "python -m reports build", "")
    # an option named only in another command's section does not count
    assert "does not mention" in command_problem(
        COMMAND_LINE, "python -m data_loaders sync", "--fix"
    )


def test_a_missing_page_heading_fails():
    without = PAGES_DOC.replace("\n## Data quality\n", "\n")
    assert "Data quality" not in page_headings(without)


def test_a_broken_link_is_found():
    path = DOCS / "pages.md"
    text = "[a](configuration.md#no-such-heading) [b](nowhere.md) [c](#every-page) [d](https://x)"
    assert len(broken_links(path, text + "\n## Every page\n")) == 2


def test_anchors_are_githubs():
    assert slug("python -m ui.serve") == "python--m-uiserve"
    assert slug("[rag_labels]") == "rag_labels"
    assert slug("SQL sources: run them with a read-only user") == (
        "sql-sources-run-them-with-a-read-only-user"
    )
    assert anchors("# A\n## A\n```\n# not a heading\n```\n") == {"a", "a-1"}
