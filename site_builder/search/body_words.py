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


def body_words(
    bodies: Sequence[str], previous: BodyWords | None = None, digests: Sequence[bytes] | None = None
) -> BodyWords:
    """The words of each of ``bodies``, taken from ``previous`` for the bodies it has (``digests``: each
    body's ``text_digest``, if known already).

    Bodies at the same place as in ``previous`` are taken a run at a time: after an abstract edit, the
    numbers are three slices of the old ones, not 10,000 (0.1 s at 10,000 papers).
    """
    digests = tuple(map(text_digest, bodies)) if digests is None else tuple(digests)
    if previous is not None and previous.digests == digests:
        return previous
    known = previous if previous is not None else _NONE
    old_starts = np.zeros(len(known.sizes) + 1, dtype=np.int64)
    np.cumsum(known.sizes, out=old_starts[1:])
    old_digests = known.digests
    number_of: _WordNumbers | None = None  # made only if a body is split
    place_of: dict[bytes, int] | None = None  # made only if a body moved
    pieces: list[Numbers] = []
    sizes: list[Ints] = []
    fresh: list[int] = []  # the numbers of the bodies split since the last piece, and their sizes
    fresh_sizes: list[int] = []

    def take_fresh() -> None:
        if fresh_sizes:
            pieces.append(np.array(fresh, dtype=np.int32))
            sizes.append(np.array(fresh_sizes, dtype=np.int64))
            fresh.clear()
            fresh_sizes.clear()

    index = 0
    while index < len(digests):
        if index < len(old_digests) and old_digests[index] == digests[index]:
            take_fresh()
            end = index + 1
            while end < len(digests) and end < len(old_digests) and old_digests[end] == digests[end]:
                end += 1
            pieces.append(known.numbers[old_starts[index] : old_starts[end]])
            sizes.append(known.sizes[index:end])
            index = end
            continue
        if place_of is None:
            place_of = {digest: place for place, digest in enumerate(old_digests)}
        place = place_of.get(digests[index])
        if place is not None:
            take_fresh()
            pieces.append(known.numbers[old_starts[place] : old_starts[place + 1]])
            sizes.append(known.sizes[place : place + 1])
        else:
            if number_of is None:
                number_of = _WordNumbers(known.words)
            before = len(fresh)
            fresh.extend(map(number_of.__getitem__, split_words(bodies[index])))
            fresh_sizes.append(len(fresh) - before)
        index += 1
    take_fresh()
    numbers = np.concatenate(pieces).astype(np.int32, copy=False) if pieces else np.zeros(0, dtype=np.int32)
    made = BodyWords(
        digests,
        known.words if number_of is None else tuple(number_of),
        numbers,
        np.concatenate(sizes).astype(np.int64, copy=False) if sizes else np.zeros(0, dtype=np.int64),
    )
    if previous is not None and 2 * len(made.used_words) < len(made.words):
        return body_words(bodies, digests=digests)  # mostly words no document has now: start a fresh list
    return made


class _WordNumbers(dict[str, int]):
    """Each word's number: the known words' first, then new words in the order first met."""

    def __init__(self, known: Sequence[str]) -> None:
        super().__init__(zip(known, range(len(known)), strict=True))

    def __missing__(self, word: str) -> int:
        number = self[word] = len(self)
        return number


_NONE = BodyWords((), (), np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int64))
