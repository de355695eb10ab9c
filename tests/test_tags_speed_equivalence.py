"""The fast tag matcher gives exactly what the first, ``re.findall``-based one gave.

``_reference_*`` below is the original implementation, kept verbatim as the
definition of the semantics; random vocabularies and texts (plurals, hyphens,
case, punctuation, letters glued on, non-ASCII letters and spaces) compare the
two. The brute-force tests pin the facts about Python's ``re`` and ``str`` the
fast matcher relies on, so a Python upgrade that changes them fails here.
"""

from __future__ import annotations

import re
import sys

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from site_builder.enrich import tags as fast
from site_builder.model import Paper, Tag

# --- the reference: the original implementation ------------------------------------------------------------

_REFERENCE_RUN = re.compile(r"[a-z0-9]+")


def _reference_pattern(term: str) -> re.Pattern[str]:
    words = re.split(r"[\s-]+", term.strip())
    body = r"[\s-]+".join(re.escape(word) for word in words)
    flags = 0 if any(char.isupper() for char in term) else re.IGNORECASE
    return re.compile(rf"(?<![A-Za-z0-9]){body}(?:s|es)?(?![A-Za-z0-9])", flags)


def _reference_words_present(text: str) -> set[str]:
    present = set()
    for run in _REFERENCE_RUN.findall(text.lower()):
        present.add(run)
        if run.endswith("s"):
            present.add(run[:-1])
            if run.endswith("es"):
                present.add(run[:-2])
    return present


def _reference_strengths(paper: Paper, tags: tuple[Tag, ...]) -> dict[str, int]:
    matchers = [
        (tag.name, [(_reference_pattern(term), tuple(_REFERENCE_RUN.findall(term.lower()))) for term in tag.match])
        for tag in tags
    ]
    present = _reference_words_present(f"{paper.title} {paper.abstract}")
    strengths: dict[str, int] = {}
    for name, terms in matchers:
        candidates = [pattern for pattern, runs in terms if all(run in present for run in runs)]
        if not candidates:
            continue
        in_title = any(pattern.search(paper.title) for pattern in candidates)
        in_abstract = sum(len(pattern.findall(paper.abstract)) for pattern in candidates)
        strength = 3 * in_title + in_abstract
        if strength:
            strengths[name] = strength
    return strengths


def _reference_tags_of(paper: Paper, tags: tuple[Tag, ...]) -> tuple[str, ...]:
    canonical = {alias: tag.name for tag in tags for alias in tag.aliases} | {tag.name: tag.name for tag in tags}
    order = {tag.name: index for index, tag in enumerate(tags)}
    manual = tuple(dict.fromkeys(canonical.get(name, name) for name in paper.tags))
    rejected = {canonical.get(name, name) for name in paper.tags_exclude} - set(manual)
    strengths = {name: value for name, value in _reference_strengths(paper, tags).items() if name not in rejected}
    ranked = sorted(strengths, key=lambda name: (-strengths[name], order[name]))
    automatic = [name for name in ranked if strengths[name] >= 2]
    if not automatic and not manual and ranked:
        automatic = ranked[:1]
    room = max(8 - len(manual), 0)
    return manual + tuple(name for name in automatic if name not in manual)[:room]


# --- random vocabularies and texts -------------------------------------------------------------------------

# Words that make the edge cases: punctuation in terms, digits, shared and nested words,
# plurals in the term itself, and non-ASCII letters (some of which re.IGNORECASE takes
# for ASCII ones: "ı", "ſ", "İ", the Kelvin sign).
WORDS = tuple(
    "gradient descent stochastic bias biases class loss k fac c++ x.y l2 sgd SGD LLM Adam adam net .net a.a"
    " re-rank point points ıx ſgd İnterior Łojasiewicz naïve es s a a-a Kelvin \u212aernel ß Σ".split()
)
SEPARATORS = (" ", "-", "  ", "--", "\t", "\n", " - ", "\u00a0", "\u2003", "\x1c", "")
GLUE = ("", "", "", " ", ". ", ", ", "(", ")", "-", "_", "+", "s", "es", "S", "x", "1", "é", "ı", "İ", "ſ", "\u212a")


@st.composite
def terms(draw: st.DrawFn) -> str:
    words = draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=3))
    separator = draw(st.sampled_from((" ", "-", " - ", "  ")))
    return draw(st.sampled_from(("", " ", "-"))) + separator.join(words) + draw(st.sampled_from(("", " ")))


@st.composite
def vocabularies(draw: st.DrawFn) -> tuple[Tag, ...]:
    names = draw(st.lists(st.sampled_from("abcdefg"), min_size=1, max_size=6, unique=True))
    return tuple(
        Tag(name, match=tuple(draw(st.lists(terms(), min_size=1, max_size=4))), aliases=(name.upper(),))
        for name in names
    )


def _recase(word: str, how: int) -> str:
    return (word, word.upper(), word.lower(), word.title(), word.swapcase())[how]


@st.composite
def mentions(draw: st.DrawFn, vocabulary: tuple[Tag, ...]) -> str:
    """A term of the vocabulary (or a stray word), respelled the ways a text may have it."""
    term = draw(st.sampled_from([term for tag in vocabulary for term in tag.match] + list(WORDS)))
    words = re.split(r"[\s-]+", term.strip())
    case = draw(st.integers(0, 4)) if draw(st.booleans()) else 0
    spelled = ""
    for index, word in enumerate(words):
        spelled += _recase(word, case) + (draw(st.sampled_from(SEPARATORS)) if index < len(words) - 1 else "")
    plural = draw(st.sampled_from(("", "", "s", "es", "S", "ES", "ſ")))
    return draw(st.sampled_from(GLUE)) + spelled + plural + draw(st.sampled_from(GLUE))


@st.composite
def papers(draw: st.DrawFn, vocabulary: tuple[Tag, ...]) -> Paper:
    def text(max_size: int) -> str:
        parts = draw(st.lists(st.one_of(mentions(vocabulary), st.text(max_size=3)), max_size=max_size))
        # Nothing after the last part: a title may end in the first word of a term.
        return "".join(draw(st.sampled_from(SEPARATORS)) + part for part in parts)

    names = [tag.name for tag in vocabulary] + [tag.name.upper() for tag in vocabulary] + ["other"]
    return Paper(
        id="p",
        title=text(4),
        abstract=text(12),
        tags=tuple(draw(st.lists(st.sampled_from(names), max_size=2))),
        tags_exclude=tuple(draw(st.lists(st.sampled_from(names), max_size=2))),
    )


@st.composite
def cases(draw: st.DrawFn) -> tuple[tuple[Tag, ...], list[Paper]]:
    vocabulary = draw(vocabularies())
    return vocabulary, draw(st.lists(papers(vocabulary), min_size=1, max_size=6))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_strengths_and_tags_equal_the_reference(case: tuple[tuple[Tag, ...], list[Paper]]) -> None:
    vocabulary, batch = case
    matchers = fast.compile_matchers(vocabulary)
    for paper in batch:
        assert fast.tag_strengths(paper, matchers) == _reference_strengths(paper, vocabulary), paper
    batch = [
        Paper(id=str(number), title=p.title, abstract=p.abstract, tags=p.tags, tags_exclude=p.tags_exclude)
        for number, p in enumerate(batch)
    ]
    assigned = fast.assign_tags(batch, vocabulary)
    assert assigned == {paper.id: _reference_tags_of(paper, vocabulary) for paper in batch}


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("aZ09 -_.+sSeEıİſ\u212aéßΣ\u00a0\n"), max_size=40))
def test_ascii_runs_are_those_of_the_regular_expression(text: str) -> None:
    assert fast._ascii_runs(text) == _REFERENCE_RUN.findall(text.lower())


EDGE_CASES = [
    # Overlapping terms each count; a term's own matches do not overlap.
    ("SGD", "Stochastic gradient descent and gradient descent; stochastic gradient-descent."),
    ("a a a", "a a a a a-a a"),
    # Plurals, hyphens and whitespace, glued letters and digits.
    ("Biases", "bias biases biass biasses xbias bias1 bias_ (bias) BIAS-es"),
    ("K-FAC", "K FAC k-fac K--FAC K-FACs K-\nFAC xK-FAC"),
    # Punctuation in terms; non-ASCII letters a case-insensitive ASCII letter matches.
    ("C++ and .NET", "c++ C++s .net x.net (.NET) x.y X.Y"),
    ("İNTERİOR point", "ınterior point ſtochastic ſgd \u212aernel Łojasiewicz łojasiewicz naïve NAÏVE"),
    ("", "İnterior point, interior"),
    (
        "",
        "sgd ſgd, interior ınterior İnterior, kernel \u212aernel Kernel",
    ),  # what _fold is for  # a match the word prefilter rules out ("İ".lower() is two characters)
    ("k s point", "k S point, xa.a.a"),  # non-ASCII term, ASCII text; a failed try one character before a match
    # The title is searched alone: a phrase does not run on into the abstract.
    ("A study of stochastic", "gradient methods"),
    ("", ""),
]
EDGE_VOCABULARY = (
    Tag("first-order", match=("stochastic gradient", "SGD", "gradient descent", "gradient"), aliases=("sgd",)),
    Tag("bias", match=("bias", "biase", "a a", "a-a")),
    Tag("second-order", match=("K-FAC", "interior point", "Łojasiewicz", "naïve")),
    Tag("odd", match=("c++", ".net", "x.y", "ſgd", "ıx", "\u212aernel", "kernel", "-net", "stochastic", "interior")),
    Tag("odder", match=("k ſ point", "a.a", "sgd")),
)


def test_edge_cases_equal_the_reference_and_are_not_vacuous() -> None:
    matchers = fast.compile_matchers(EDGE_VOCABULARY)
    found = 0
    for title, abstract in EDGE_CASES:
        paper = Paper(id="e", title=title, abstract=abstract)
        expected = _reference_strengths(paper, EDGE_VOCABULARY)
        assert fast.tag_strengths(paper, matchers) == expected, (title, abstract)
        found += sum(expected.values())
    assert found > 20  # the cases do match something
    assert fast.tag_strengths(Paper(id="s", title="", abstract="gradient descent, gradient"), matchers) == {
        "first-order": 3
    }


# --- the facts about re and str the fast matcher relies on ---------------------------------------------------


def _all_characters() -> list[str]:
    return [chr(code) for code in range(sys.maxunicode + 1) if not 0xD800 <= code < 0xE000]


def test_ignorecase_ascii_matches_only_the_known_non_ascii_letters() -> None:
    # _fold turns exactly these into the ASCII letter; any other non-ASCII
    # character must never match an ASCII literal of a case-insensitive pattern.
    ascii_class = re.compile(r"[\x00-\x7f]", re.IGNORECASE)
    variants = {char: letter for char, letter in fast._ASCII_VARIANTS}
    matched = {char for char in _all_characters() if not char.isascii() and ascii_class.fullmatch(char)}
    assert matched == set(variants)
    for char, letter in variants.items():
        assert [ascii for ascii in map(chr, range(128)) if re.fullmatch(re.escape(ascii), char, re.I)] == [
            letter,
            letter.upper(),
        ] or [ascii for ascii in map(chr, range(128)) if re.fullmatch(re.escape(ascii), char, re.I)] == [
            letter.upper(),
            letter,
        ]


def test_lower_keeps_one_character_for_one_but_for_the_dotted_capital_i() -> None:
    assert [char for char in _all_characters() if len(char.lower()) != 1] == ["\u0130"]
