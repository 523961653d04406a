"""README.md documents every setting, command-line option, page, benchmark and environment
variable the code has (in the spirit of datasette's test_docs.py).

Everything is read from the code itself (the config dataclasses and pmo_lens.toml, the argparse
parsers, app.py, bench/, os.environ lookups), so a new one fails here until the README says
what it does.
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
from data_loaders.cli import build_parser as data_loaders_parser
from exports.__main__ import build_parser as exports_parser
from sample_data.__main__ import build_parser as sample_data_parser
from ui import navigation

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _blocks(text: str) -> list[str]:
    """Paragraphs, list items and tables: a setting is documented where its section is named."""
    return [b for b in re.split(r"\n\s*\n|\n(?=- )|\n(?=#)", text) if b.strip()]


BLOCKS = _blocks(README)


def _settings() -> list[tuple[str, str]]:
    """(section, key) for every setting: config.py's dataclasses and pmo_lens.toml."""
    found = set()
    for section in dataclasses.fields(config.Config):
        default = getattr(config.Config(), section.name)
        if dataclasses.is_dataclass(default):
            found |= {(section.name, f.name) for f in dataclasses.fields(default)}
        else:  # a mapping section such as [rag_labels]: its keys are data, not settings
            found.add((section.name, ""))
    shipped = tomllib.loads((ROOT / "pmo_lens.toml").read_text(encoding="utf-8"))
    for section, table in shipped.items():
        if section == "rag_labels":
            continue
        found |= {(section, key) for key in table}
    return sorted(found)


def _documented(section: str, key: str) -> bool:
    if not key:
        return f"[{section}]" in README
    if f"[{section}] {key}" in README or f"[{section}.{key}]" in README:
        return True
    named = re.compile(rf"`[^`\n]*(?<![\w.]){re.escape(key)}(?![\w.])[^`\n]*`")
    return any(f"[{section}]" in b and named.search(b) for b in BLOCKS)


@pytest.mark.parametrize("section,key", _settings(), ids=lambda v: v or "-")
def test_every_setting_is_documented(section, key):
    assert _documented(section, key), (
        f"README.md does not document [{section}] {key}: mention it as `{key}` in a paragraph, "
        f"list item or table that names [{section}], or as `[{section}] {key}`"
    )


def _commands() -> list[tuple[str, str]]:
    """(command, option) for every subcommand of every CLI; option "" for the command itself."""
    found = []
    for prog, parser in (
        ("python -m access", access_parser()),
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


@pytest.mark.parametrize("command,option", _commands(), ids=lambda v: v or "-")
def test_every_command_and_option_is_documented(command, option):
    if not option:
        assert command in README, f"README.md never shows the command {command!r}"
        return
    assert re.search(rf"{re.escape(option)}(?![\w-])", README), (
        f"README.md does not document {option} of {command!r}"
    )


PAGES = navigation.TITLES


def test_app_pages_are_found():
    assert len(PAGES) >= 9 and "Upload" in PAGES


@pytest.mark.parametrize("title", PAGES)
def test_every_page_is_documented(title):
    heading = re.search(rf"^#+ {re.escape(title)}\b", README, re.MULTILINE)
    assert heading or f"**{title}**" in README, (
        f"README.md has no heading or bold mention of the page {title!r}"
    )


@pytest.mark.parametrize("script", sorted(p.name for p in (ROOT / "bench").glob("*.py")))
def test_every_bench_script_is_documented(script):
    assert f"bench/{script}" in README, f"README.md does not mention bench/{script}"


def _environment_variables() -> list[str]:
    """PMO_* variables the app and its commands read (tests and bench have their own)."""
    names = set()
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT).parts
        if parts[0] in (".venv", "tests", "bench") or parts[0].startswith("."):
            continue
        names |= set(re.findall(r"environ(?:\.get)?[(\[]\s*\"(PMO_\w+)\"", path.read_text()))
    return sorted(names)


@pytest.mark.parametrize("name", _environment_variables())
def test_every_environment_variable_is_documented(name):
    assert f"`{name}`" in README or f"{name}=" in README, f"README.md does not mention {name}"
