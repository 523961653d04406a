"""Text on coloured fills that stays readable: WCAG 2.x contrast ratio and a text colour chooser.

A RAG cell, a risk-band cell or a bar label is coloured by its meaning; the text on it must
still meet WCAG AA for normal text (4.5:1) on a projector. ``text_colour`` picks the darker or
lighter of our two text colours, whichever contrasts more; tests/test_contrast.py checks every
palette colour with the colour this module chooses for it."""

from __future__ import annotations

import re

# The page's body text colour (charts/template.py font colour) and white.
DARK = "#212121"
LIGHT = "#ffffff"
BLACK = "#000000"
AA_NORMAL = 4.5  # WCAG 2.x AA, normal-size text
AA_LARGE = 3.0  # WCAG 2.x AA, large text (18pt, or 14pt bold) and graphics

_HEX = re.compile(r"^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
_RGB = re.compile(r"^rgba?\(\s*([\d.]+)\s*,\s*([\d.]+)\s*,\s*([\d.]+)")
_NAMED = {"white": LIGHT, "black": "#000000"}


def rgb(colour: str) -> tuple[int, int, int]:
    """``#c62828``, ``#fff``, ``rgb(198, 40, 40)`` (plotly's sampled colours) or white/black
    as 0-255 channels. Anything else is a ValueError: a palette typo must fail a test."""
    text = _NAMED.get(colour.strip().lower(), colour.strip())
    if m := _HEX.match(text):
        h = m.group(1)
        h = "".join(c * 2 for c in h) if len(h) == 3 else h
        return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)
    if m := _RGB.match(text):
        return tuple(round(float(v)) for v in m.groups())  # type: ignore[return-value]
    raise ValueError(f"not a colour: {colour!r}")


def luminance(colour: str) -> float:
    """WCAG relative luminance (sRGB, 0 black to 1 white)."""

    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(fg: str, bg: str) -> float:
    """(L1 + 0.05) / (L2 + 0.05), lighter over darker: 1 (same) to 21 (black on white)."""
    a, b = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def text_colour(bg: str, dark: str = DARK, light: str = LIGHT) -> str:
    """The text colour for a fill: ``dark`` or ``light``, whichever contrasts more with it;
    pure black when neither reaches AA. Some mid-tones (relative luminance about 0.18-0.24,
    e.g. the orange a five-band risk ramp samples, rgb(229, 91, 10)) pass with neither
    #212121 nor white; with black and white, every colour passes: black reaches 4.5:1 from
    luminance 0.175, white up to 0.183."""
    best = dark if contrast_ratio(dark, bg) >= contrast_ratio(light, bg) else light
    if contrast_ratio(best, bg) < AA_NORMAL and contrast_ratio(BLACK, bg) > contrast_ratio(
        best, bg
    ):
        return BLACK
    return best


def cell_style(bg: str) -> str:
    """CSS for a table cell filled with ``bg`` and the readable text colour on it."""
    return f"background-color: {bg}; color: {text_colour(bg)}"
