"""Each document's body words as numbers, carried to the next build.

Folding and splitting every abstract, and looking each of its words up,
was over a third of the search body's time (0.4 s of 1.2 s at 10,000
papers), though an abstract edit changes one document. ``body_words``
keeps each document's words as numbers into an append-only list of words,
with a digest of the text they came from, so the next build splits only
the bodies that changed; the index is then made from the numbers in array
work (``lunr_format.build_index_of_numbered``). The list of words starts
afresh when half of it is no longer used.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from site_builder.search.analysis import words as split_words
from site_builder.search.lunr_format import Ints
from site_builder.textnorm import text_digest

Numbers = npt.NDArray[np.int32]  # word numbers: half the cache file of int64


@dataclass(frozen=True, eq=False)
class BodyWords:
    """Every document's body as word numbers, in document order."""

    digests: tuple[bytes, ...]  # of each document's body
    words: tuple[str, ...]  # by number
    numbers: Numbers  # every document's words, one document after another
    sizes: Ints  # how many words each document has

    @functools.cached_property
    def used_words(self) -> tuple[str, ...]:
        """The words some document has, by number."""
        used = np.flatnonzero(np.bincount(self.numbers, minlength=len(self.words))).tolist()
        return tuple(self.words[number] for number in used)

    def __reduce__(self) -> tuple[Callable[..., BodyWords], tuple[object, ...]]:
        # The words pickled as one string (tens of thousands one by one are slow to load); a word is
        # split on whitespace, so it never holds a newline.
        return _unpickled, (self.digests, "\n".join(self.words), self.numbers, self.sizes)


def _unpickled(digests: tuple[bytes, ...], words: str, numbers: Numbers, sizes: Ints) -> BodyWords:
    return BodyWords(digests, tuple(words.split("\n")) if words else (), numbers, sizes)


def body_words(bodies: Sequence[str], previous: BodyWords | None = None) -> BodyWords:
    """The words of each of ``bodies``, taken from ``previous`` for the bodies it has."""
    digests = tuple(map(text_digest, bodies))
    if previous is not None and previous.digests == digests:
        return previous
    known = previous if previous is not None else _NONE
    number_of = _WordNumbers(known.words)
    old_starts = [0, *itertools.accumulate(known.sizes.tolist())]
    place_of = {digest: place for place, digest in enumerate(known.digests)}
    fresh: list[int] = []  # the numbers of the bodies not in ``previous``, one after another
    runs: list[tuple[bool, int, int]] = []  # per body: (from previous?, start, end)
    for body, digest in zip(bodies, digests, strict=True):
        place = place_of.get(digest)
        if place is not None:
            runs.append((True, old_starts[place], old_starts[place + 1]))
        else:
            start = len(fresh)
            fresh.extend(map(number_of.__getitem__, split_words(body)))
            runs.append((False, start, len(fresh)))
    fresh_numbers = np.array(fresh, dtype=np.int32)
    if previous is None:
        numbers = fresh_numbers  # every body split now, in order
    else:
        pieces = [(known.numbers if old else fresh_numbers)[start:end] for old, start, end in runs]
        numbers = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.int32)
    sizes = np.array([end - start for _, start, end in runs], dtype=np.int64)
    made = BodyWords(digests, tuple(number_of), numbers, sizes)
    if previous is not None and 2 * len(made.used_words) < len(made.words):
        return body_words(bodies)  # mostly words no document has now: start a fresh list
    return made


class _WordNumbers(dict[str, int]):
    """Each word's number: the known words' first, then new words in the order first met."""

    def __init__(self, known: Sequence[str]) -> None:
        super().__init__(zip(known, range(len(known)), strict=True))

    def __missing__(self, word: str) -> int:
        number = self[word] = len(self)
        return number


_NONE = BodyWords((), (), np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int64))
