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
from functools import lru_cache

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
    """The existing project that ``written`` (an id or a name) most likely means, or None
    (``Known(known).suggest``; build ``Known`` once when asking for many)."""
    return Known(known).suggest(written, name)


class Known:
    """The existing projects, indexed once so that asking for each of thousands of new
    projects does not go over every known one again (5,000 new against 5,000 known ran past
    the parse time limit when every question rebuilt the keys and compared every name)."""

    def __init__(self, known: dict[str, str]) -> None:
        self.known = known
        self.keys = {_key(p): p for p in known}
        self.names = {_key(n): p for p, n in known.items() if n}
        self.by_parts: dict[tuple[str, str], str] = {}  # (letters, digits) of an id key
        for kid, pid in self.keys.items():
            self.by_parts.setdefault((re.sub(r"\d+", "", kid), _digits(kid)), pid)
        # names by the numbers in them: a number matches only itself, so a name is compared
        # only with the names that hold the same numbers
        self.words: dict[frozenset[str], list[tuple[str, list[str]]]] = {}
        for p, n in known.items():
            if n:
                tokens = _tokens(n)
                self.words.setdefault(_numbers(tokens), []).append((p, tokens))

    def suggest(self, written: str, name: str | None) -> Suggestion | None:
        """Ids match only when equal after ignoring case, spaces, punctuation and leading
        zeros (PRJ-0010 is never PRJ-0001); names match on a close spelling (a typo, an
        abbreviation)."""
        if not self.known:  # nothing to suggest (the first load of a portfolio)
            return None
        for text in (written, name):
            if not text:
                continue
            k = _key(text)
            pid = self.keys.get(k) or self.names.get(k)
            if pid:
                return self._found(written, pid)
            digits = _digits(text)
            pid = self.by_parts.get((re.sub(r"\d+", "", k), digits)) if digits else None
            if pid:
                return self._found(written, pid)
        for text in (name, written):
            ta = _tokens(text) if text else []
            if len(ta) < 2:
                continue
            same_numbers = self.words.get(_numbers(ta), [])
            found = [p for p, tb in same_numbers if _same_tokens(ta, tb)]
            if len(found) == 1:
                return self._found(written, found[0])
        return None

    def _found(self, written: str, pid: str) -> Suggestion:
        return Suggestion(written, pid, self.known[pid])


def _tokens(text: str) -> list[str]:
    return [
        t.lstrip("0") or "0" if t.isdigit() else t for t in re.findall(r"[a-z]+|\d+", text.lower())
    ]


@lru_cache(maxsize=65536)  # the same words recur in many names ("phase", "programme")
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


def _numbers(tokens: list[str]) -> frozenset[str]:
    return frozenset(t for t in tokens if t.isdigit())


def _same_tokens(ta: list[str], tb: list[str]) -> bool:
    """Every word of each name matches a word of the other ("CRM Replacment ph1" and
    "CRM Replacement Phase 1"), so "HCITS Transformation" never means "FE Transformation"."""
    return all(any(_token_match(x, y) for y in tb) for x in ta) and all(
        any(_token_match(y, x) for x in ta) for y in tb
    )


def parse_mapping(text: str) -> tuple[str, str]:
    """``"CRM Replacment ph1=PRJ-0001"`` -> (written, project id); ValueError when malformed."""
    written, sep, pid = text.rpartition("=")
    if not sep or not written.strip() or not pid.strip():
        raise ValueError(f"expected 'NAME OR ID=PROJECT-ID': {text}")
    return written.strip(), pid.strip()
