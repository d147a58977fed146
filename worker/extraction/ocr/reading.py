"""What one Tesseract pass read: words with confidence and boxes, lines, a score. Pure.

`parse_tsv` turns Tesseract's TSV (parsed by pytesseract) into a Reading; `Reading.text` lays
the words out as lines and paragraphs without the spaces Tesseract puts between Japanese
characters; `score` compares two reads of the same page; `patch_latin_junk` replaces the
lines of one read that came out as unsure Latin letters with the same lines of another read.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, replace
from itertools import groupby

from pytesseract.pytesseract import file_to_dict

from worker.extraction.ocr.japanese import remove_cjk_spaces, yen_signs

LineKey = tuple[int, int, int]  # (block, paragraph, line)
LATIN_JUNK_CONFIDENCE = 60.0  # Latin words read less surely than this may be misread Japanese
LATIN_JUNK_SHARE = 0.03  # of the characters read: from this share a page is worth a jpn read
_WORD_LEVEL = 5
_LINE_LEVEL = 4


@dataclass(frozen=True)
class Word:
    line: LineKey
    text: str
    confidence: float
    box: tuple[int, int, int, int] = (0, 0, 0, 0)  # left, top, right, bottom

    @property
    def latin_junk(self) -> bool:
        return self.text.isascii() and self.confidence < LATIN_JUNK_CONFIDENCE


def _score(words: list[Word] | tuple[Word, ...]) -> float:
    return sum(len(word.text) * (word.confidence / 100) ** 2 for word in words)


@dataclass(frozen=True)
class Reading:
    """One Tesseract pass over a page image."""

    languages: str
    words: tuple[Word, ...]
    vertical_line_share: float

    @property
    def confidence(self) -> float | None:
        """Mean word confidence, 0-100; None when nothing was read."""
        if not self.words:
            return None
        return sum(word.confidence for word in self.words) / len(self.words)

    @property
    def score(self) -> float:
        """Characters read, each weighted by its word's confidence squared: more text read
        surely wins, and a line of unsure guesses ("wk rhs YF", conf < 60) counts little."""
        return _score(self.words)

    @property
    def latin_junk_share(self) -> float:
        total = sum(len(word.text) for word in self.words)
        junk = sum(len(word.text) for word in self.words if word.latin_junk)
        return junk / total if total else 0.0

    def lines(self) -> list[tuple[LineKey, list[Word]]]:
        return [(key, list(words)) for key, words in groupby(self.words, lambda w: w.line)]

    @property
    def text(self) -> str:
        out: list[str] = []
        previous: LineKey | None = None
        for key, words in self.lines():
            if previous is not None and key[:2] != previous[:2]:
                out.append("")  # a new paragraph or block: blank line
            out.append(" ".join(word.text for word in words))
            previous = key
        text = remove_cjk_spaces("\n".join(out))
        return yen_signs(text) if "jpn" in self.languages.replace(",", "+").split("+") else text


def _line_box(words: list[Word]) -> tuple[int, int, int, int]:
    return (min(w.box[0] for w in words), min(w.box[1] for w in words),
            max(w.box[2] for w in words), max(w.box[3] for w in words))


def _same_place(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    """Two line boxes cover the same line: overlap across, and half the height down."""
    across = min(a[2], b[2]) - max(a[0], b[0])
    down = min(a[3], b[3]) - max(a[1], b[1])
    return across > 0 and down >= 0.5 * min(a[3] - a[1], b[3] - b[1])


def patch_latin_junk(first: Reading, second: Reading) -> Reading:
    """`first`, with each line that is mostly unsure Latin replaced by the line read at the
    same place in `second` when that one scores higher (a line-by-line choice, since the
    second read is often worse elsewhere)."""
    others = [(_line_box(words), words) for _, words in second.lines()]
    patched: list[Word] = []
    for key, words in first.lines():
        junk = sum(len(w.text) for w in words if w.latin_junk)
        if 2 * junk >= sum(len(w.text) for w in words):
            here = _line_box(words)
            rivals = [other for box, other in others if _same_place(here, box)]
            if rivals and _score(rivals[0]) > _score(words):
                words = [replace(word, line=key) for word in rivals[0]]
        patched.extend(words)
    return replace(first, words=tuple(patched))


def parse_tsv(tsv: str, languages: str) -> Reading:
    """Tesseract's TSV (parsed by pytesseract) → the words read and the line geometry."""
    table = file_to_dict(tsv, "\t", -1)
    if not table:
        return Reading(languages, (), 0.0)
    words: list[Word] = []
    line_areas: dict[LineKey, tuple[int, bool]] = {}
    for row in range(len(table["level"])):
        key = (int(table["block_num"][row]), int(table["par_num"][row]),
               int(table["line_num"][row]))
        left, top = int(table["left"][row]), int(table["top"][row])
        width, height = int(table["width"][row]), int(table["height"][row])
        level = int(table["level"][row])
        if level == _LINE_LEVEL:
            line_areas[key] = (width * height, height >= 2 * width)
        text = str(table["text"][row]).strip()
        confidence = float(table["conf"][row])
        if level == _WORD_LEVEL and text and confidence >= 0:
            words.append(Word(key, text, confidence, (left, top, left + width, top + height)))
    read_lines = {word.line for word in words}
    total = sum(area for key, (area, _) in line_areas.items() if key in read_lines)
    tall = sum(area for key, (area, is_tall) in line_areas.items()
               if is_tall and key in read_lines)
    return Reading(languages, tuple(words), tall / total if total else 0.0)


# --- recovering what page segmentation left out ---------------------------------------------

SURE_LINE_CONFIDENCE = 70.0  # a line read at least this surely is kept as it is; a
# recovered line must be read as surely (sparse text is read a character at a time, so a
# single kanji may be unsure in a sure line), and its words no less surely than:
RECOVERED_WORD_CONFIDENCE = 40.0
TALL_LINE_RATIO = 1.3  # a line this much taller than the median line is a heading
Box = tuple[int, int, int, int]


def _mean_confidence(words: list[Word]) -> float:
    return sum(word.confidence for word in words) / len(words)


def sure_line_boxes(reading: Reading, confidence: float = SURE_LINE_CONFIDENCE,
                    tall_from: float | None = None) -> list[Box]:
    """The boxes of the lines read surely, what a recovery pass need not read again: sure
    words, and not a line much taller than the page's usual line (a large heading, which
    Tesseract misreads confidently at full scale: 件見積書 for 御見積書) unless it was read
    with a confidence of at least `tall_from`."""
    every = [(_line_box(words), _mean_confidence(words)) for _, words in reading.lines()]
    lines = [(box, sure) for box, sure in every if sure >= confidence]
    if not lines:
        return []
    usual = statistics.median(bottom - top for (_, top, _, bottom), _ in lines)
    return [box for box, sure in lines if box[3] - box[1] < TALL_LINE_RATIO * usual
            or (tall_from is not None and sure >= tall_from)]


def _readable(words: list[Word]) -> list[Word]:
    """The words of a recovered line worth keeping: none unless the line was read surely
    and has letters or digits (not a rule or a speck read as punctuation)."""
    kept = [word for word in words if word.confidence >= RECOVERED_WORD_CONFIDENCE]
    if not kept or _mean_confidence(kept) < SURE_LINE_CONFIDENCE:
        return []
    return kept if any(c.isalnum() for word in kept for c in word.text) else []


def _same_row(a: Box, b: Box) -> bool:
    """Side by side on one text line: half the smaller height overlaps, and the gap across
    is less than two line heights."""
    height = min(a[3] - a[1], b[3] - b[1])
    down = min(a[3], b[3]) - max(a[1], b[1])
    gap = max(a[0], b[0]) - min(a[2], b[2])
    return down >= 0.5 * height and gap < 2 * height


def placed(reading: Reading, scale: int, origin: tuple[int, int]) -> Reading:
    """The reading of a (reduced) crop, its word boxes moved to page coordinates."""
    x, y = origin
    words = tuple(replace(w, box=(x + w.box[0] * scale, y + w.box[1] * scale,
                                  x + w.box[2] * scale, y + w.box[3] * scale))
                  for w in reading.words)
    return replace(reading, words=words)


def merge_recovered(first: Reading, recovered: Reading) -> Reading:
    """`first` with the lines a sparse-text pass found where `first` read nothing (a large
    title, a line cut short): each recovered line replaces unsure lines at its place when it
    reads better, joins the line it stands beside, or is inserted before the first line
    below it."""
    lines = [(key, words) for key, words in first.lines()]
    extra = 0
    for _, found in recovered.lines():
        words = _readable(found)
        if not words:
            continue
        box = _line_box(words)
        clashing = [i for i, (_, old) in enumerate(lines) if _same_place(box, _line_box(old))]
        if clashing:
            if _score(words) <= sum(_score(lines[i][1]) for i in clashing):
                continue  # the first read of this place was as good
            key = lines[clashing[0]][0]
            lines[clashing[0]] = (key, [replace(w, line=key) for w in words])
            lines = [line for i, line in enumerate(lines) if i not in clashing[1:]]
            continue
        beside = next((i for i, (_, old) in enumerate(lines)
                       if _same_row(box, _line_box(old))), None)
        if beside is not None:
            key, old = lines[beside]
            joined = sorted([*old, *(replace(w, line=key) for w in words)],
                            key=lambda w: w.box[0])
            lines[beside] = (key, joined)
            continue
        extra += 1
        key = (-extra, 0, 0)  # a block of its own: a paragraph break around it
        below = next((i for i, (_, old) in enumerate(lines) if _line_box(old)[1] > box[1]),
                     len(lines))
        lines.insert(below, (key, [replace(w, line=key) for w in words]))
    return replace(first, words=tuple(word for _, words in lines for word in words))
