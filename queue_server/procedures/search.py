"""Vietnamese search that ignores diacritics and case: "dang ky thuong tru" finds "Đăng ký thường trú".

Standard library only. Tone and vowel marks are dropped by Unicode decomposition; đ/Đ is a letter of its
own (not d + a mark), so it is mapped to d by hand.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

_D_STROKE = str.maketrans({"đ": "d", "Đ": "d"})


def fold(text: str) -> str:
    """Lower case, no diacritics, đ → d, single spaces: the form both sides are compared in."""
    decomposed = unicodedata.normalize("NFD", text.translate(_D_STROKE))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.casefold().split())


@dataclass(frozen=True)
class SearchEntry:
    key: str  # what is returned, e.g. the procedure code
    name: str  # the main name: matches there rank first
    other: Sequence[str] = ()  # English name, field name, keywords (the key is searched too)


def search(entries: Iterable[SearchEntry], query: str) -> list[str]:
    """Keys of the entries where every word of the query occurs, best first; input order breaks ties."""
    words = fold(query).split()
    if not words:
        return [entry.key for entry in entries]
    folded_query = " ".join(words)
    scored = []
    for index, entry in enumerate(entries):
        name = fold(entry.name)
        everything = " ".join([name, fold(entry.key), *(fold(text) for text in entry.other)])
        if not all(word in everything for word in words):
            continue
        scored.append((_rank(name, entry, folded_query, words), index, entry.key))
    return [key for _, _, key in sorted(scored)]


def _rank(name: str, entry: SearchEntry, folded_query: str, words: list[str]) -> int:
    if folded_query == fold(entry.key) or name == folded_query:
        return 0
    if name.startswith(folded_query):
        return 1
    if folded_query in name:
        return 2
    if all(word in name for word in words):
        return 3
    return 4
