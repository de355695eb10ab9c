"""LaTeX remnants decode to Unicode and no word goes missing."""

from __future__ import annotations

import re

import pytest
from text_unidecode import unidecode

from site_builder.ingest.latex import decode_latex
from site_builder.ingest.listing import read_listing
from tests.conftest import SEED_LISTING


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (r"T\'yr-the-Pruner", "Týr-the-Pruner"),
        (r"H\"older-continuous Hessians", "Hölder-continuous Hessians"),
        (r"an empirical study of {\it asynchronous} Local-SGD", "an empirical study of asynchronous Local-SGD"),
        (r"just 14.2\% of the original", "just 14.2% of the original"),
        ("overfitting and ``client-drift''. Experiments", "overfitting and “client-drift”. Experiments"),
        ("emotions--by introducing", "emotions–by introducing"),
        ("three axes -- architecture", "three axes – architecture"),
        (r"Lion (Evo\textbf{Lved Sign Momentum})", "Lion (EvoLved Sign Momentum)"),
        (r"\L{}ojasiewicz inequality", "Łojasiewicz inequality"),
        (r"$\alpha$-divergence", "$α$-divergence"),
    ],
)
def test_decodes_latex_remnants(raw: str, expected: str) -> None:
    assert decode_latex(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # A bare % would start a LaTeX comment and swallow the rest.
        ("a 78% compression rate while preserving", "a 78% compression rate while preserving"),
        ("Q&A and #1 at ~50% cost", "Q&A and #1 at ~50% cost"),
        ("costs $5 and $10 per run", "costs $5 and $10 per run"),
        # Inline math stays readable: braces of sub/superscripts are kept.
        ("regret O(n^{1+gamma}) with epsilon_{k,m}", "regret O(n^{1+gamma}) with epsilon_{k,m}"),
        ("runtime O(n^3) and L_2^2-loss", "runtime O(n^3) and L_2^2-loss"),
        # URLs are kept byte for byte (no dash for --).
        ("see https://github.com/a_b/c--d. Then -- go", "see https://github.com/a_b/c--d. Then – go"),
        ("x < y and <b>bold</b> & co", "x < y and <b>bold</b> & co"),
    ],
)
def test_plain_text_specials_survive(raw: str, expected: str) -> None:
    assert decode_latex(raw) == expected


def test_repairs_left_right_whose_backslashes_were_lost() -> None:
    title = "Damped Newton Method with Near-Optimal Global Oleft(k^{-3} right) Convergence Rate"
    assert decode_latex(title) == "Damped Newton Method with Near-Optimal Global O(k^{-3}) Convergence Rate"


def test_leaves_english_left_and_right_alone() -> None:
    text = "We turn left (then right) at {the} corner"
    assert decode_latex(text) == "We turn left (then right) at the corner"


_LATEX_COMMAND = re.compile(r"\\[A-Za-z]+|\\.")
_LOST_BACKSLASH_WORDS = {"left", "right", "Oleft"}


def _words(text: str) -> list[str]:
    return re.findall(r"[A-Za-z0-9]+", text)


def test_no_word_of_the_seed_listing_goes_missing() -> None:
    """Every word of every raw title and abstract is still there after decoding."""
    raw_lines = SEED_LISTING.read_text(encoding="utf-8").splitlines()
    result = read_listing(SEED_LISTING.read_text(encoding="utf-8"), "seed.txt")
    assert len(result.records) == 119
    for record in result.records:
        raw_title = raw_lines[record.line - 1].removeprefix("Subscribe")
        raw_abstract = next(line for line in raw_lines[record.line :] if line.strip())
        for raw, decoded in ((raw_title, record.paper.title), (raw_abstract, record.paper.abstract)):
            decoded_words = _words(unidecode(decoded))
            for word in _words(_LATEX_COMMAND.sub(lambda m: "" if len(m.group()) > 2 else m.group()[1:], raw)):
                if word in _LOST_BACKSLASH_WORDS:
                    continue
                assert any(word in candidate for candidate in decoded_words) or word in unidecode(decoded), (
                    f"{word!r} from line {record.line} is missing in {decoded[:80]!r}"
                )
