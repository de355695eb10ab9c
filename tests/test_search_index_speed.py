"""The fast search index writer gives the bytes the plain one gave.

lunr_format.py, index.py, analysis.py and stemmer.py were rewritten for speed
(numpy postings, JSON written directly, memos per distinct word and weight,
prefix-only snippets, suffix checks before the stemmer's regexes). The
references below are the code as it was before, copied here, and each test
compares the two on random input: unicode, accents, digits, uppercase left
by folding, repeated and empty terms, empty fields, negative boosts.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from site_builder.catalog import CatalogPaths, load_catalog
from site_builder.search import analysis, parts, stemmer
from site_builder.search import body_words as body_words_module
from site_builder.search.analysis import FOLD_TABLE, STOP_WORDS, fold, words
from site_builder.search.body_words import body_words
from site_builder.search.index import (
    BODY_BOOSTS,
    BODY_GLOBAL_NAME,
    BODY_INDEX_FILE,
    FORMAT_VERSION,
    GLOBAL_NAME,
    HEAD_BOOSTS,
    INDEX_FILE,
    SEARCH_PIPELINE,
    SearchDocument,
    Stems,
    snippet,
)
from site_builder.search.lunr_format import COMPACT_JSON, build_index, build_index_of_numbered, lunr_index
from site_builder.search.parts import index_files

REPO = Path(__file__).resolve().parent.parent

# --- The references: the code before the rewrite. ---------------------------

K1, B = 1.2, 0.75


def reference_lunr_index(
    boosts: Mapping[str, int], documents: Iterable[Mapping[str, Sequence[str]]], pipeline: Sequence[str]
) -> dict[str, Any]:
    fields = list(boosts)
    term_numbers: dict[str, int] = {}
    postings: dict[str, dict[str, dict[str, dict[str, Any]]]] = {}
    frequencies: list[tuple[str, str, Counter[str], int]] = []
    for position, document in enumerate(documents):
        ref = str(position)
        for field in fields:
            terms = [term.lower() for term in document[field] if term]
            counts = Counter(terms)
            frequencies.append((field, ref, counts, len(terms)))
            for term in counts:
                posting = postings.get(term)
                if posting is None:
                    term_numbers[term] = len(term_numbers)
                    posting = postings[term] = {name: {} for name in fields}
                posting[field][ref] = {}
    document_count = len(frequencies) // len(fields) if fields else 0
    totals, counts_of = dict.fromkeys(fields, 0), dict.fromkeys(fields, 0)
    for field, _, _, length in frequencies:
        totals[field] += length
        counts_of[field] += 1
    average_length = {field: totals[field] / counts_of[field] if counts_of[field] else 0.0 for field in fields}
    idf = {}
    for term, posting in postings.items():
        with_term = sum(len(documents) for documents in posting.values())
        x = (document_count - with_term + 0.5) / (with_term + 0.5)
        idf[term] = math.log(1 + abs(x))
    field_vectors = []
    for field, ref, counts, length in frequencies:
        boost = boosts[field]
        vector: list[float] = []
        length_norm = K1 * (1 - B + B * (length / average_length[field])) if counts else 0.0
        for term in sorted(counts, key=term_numbers.__getitem__):
            tf = counts[term]
            score = idf[term] * ((K1 + 1) * tf) / (length_norm + tf)
            score *= boost
            score *= 1
            vector += (term_numbers[term], round(score, 3))
        field_vectors.append([f"{field}/{ref}", vector])
    inverted_index = [[term, {**postings[term], "_index": term_numbers[term]}] for term in sorted(postings)]
    return {
        "version": "2.3.9",
        "fields": fields,
        "fieldVectors": field_vectors,
        "invertedIndex": inverted_index,
        "pipeline": list(pipeline),
    }


def reference_rounded(serialized: dict[str, Any], decimals: int = 2) -> dict[str, Any]:
    for _, vector in serialized["fieldVectors"]:
        vector[1::2] = [round(weight, decimals) for weight in vector[1::2]]
    return serialized


def reference_words(text: str) -> list[str]:
    return [word for word in re.split(r"[\W_]+", fold(text)) if word]


def reference_snippet(text: str, length: int = 180) -> str:
    text = " ".join(text.split())
    if len(text) <= length:
        return text
    cut = text[:length].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + " …"


_c, _v = "[^aeiou]", "[aeiouy]"
_C, _V = _c + "[^aeiouy]*", _v + "[aeiou]*"
_MGR0 = re.compile("^(" + _C + ")?" + _V + _C)
_MEQ1 = re.compile("^(" + _C + ")?" + _V + _C + "(" + _V + ")?$")
_MGR1 = re.compile("^(" + _C + ")?" + _V + _C + _V + _C)
_S_V = re.compile("^(" + _C + ")?" + _v)
_CVC = re.compile("^" + _C + _v + "[^aeiouwxy]$")
_STEP2 = {
    "ational": "ate", "tional": "tion", "enci": "ence", "anci": "ance", "izer": "ize", "bli": "ble",
    "alli": "al", "entli": "ent", "eli": "e", "ousli": "ous", "ization": "ize", "ation": "ate",
    "ator": "ate", "alism": "al", "iveness": "ive", "fulness": "ful", "ousness": "ous", "aliti": "al",
    "iviti": "ive", "biliti": "ble", "logi": "log",
}  # fmt: skip
_STEP3 = {"icate": "ic", "ative": "", "alize": "al", "iciti": "ic", "ical": "ic", "ful": "", "ness": ""}
_STEP4 = "al|ance|ence|er|ic|able|ible|ant|ement|ment|ent|ou|ism|ate|iti|ous|ive|ize"


def reference_porter_stem(word: str) -> str:
    if len(word) < 3:
        return word
    first = word[0]
    if first == "y":
        word = "Y" + word[1:]
    if re.search(r"^(.+?)(ss|i)es$", word):
        word = re.sub(r"^(.+?)(ss|i)es$", r"\1\2", word, count=1)
    elif re.search(r"^(.+?)([^s])s$", word):
        word = re.sub(r"^(.+?)([^s])s$", r"\1\2", word, count=1)
    if match := re.search(r"^(.+?)eed$", word):
        if _MGR0.search(match.group(1)):
            word = re.sub(r".$", "", word, count=1)
    elif match := re.search(r"^(.+?)(ed|ing)$", word):
        stem = match.group(1)
        if _S_V.search(stem):
            word = stem
            if re.search(r"(at|bl|iz)$", word):
                word += "e"
            elif re.search(r"([^aeiouylsz])\1$", word):
                word = re.sub(r".$", "", word, count=1)
            elif _CVC.search(word):
                word += "e"
    if match := re.search(r"^(.+?[^aeiou])y$", word):
        word = match.group(1) + "i"
    if (match := re.search(rf"^(.+?)({'|'.join(_STEP2)})$", word)) and _MGR0.search(match.group(1)):
        word = match.group(1) + _STEP2[match.group(2)]
    if (match := re.search(rf"^(.+?)({'|'.join(_STEP3)})$", word)) and _MGR0.search(match.group(1)):
        word = match.group(1) + _STEP3[match.group(2)]
    if match := re.search(rf"^(.+?)({_STEP4})$", word):
        if _MGR1.search(match.group(1)):
            word = match.group(1)
    elif match := re.search(r"^(.+?)(s|t)(ion)$", word):
        stem = match.group(1) + match.group(2)
        if _MGR1.search(stem):
            word = stem
    if match := re.search(r"^(.+?)e$", word):
        stem = match.group(1)
        if _MGR1.search(stem) or (_MEQ1.search(stem) and not _CVC.search(stem)):
            word = stem
    if re.search(r"ll$", word) and _MGR1.search(word):
        word = re.sub(r".$", "", word, count=1)
    if first == "y":
        word = "y" + word[1:]
    return word


def reference_payload_scripts(documents: Sequence[SearchDocument]) -> dict[str, str]:
    def terms(text: str) -> list[str]:
        return [word for word in reference_words(text) if word not in STOP_WORDS]

    def index(boosts: dict[str, int], fields: Iterable[dict[str, list[str]]]) -> dict[str, Any]:
        stemmed = ({field: [reference_porter_stem(word) for word in ws] for field, ws in f.items()} for f in fields)
        return reference_rounded(reference_lunr_index(boosts, stemmed, SEARCH_PIPELINE))

    def script(payload: dict[str, Any], name: str) -> str:
        compact = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=False)
        return f"window.{name}=JSON.parse({json.dumps(compact, ensure_ascii=True)});\n"

    split = [
        {
            "title": terms(document.title),
            "tags": terms(" ".join(document.tags)),
            "authors": terms(" ".join(document.authors)),
            "body": terms(document.body),
        }
        for document in documents
    ]
    head = index(HEAD_BOOSTS, ({field: fields[field] for field in HEAD_BOOSTS} for fields in split))
    body = index(BODY_BOOSTS, ({"body": fields["body"]} for fields in split))
    vocabulary = sorted({word for fields in split for ws in fields.values() for word in ws})
    table = [[d.id, d.title, d.year, list(d.tags), reference_snippet(d.body)] for d in documents]
    return {
        INDEX_FILE: script(
            {"version": FORMAT_VERSION, "fold": FOLD_TABLE, "words": vocabulary, "docs": table, "index": head},
            GLOBAL_NAME,
        ),
        BODY_INDEX_FILE: script({"version": FORMAT_VERSION, "index": body}, BODY_GLOBAL_NAME),
    }


# --- Random input. ----------------------------------------------------------

# Terms as they may reach lunr_index: uppercase (folding leaves "ℌ" as "H"), empty, unicode, repeats.
term = st.sampled_from(["optim", "gradient", "H", "h", "2023", "ﬁne", "İ", "x", ""]) | st.text(
    alphabet="abcAeé1", max_size=4
)
boosts = st.dictionaries(st.sampled_from(["title", "tags", "body", "%s {b}"]), st.integers(-3, 12), max_size=3)
# Text as it may reach the index: accents, letters NFKD leaves whole, ligatures, digits, punctuation, whitespace runs.
text = st.text(alphabet="aeiouyst nmlrgdbcvz ÉéøßæŁ ﬁℌ 0123456789 \t\n-_.,;:'", max_size=120) | st.text(max_size=40)
# Words built from the stemmer's own suffixes, so every step of it runs.
SUFFIXES = [*_STEP2, *_STEP3, *_STEP4.split("|"), "sses", "ies", "s", "eed", "ed", "ing", "y", "e", "ll", "ion"]
stem_word = st.builds(
    lambda stem, suffixes, tail: stem + "".join(suffixes) + tail,
    st.text(alphabet="abcdeilnorstuyYz", max_size=6),
    st.lists(st.sampled_from(SUFFIXES), max_size=2),
    st.sampled_from(["", "", "", "\n", "s", "x\n"]),
)


@st.composite
def lunr_input(draw: st.DrawFn) -> tuple[dict[str, int], list[dict[str, list[str]]]]:
    drawn = draw(boosts)
    documents = draw(st.lists(st.fixed_dictionaries({f: st.lists(term, max_size=8) for f in drawn}), max_size=8))
    return drawn, documents


# --- The tests. -------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(lunr_input())
@example(({"title": 10, "body": 1}, [{"title": [], "body": []}, {"title": ["", "H", "h"], "body": ["x"] * 3}]))
# Weights of 0.0, and of -0.002 (-0.0 at 2 decimals): a term in every document has an idf near 0.
@example(({"a": 0, "b": -1}, [{"a": ["y"], "b": ["x"]}] + [{"a": [], "b": ["x"]}] * 199))
@example(({}, [{}, {}]))
def test_lunr_index_is_the_reference_one(case: tuple[dict[str, int], list[dict[str, list[str]]]]) -> None:
    boost, documents = case
    expected = reference_lunr_index(boost, documents, SEARCH_PIPELINE)
    assert json.dumps(lunr_index(boost, documents, SEARCH_PIPELINE)) == json.dumps(expected)
    index = build_index(boost, documents, SEARCH_PIPELINE)
    assert index.to_json() == COMPACT_JSON.encode(expected)
    rounded = reference_rounded(expected)
    assert index.rounded(2).to_json() == COMPACT_JSON.encode(rounded)
    assert json.dumps(index.rounded(2).serialize()) == json.dumps(rounded)


@settings(max_examples=100, deadline=None)
@given(lunr_input())
def test_an_analysed_index_is_the_index_of_the_analysed_terms(
    case: tuple[dict[str, int], list[dict[str, list[str]]]],
) -> None:
    boost, documents = case

    def analyse(word: str) -> str | None:
        return None if word in {"optim", "x"} else word[::-1].upper()

    analysed = [{f: [t for t in map(analyse, ws) if t is not None] for f, ws in d.items()} for d in documents]
    expected = reference_lunr_index(boost, analysed, SEARCH_PIPELINE)
    assert build_index(boost, documents, SEARCH_PIPELINE, analyse).to_json() == COMPACT_JSON.encode(expected)


def test_a_field_named_like_lunrs_own_key_is_written_as_json_writes_it() -> None:
    boost = {"_index": 2, "body": 1}
    documents = [{"_index": ["a", "b"], "body": ["b"]}, {"_index": [], "body": ["a", "c"]}]
    expected = reference_lunr_index(boost, documents, SEARCH_PIPELINE)
    assert build_index(boost, documents, SEARCH_PIPELINE).to_json() == COMPACT_JSON.encode(expected)


document = st.builds(
    SearchDocument,
    id=st.text(alphabet="abc-:/", min_size=1, max_size=8),
    title=text,
    body=text,
    year=st.none() | st.integers(1990, 2030),
    tags=st.lists(text, max_size=3).map(tuple),
    authors=st.lists(text, max_size=3).map(tuple),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(document, max_size=6))
def test_the_index_files_are_the_reference_ones(documents: list[SearchDocument]) -> None:
    assert index_files(documents, Stems({})) == reference_payload_scripts(documents)


def test_the_seed_catalog_index_files_are_the_reference_ones() -> None:
    papers = load_catalog(CatalogPaths(REPO)).papers
    documents = [
        SearchDocument(id=p.id, title=p.title, body=p.abstract, year=p.year, tags=p.tags, authors=p.authors)
        for p in papers
    ]
    expected = reference_payload_scripts(documents)
    assert index_files(documents, Stems({})) == expected
    assert len(expected[BODY_INDEX_FILE]) > 100_000  # a real index


@settings(max_examples=300, deadline=None)
@given(text | st.text(alphabet=[chr(code) for code in range(128)]))
@example("ℌello_wörld 2x\x1c\x1fa\x0bb")
def test_words_are_the_regex_split(value: str) -> None:
    assert words(value) == reference_words(value)
    assert analysis.index_terms(value) == [
        reference_porter_stem(word) for word in reference_words(value) if word not in STOP_WORDS
    ]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab ,;:\t\n\u00a0", max_size=60), st.integers(0, 30))
@example("word " * 100, 24)
@example("a", 0)
def test_snippet_is_the_reference_one(value: str, length: int) -> None:
    assert snippet(value, length) == reference_snippet(value, length)


@settings(max_examples=600, deadline=None)
@given(stem_word | st.text(alphabet="aeiouyYsnlt\n", max_size=8))
@example("ies\n")
@example("y\nies")
def test_the_stemmer_is_the_reference_one(word: str) -> None:
    assert stemmer.porter_stem(word) == reference_porter_stem(word)


@settings(max_examples=60, deadline=None)
@given(st.lists(document, max_size=6), st.lists(document, max_size=6))
def test_stems_carried_from_another_catalog_give_the_same_files(
    documents: list[SearchDocument], earlier: list[SearchDocument]
) -> None:
    # The last build's stems, most of them for words this catalog no longer has: none may show.
    known = Stems({})
    index_files(earlier, known)
    assert index_files(documents, Stems(known)) == index_files(documents, Stems({}))


def files_from_parts(documents: list[SearchDocument], stems: Stems) -> dict[str, str]:
    """What the build writes: catalog.js joined from the head part and the body part (search/parts.py)."""
    head, body = parts.head_part(documents, stems), parts.body_part(documents, stems)
    return {INDEX_FILE: parts.head_file(documents, head, body.words), BODY_INDEX_FILE: body.text}


@settings(max_examples=60, deadline=None)
@given(st.lists(document, max_size=6), st.lists(document, max_size=6))
def test_the_files_joined_from_parts_are_the_reference_ones(
    documents: list[SearchDocument], earlier: list[SearchDocument]
) -> None:
    expected = reference_payload_scripts(documents)
    assert files_from_parts(documents, Stems({})) == expected
    # With another catalog's stems, as a build after edits has them.
    known = Stems({})
    index_files(earlier, known)
    assert files_from_parts(documents, Stems(known)) == expected


def test_a_part_made_for_other_documents_is_joined_as_if_made_now() -> None:
    """A build after an abstract edit joins the head part the last build made with a new body part."""
    papers = load_catalog(CatalogPaths(REPO)).papers
    documents = [
        SearchDocument(id=p.id, title=p.title, body=p.abstract, year=p.year, tags=p.tags, authors=p.authors)
        for p in papers
    ]
    earlier_head = parts.head_part(documents, Stems({}))
    edited = [*documents[:3], dataclasses.replace(documents[3], body="Zeroth-order quokkas."), *documents[4:]]
    body = parts.body_part(edited, Stems({}))
    joined = {INDEX_FILE: parts.head_file(edited, earlier_head, body.words), BODY_INDEX_FILE: body.text}
    assert joined == index_files(edited, Stems({}))
    assert "quokka" in joined[INDEX_FILE]  # the vocabulary has the new word


@settings(max_examples=200, deadline=None)
@given(lunr_input(), st.lists(term, max_size=6), st.randoms(use_true_random=False))
def test_an_index_of_numbered_words_is_the_index_of_the_words(
    case: tuple[dict[str, int], list[dict[str, list[str]]]], unused: list[str], shuffle: Any
) -> None:
    """The search body is made from word numbers (search/body_words.py): any order of the words, unused ones too."""
    boost, documents = case
    texts = [document[field] for document in documents for field in boost]
    vocabulary = list(dict.fromkeys([*unused, *(element for elements in texts for element in elements)]))
    shuffle.shuffle(vocabulary)
    number_of = {word: number for number, word in enumerate(vocabulary)}
    numbers = np.array([number_of[element] for elements in texts for element in elements], dtype=np.int64)
    sizes = np.array([len(elements) for elements in texts], dtype=np.int64)

    def analyse(word: str) -> str | None:
        return None if word in {"optim", "x"} else word[::-1].upper()

    numbered = build_index_of_numbered(boost, vocabulary, numbers, sizes, SEARCH_PIPELINE, analyse)
    assert numbered.to_json() == build_index(boost, documents, SEARCH_PIPELINE, analyse).to_json()


@settings(max_examples=60, deadline=None)
@given(st.lists(document, max_size=6), st.lists(document, max_size=6), st.lists(document, max_size=6))
def test_body_words_carried_from_other_builds_give_the_body_made_afresh(
    documents: list[SearchDocument], earlier: list[SearchDocument], earliest: list[SearchDocument]
) -> None:
    """A rebuild splits only the bodies that changed; the words it carries over, dead ones included, change nothing."""
    carried = body_words(parts.body_inputs(earlier), body_words(parts.body_inputs(earliest)))
    analysed = body_words(parts.body_inputs(documents), carried)
    assert analysed.digests == body_words(parts.body_inputs(documents)).digests
    assert parts.body_part(documents, Stems({}), analysed) == parts.body_part(documents, Stems({}))
    assert parts.body_part(documents, Stems({})).text == reference_payload_scripts(documents)[BODY_INDEX_FILE]


def test_after_an_abstract_edit_only_that_body_is_split_again(monkeypatch: pytest.MonkeyPatch) -> None:
    papers = load_catalog(CatalogPaths(REPO)).papers
    bodies = [paper.abstract for paper in papers]
    before = body_words(bodies)
    edited = [*bodies[:3], bodies[3] + " Zeroth-order quokkas.", *bodies[4:]]
    split: list[str] = []
    monkeypatch.setattr(body_words_module, "split_words", lambda text: split.append(text) or words(text))
    after = body_words(edited, before)
    assert split == [edited[3]]
    assert after.words[: len(before.words)] == before.words and "quokkas" in after.words
    fresh = body_words(edited)
    assert [after.words[n] for n in after.numbers.tolist()] == [fresh.words[n] for n in fresh.numbers.tolist()]


def test_body_words_carried_across_moves_removals_and_repeats_are_the_fresh_words() -> None:
    """Bodies are taken from the last build a run at a time where they kept their place, one by one where
    they moved: edits at both ends and in the middle, a removal, an insertion and a repeated body."""
    bodies = [paper.abstract for paper in load_catalog(CatalogPaths(REPO)).papers][:40]
    before = body_words(bodies)
    edited = [bodies[0] + " Quokkas first.", *bodies[1:20], bodies[20] + " Quokkas between.", *bodies[21:39]]
    edited[30:30] = ["An inserted body about zeroth-order wombats.", bodies[5]]
    del edited[12]
    edited.append(bodies[39] + " Quokkas last.")
    after = body_words(edited, before)
    fresh = body_words(edited)
    assert after.digests == fresh.digests
    assert after.sizes.tolist() == fresh.sizes.tolist()
    assert [after.words[n] for n in after.numbers.tolist()] == [fresh.words[n] for n in fresh.numbers.tolist()]
    assert body_words(edited, before, digests=fresh.digests).numbers.tolist() == after.numbers.tolist()
