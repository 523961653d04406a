"""How much room a text needs on a slide: Arial advance widths, word wrap and line heights.

The deck sets every run in Arial (exports.deck), so its text can be measured here without a
font file: a fresh machine (CI has only Python and Chromium) has no Arial, and whether Liberation
Sans or DejaVu is installed varies, so the widths are embedded. They are Arial's advance widths
in font units (2,048 to the em), taken from Liberation Sans, which is metric-compatible with
Arial by design (the same advance for every character; the ASCII part equals Adobe's Helvetica
AFM widths to the unit). Covered: ASCII, Latin-1 and the few symbols the deck writes (RAG icons,
dashes, quotes, £ €, ≥ ×). Any other character counts as a full em, wider than every covered
glyph but "@", so text outside the table is over-measured, never under-measured. Kerning is
ignored (it only ever narrows Arial text), another safe side.

Line breaking is greedy at spaces, as PowerPoint does; PowerPoint also breaks after hyphens,
which can only make its lines fewer. A line is ``LINE_HEIGHT`` x the font size: PowerPoint's
single spacing for Arial is ascent + descent + line gap = 1.149 em; 1.2 leaves room for rounding.
Everything is in points; ``EMU_PER_PT`` converts from the pptx units.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import repeat

FONT = "Arial"
UNITS_PER_EM = 2048
EMU_PER_PT = 12700
LINE_HEIGHT = 1.2  # x font size, see the module docstring
UNKNOWN_WIDTH = UNITS_PER_EM  # a character not in the table: one em

# Advance widths of U+0020..U+00FF (U+007F..U+009F are control characters: unknown).
_REGULAR = """
569 569 727 1139 1139 1821 1366 391 682 682 797 1196 569 682 569 569 1139 1139 1139 1139 1139
1139 1139 1139 1139 1139 569 569 1196 1196 1196 1139 2079 1366 1366 1479 1479 1366 1251 1593
1479 569 1024 1366 1139 1706 1479 1593 1366 1593 1479 1366 1251 1479 1366 1933 1366 1366 1251
569 569 569 961 1139 682 1139 1139 1024 1139 1139 569 1139 1139 455 455 1024 455 1706 1139 1139
1139 1139 682 1024 569 1139 1024 1479 1024 1024 1024 684 532 684 1196 0 0 0 0 0 0 0 0 0 0 0 0 0
0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 569 682 1139 1139 1139 1139 532 1139 682 1509 758 1139
1196 682 1509 1131 819 1124 682 682 682 1180 1100 569 682 682 748 1139 1708 1708 1708 1251 1366
1366 1366 1366 1366 1366 2048 1479 1366 1366 1366 1366 569 569 569 569 1479 1479 1593 1593 1593
1593 1593 1196 1593 1479 1479 1479 1479 1366 1366 1251 1139 1139 1139 1139 1139 1139 1821 1024
1139 1139 1139 1139 569 569 569 569 1139 1139 1139 1139 1139 1139 1139 1124 1251 1139 1139 1139
1139 1024 1139 1024
"""
_BOLD = """
569 682 971 1139 1139 1821 1479 487 682 682 797 1196 569 682 569 569 1139 1139 1139 1139 1139
1139 1139 1139 1139 1139 682 682 1196 1196 1196 1251 1997 1479 1479 1479 1479 1366 1251 1593
1479 569 1139 1479 1251 1706 1479 1593 1366 1593 1479 1366 1251 1479 1366 1933 1366 1366 1251
682 569 682 1196 1139 682 1139 1251 1139 1251 1139 682 1251 1251 569 569 1139 569 1821 1251 1251
1251 1251 797 1139 682 1251 1139 1593 1139 1139 1024 797 573 797 1196 0 0 0 0 0 0 0 0 0 0 0 0 0
0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 569 682 1139 1139 1139 1139 573 1139 682 1509 758 1139
1196 682 1509 1131 819 1124 682 682 682 1180 1139 569 682 682 748 1139 1708 1708 1708 1251 1479
1479 1479 1479 1479 1479 2048 1479 1366 1366 1366 1366 569 569 569 569 1479 1479 1593 1593 1593
1593 1593 1196 1593 1479 1479 1479 1479 1366 1366 1251 1139 1139 1139 1139 1139 1139 1821 1139
1139 1139 1139 1139 569 569 569 569 1251 1251 1251 1251 1251 1251 1251 1124 1251 1251 1251 1251
1251 1139 1251 1139
"""
# Symbols beyond Latin-1 that the deck writes, as (regular, bold).
_EXTRA = {
    "‘": (455, 569), "’": (455, 569), "“": (682, 1024), "”": (682, 1024), "–": (1139, 1139),
    "—": (2048, 2048), "…": (2048, 2048), "•": (717, 717), "·": (569, 569), "×": (1196, 1196),
    "÷": (1124, 1124), "≥": (1124, 1124), "≤": (1124, 1124), "−": (1196, 1196),
    "€": (1139, 1139), "→": (2048, 2048), "←": (2048, 2048), "↑": (1024, 1024),
    "↓": (1024, 1024), "■": (1237, 1237), "▲": (2027, 2027), "●": (1237, 1237),
    "○": (1237, 1237), "▼": (2027, 2027), "≠": (1124, 1124), "≈": (1124, 1124),
    "‰": (2048, 2048), "™": (2048, 2048),
}  # fmt: skip


def _table(widths: str, bold: bool) -> dict[str, int]:
    table = {chr(32 + i): int(w) for i, w in enumerate(widths.split()) if int(w)}
    table.update({ch: w[bold] for ch, w in _EXTRA.items()})
    return table


_WIDTHS = {False: _table(_REGULAR, False), True: _table(_BOLD, True)}
_SPACES = re.compile(r"( +)")


@lru_cache(maxsize=1 << 16)
def _units(chars: str, bold: bool) -> int:
    """Advance width of a word (or a run of spaces) in font units: words repeat across a deck
    and across the sizes tried for it, so they are measured once."""
    return sum(map(_WIDTHS[bold].get, chars, repeat(UNKNOWN_WIDTH)))


def text_width(text: str, size: float, bold: bool = False) -> float:
    """Advance width of ``text`` on one line, in points, at ``size`` pt."""
    table = _WIDTHS[bool(bold)]
    units = sum(map(table.get, text.replace("\t", "    "), repeat(UNKNOWN_WIDTH)))
    return units * size / UNITS_PER_EM


def words(text: str) -> list[str]:
    """The words of a text as PowerPoint breaks it: runs of non-space characters."""
    return text.split()


def wrap(text: str, width: float, size: float, bold: bool = False) -> list[str]:
    """The lines one paragraph takes in a box ``width`` pt wide (greedy, at spaces; a word
    wider than the line is broken by characters, as PowerPoint does). Spaces at a line end
    hang outside the box, as in PowerPoint. Linear in the text: widths are added up, not
    measured again for every candidate line."""
    bold = bool(bold)
    table = _WIDTHS[bold]
    scale = size / UNITS_PER_EM

    def w(chars: str) -> float:
        return _units(chars, bold) * scale

    lines: list[str] = []
    line, line_w = "", 0.0  # the current line, without the spaces after its last word
    gap, gap_w = "", 0.0  # spaces since the last word: they count only if a word follows
    for token in _SPACES.split(text.replace("\t", "    ")):
        if not token:
            continue
        if token[0] == " ":
            gap, gap_w = gap + token, gap_w + w(token)
            continue
        token_w = w(token)
        if not line.strip() or line_w + gap_w + token_w <= width:
            line, line_w = line + gap + token, line_w + gap_w + token_w
        else:
            lines.append(line)
            line, line_w = token, token_w
        gap, gap_w = "", 0.0
        while line_w > width and len(line.strip()) > 1:  # a word alone wider than the line
            cut, cut_w = _longest_prefix(line, width, table, scale)
            lines.append(line[:cut])
            line, line_w = line[cut:], line_w - cut_w
    lines.append(line)
    return lines


def _longest_prefix(text: str, width: float, table: dict, scale: float) -> tuple[int, float]:
    """Characters of ``text`` that fit ``width`` (at least one), and their width."""
    n, used = 1, table.get(text[0], UNKNOWN_WIDTH) * scale
    while n < len(text):
        step = table.get(text[n], UNKNOWN_WIDTH) * scale
        if used + step > width:
            break
        n, used = n + 1, used + step
    return n, used


def too_wide(text: str, width: float, size: float, bold: bool = False) -> list[str]:
    """The words of ``text`` that do not fit on a line of ``width`` pt (PowerPoint would cut
    them across lines)."""
    return [w for w in words(text) if text_width(w, size, bold) > width]


@dataclass(frozen=True)
class Para:
    """One paragraph as it is set: text, size (pt), weight and spacing after it (pt)."""

    text: str
    size: float
    bold: bool = False
    space_after: float = 0.0
    space_before: float = 0.0


def height(paras: Iterable[Para], width: float) -> float:
    """Points the paragraphs take in a column ``width`` pt wide (spacing included)."""
    total = 0.0
    for p in paras:
        n = len(wrap(p.text, width, p.size, p.bold))
        total += p.space_before + n * p.size * LINE_HEIGHT + p.space_after
    return total


def fits(paras: list[Para], width: float, avail: float, whole_words: bool = True) -> bool:
    """True when the paragraphs fit ``avail`` pt of height and (``whole_words``) no word is
    wider than a line."""
    if whole_words and any(too_wide(p.text, width, p.size, p.bold) for p in paras):
        return False
    return height(paras, width) <= avail + 1e-6


def sizes(size: float, floor: float) -> list[float]:
    """Font sizes from ``floor`` up to ``size`` in half-point steps."""
    n = int(round((size - floor) * 2))
    return [floor + i / 2 for i in range(max(n, 0) + 1)] if size >= floor else []


def largest(candidates: list[float], ok: Callable[[float], bool]) -> float | None:
    """The largest of ascending ``candidates`` that is ``ok``, by bisection: text that fits at
    one size fits at every smaller one (lines only get shorter), so ``ok`` is monotone."""
    lo, hi, best = 0, len(candidates) - 1, None
    while lo <= hi:
        mid = (lo + hi) // 2
        if ok(candidates[mid]):
            best, lo = candidates[mid], mid + 1
        else:
            hi = mid - 1
    return best


def fit_size(
    make: Callable[[float], list[Para]], width: float, avail: float, size: float, floor: float
) -> float | None:
    """The largest font size from ``size`` down to ``floor`` (half-point steps) at which
    ``make(size)`` fits; None when it does not fit even at the floor."""
    return largest(sizes(size, floor), lambda s: fits(make(s), width, avail))


def cut_to_words(text: str, fits_text: Callable[[str], bool]) -> str:
    """The longest whole-word prefix of ``text`` (plus "…") that ``fits_text`` accepts: the last
    resort for text that does not fit even at the floor size. Never cuts inside a word."""
    if fits_text(text):
        return text
    parts = words(text)
    lo, hi = 0, len(parts)  # the answer keeps lo words
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if fits_text(" ".join(parts[:mid]) + " …"):
            lo = mid
        else:
            hi = mid - 1
    return (" ".join(parts[:lo]) + " …").strip()


def pt(emu: int | float) -> float:
    """Points from EMU (pptx lengths)."""
    return emu / EMU_PER_PT
