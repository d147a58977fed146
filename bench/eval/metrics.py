"""Scores of one read against its reference: CER, bag-of-characters F1, length ratio. Pure.

Both texts are NFKC-normalised and stripped of all white space first: Japanese has no word
spaces, and where a line breaks says nothing about whether it was read right.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein


def squeeze(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


@dataclass(frozen=True)
class Score:
    cer: float  # edit distance / reference length (can pass 1.0 for long junk)
    f1: float  # bag-of-characters F1
    length_ratio: float  # characters read / characters in the reference
    precision: float = 0.0  # of the characters read, the share in the reference (bag)
    recall: float = 0.0  # of the reference's characters, the share read (bag)


def score(reference: str, read: str) -> Score:
    ref, got = squeeze(reference), squeeze(read)
    cer = Levenshtein.distance(ref, got) / max(1, len(ref))
    common = sum((Counter(ref) & Counter(got)).values())
    precision = common / len(got) if got else 0.0
    recall = common / len(ref) if ref else 0.0
    f1 = 2 * precision * recall / (precision + recall) if common else 0.0
    return Score(cer, f1, len(got) / max(1, len(ref)), precision, recall)
