"""Which projects a file would create, and which existing project each one probably means.

A file names projects by id or by name, and PMs type them differently from the database:
``prj-0001``, ``PRJ 0001``, ``CRM Replacment ph1``. Nothing here creates a project: the
upload page and the CLI ask first, and a suggestion is applied only when the PM accepts it.
Pure: no database.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

NAME_CUTOFF = 0.8  # difflib ratio of two normalised names that counts as "probably the same"


@dataclass(frozen=True)
class Suggestion:
    written: str  # the id or name as the file wrote it
    project_id: str  # the existing project it probably means
    name: str

    @property
    def text(self) -> str:
        return f"'{self.written}': did you mean {self.project_id} {self.name}?"


def _key(text: str) -> str:
    """Case, spaces and punctuation ignored: ``PRJ 0001`` and ``prj-0001`` are one key."""
    return re.sub(r"[^0-9a-z]+", "", str(text).lower())


def _digits(text: str) -> str:
    return "".join(re.findall(r"\d+", str(text))).lstrip("0")


def suggest(written: str, name: str | None, known: dict[str, str]) -> Suggestion | None:
    """The existing project that ``written`` (an id or a name) most likely means, or None.

    Ids match only when equal after ignoring case, spaces, punctuation and leading zeros
    (PRJ-0010 is never PRJ-0001); names match on a close spelling (a typo, an abbreviation).
    """
    if not known:  # nothing to suggest (the first load of a portfolio)
        return None
    keys = {_key(p): p for p in known}
    names = {_key(n): p for p, n in known.items() if n}
    for text in (written, name):
        if not text:
            continue
        k = _key(text)
        pid = keys.get(k) or names.get(k)
        if pid:
            return Suggestion(written, pid, known[pid])
        letters, digits = re.sub(r"\d+", "", k), _digits(text)
        for kid, pid in keys.items():
            if digits and digits == _digits(kid) and letters == re.sub(r"\d+", "", kid):
                return Suggestion(written, pid, known[pid])
    for text in (name, written):
        if not text or len(_tokens(text)) < 2:
            continue
        found = [p for p, n in known.items() if n and _same_words(text, n)]
        if len(found) == 1:
            return Suggestion(written, found[0], known[found[0]])
    return None


def _tokens(text: str) -> list[str]:
    return [
        t.lstrip("0") or "0" if t.isdigit() else t for t in re.findall(r"[a-z]+|\d+", text.lower())
    ]


def _token_match(a: str, b: str) -> bool:
    """One word for another: equal, an abbreviation (ph / phase), or a typo in a long word."""
    if a == b:
        return True
    if a.isdigit() or b.isdigit():
        return False
    short, long_ = sorted((a, b), key=len)
    if len(short) >= 2 and long_.startswith(short):
        return True
    return len(short) >= 4 and difflib.SequenceMatcher(None, a, b).ratio() >= NAME_CUTOFF


def _same_words(a: str, b: str) -> bool:
    """Every word of each name matches a word of the other ("CRM Replacment ph1" and
    "CRM Replacement Phase 1"), so "HCITS Transformation" never means "FE Transformation"."""
    ta, tb = _tokens(a), _tokens(b)
    return all(any(_token_match(x, y) for y in tb) for x in ta) and all(
        any(_token_match(y, x) for x in ta) for y in tb
    )


def parse_mapping(text: str) -> tuple[str, str]:
    """``"CRM Replacment ph1=PRJ-0001"`` -> (written, project id); ValueError when malformed."""
    written, sep, pid = text.rpartition("=")
    if not sep or not written.strip() or not pid.strip():
        raise ValueError(f"expected 'NAME OR ID=PROJECT-ID': {text}")
    return written.strip(), pid.strip()
