"""Words that Tesseract read but that are not text: dropped from the content, and counted.

Graphics the layout analysis could not tell apart (a curve touching a label, a stamp, a
photo's edge) come out as unsure words that no writer would write: a run of one character
(`EEEE`, `ーーー`, `||||`; a run of digits is a number), punctuation and symbols alone, Latin
fragments of one to three letters among unsure words (`EAN Ce lca`). Each rule needs low
confidence as well, so a surely read `ーー` or `OK` stays; and a Japanese mark (`・`, `※`,
`【】`) read half surely in a line read surely stays: a slide's bullets and a notice's `※`
were lost so, where a graphic's `|` or `~` is ASCII. Real text lost by these rules is
measured in bench/eval next to the junk removed. Pure.
"""

from __future__ import annotations

from dataclasses import replace

from worker.extraction.ocr.japanese import is_japanese
from worker.extraction.ocr.reading import Reading, Word

UNSURE = 60.0  # word confidence below which a word must look like text to stay
DOUBTFUL = 35.0  # below this a short word stays only in a line read surely
RUN_SHARE = 0.6  # of a word's characters being one and the same character: a run ...
RUN_LENGTH = 3  # ... of at least this many (`99,` of `99, 735円` is no run)
SURE_LINE = 70.0  # mean confidence of a line that vouches for its doubtful words


def drop_junk(reading: Reading) -> tuple[Reading, int]:
    """The reading without its junk words, and how many were dropped."""
    kept: list[Word] = []
    for _, words in reading.lines():
        line_confidence = sum(w.confidence for w in words) / len(words)
        kept += [w for w in words if not is_junk(w, line_confidence)]
    return replace(reading, words=tuple(kept)), len(reading.words) - len(kept)


def is_junk(word: Word, line_confidence: float) -> bool:
    if word.confidence >= UNSURE:
        return False
    text = word.text
    letters = [c for c in text if c.isalnum() or is_japanese(c)]
    if not any(c.isalnum() for c in letters):  # symbols and punctuation alone, read unsurely
        return text.isascii() or word.confidence < DOUBTFUL or line_confidence < SURE_LINE
    if _run(text):
        return True
    latin_fragment = text.isascii() and len(text) <= 3 and not text.isdigit()
    return (latin_fragment and line_confidence < SURE_LINE) or (
        word.confidence < DOUBTFUL and line_confidence < SURE_LINE)


def _run(text: str) -> bool:
    """One character, not a digit, making up most of the word (`EEEE`, `ーーー`)."""
    repeated = [c for c in set(text) if not c.isdigit() and text.count(c) >= RUN_LENGTH]
    return any(text.count(c) >= RUN_SHARE * len(text) for c in repeated)
