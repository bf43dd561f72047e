"""Word wrapping for SVG text, which has no line breaking of its own."""

from __future__ import annotations

# Average advance of a character as a fraction of the font size (DejaVu Sans / system sans-serif).
CHAR_EM = 0.6


def wrap(text: str, width_px: float, font_px: float) -> list[str]:
    """Greedy word wrap of `text` into lines that fit `width_px` at `font_px`."""
    max_chars = max(8, int(width_px / (font_px * CHAR_EM)))
    lines: list[str] = []
    line = ""
    for word in text.split():
        while len(word) > max_chars:  # a word longer than a line: cut it
            if line:
                lines.append(line)
                line = ""
            lines.append(word[: max_chars - 1] + "-")
            word = word[max_chars - 1:]
        candidate = f"{line} {word}" if line else word
        if len(candidate) <= max_chars:
            line = candidate
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    return lines or [""]
