"""The arXiv API answer reader: recorded Atom answers in, records with their lines out; unsafe XML refused."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from site_builder.ingest.arxiv import read_arxiv

DATA = Path(__file__).parent / "data"
ANSWER = DATA / "arxiv-answer.xml"

FEED_START = '<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n'


def entry_lines(text: str) -> list[int]:
    """Line numbers of the lines holding an <entry> tag, found without any XML parser."""
    return [number for number, line in enumerate(text.splitlines(), start=1) if line.strip() == "<entry>"]


def test_each_entry_becomes_a_record_with_the_line_of_its_entry_tag() -> None:
    text = ANSWER.read_text(encoding="utf-8")
    result = read_arxiv(text, "answer.xml")
    assert result.problems == ()
    assert [record.line for record in result.records] == entry_lines(text)
    assert all(record.path == "answer.xml" and record.paper.id == "" for record in result.records)
    assert [record.paper.arxiv for record in result.records] == ["2302.06675", "1405.4980", "1611.01838", "1412.6980"]


def test_fields_of_an_entry() -> None:
    lion, convex, entropy, _adam = (record.paper for record in read_arxiv(ANSWER.read_text(), "a.xml").records)
    assert lion.title == "Symbolic Discovery of Optimization Algorithms"
    assert lion.arxiv == "2302.06675"  # <id> ends in v4
    assert lion.authors[:3] == ("Xiangning Chen", "Chen Liang", "Da Huang") and lion.authors[-1] == "Quoc V. Le"
    assert len(lion.authors) == 12
    assert (lion.year, lion.category, lion.venue, lion.doi) == (2023, "cs.LG", "NeurIPS 2023", "")
    assert lion.pdf == "https://arxiv.org/pdf/2302.06675v4"  # the feed's http:// link, made https://
    assert lion.abstract.startswith("We present a method to formulate algorithm discovery as program search, and apply")
    assert convex.title == "Convex Optimization: Algorithms and Complexity"  # the line break inside is gone
    assert convex.authors == ("Sébastien Bubeck",)
    assert (convex.year, convex.category, convex.doi) == (2014, "math.OC", "10.1561/2200000050")  # year: published
    assert convex.venue == "In Foundations and Trends in Machine Learning, Vol. 8: No. 3-4, pp 231-357, 2015"
    assert (entropy.venue, entropy.doi) == ("", "")  # not given: left empty
    for paper in (lion, convex, entropy):
        assert "\n" not in paper.abstract and "  " not in paper.abstract and paper.abstract == paper.abstract.strip()


def test_latex_in_title_and_abstract_is_decoded() -> None:
    result = read_arxiv((DATA / "lookup" / "title-lazy-hessians.xml").read_text(encoding="utf-8"), "lazy.xml")
    (paper,) = (record.paper for record in result.records)
    assert paper.title == "Second-order optimization with lazy Hessians"
    assert paper.abstract.endswith("by a factor $√(d)$.")  # $\sqrt{d}$
    assert "\\" not in paper.abstract
    assert (paper.authors, paper.year, paper.category) == (
        ("Nikita Doikov", "El Mahdi Chayti", "Martin Jaggi"),
        2022,
        "math.OC",
    )


def test_old_style_ids_and_https_pdf_links() -> None:
    text = (
        FEED_START + "  <entry>\n    <id>http://arxiv.org/abs/hep-th/9711200v3</id>\n"
        "    <published>1997-11-27T21:26:03Z</published>\n"
        "    <title>The Large N Limit of Superconformal Field Theories and Supergravity</title>\n"
        "    <author><name>Juan M. Maldacena</name></author>\n"
        '    <link title="pdf" href="http://arxiv.org/pdf/hep-th/9711200v3" rel="related" type="application/pdf"/>\n'
        "  </entry>\n</feed>\n"
    )
    (record,) = read_arxiv(text, "old.xml").records
    assert (record.paper.arxiv, record.paper.year) == ("hep-th/9711200", 1997)
    assert record.paper.pdf == "https://arxiv.org/pdf/hep-th/9711200v3"
    assert record.line == 3


def test_a_comment_mentioning_entry_does_not_shift_the_lines() -> None:
    text = (
        FEED_START + "  <!-- each <entry> is one paper -->\n"
        "  <entry><id>http://arxiv.org/abs/2302.06675v1</id><title>One</title></entry>\n"
        "  <entry>\n    <id>http://arxiv.org/abs/1412.6980v1</id><title>Two</title></entry>\n</feed>\n"
    )
    assert [(record.paper.title, record.line) for record in read_arxiv(text, "c.xml").records] == [
        ("One", 4),
        ("Two", 5),
    ]


BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE feed [\n <!ENTITY lol "lol">\n'
    + "".join(f' <!ENTITY lol{n} "{f"&lol{n - 1};" * 10 if n > 2 else "&lol;" * 10}">\n' for n in range(2, 10))
    + ']>\n<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>&lol9;</title></entry></feed>\n'
)


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        (BILLION_LAUGHS, "this XML declares entities; refused for safety"),
        (
            '<?xml version="1.0"?>\n<!DOCTYPE feed [<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n'
            '<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>&secret;</title></entry></feed>\n',
            "this XML declares entities; refused for safety",
        ),
        (
            '<?xml version="1.0"?>\n<!DOCTYPE feed SYSTEM "http://example.org/atom.dtd">\n'
            '<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>x</title></entry></feed>\n',
            "this XML has a document type declaration (DTD); refused for safety",
        ),
    ],
    ids=["billion-laughs", "external-entity", "dtd"],
)
def test_unsafe_xml_is_refused_with_a_clear_message(document: str, expected: str) -> None:
    started = time.perf_counter()
    result = read_arxiv(document, "bomb.xml")
    assert time.perf_counter() - started < 1  # refused, not expanded
    assert result.records == ()
    assert [str(problem) for problem in result.problems] == [
        f"bomb.xml:1: {expected} (an arXiv API answer never needs it)"
    ]


def test_malformed_xml_gives_the_line_of_the_error() -> None:
    text = FEED_START + "  <entry>\n    <title>Unclosed\n  </entry>\n</feed>\n"
    (problem,) = read_arxiv(text, "broken.xml").problems
    assert (problem.line, problem.message) == (5, "this is not well-formed XML: mismatched tag")


def test_a_document_that_is_not_a_feed_is_refused() -> None:
    (problem,) = read_arxiv("<html><body>Service unavailable</body></html>", "page.xml").problems
    assert problem.message == "not an arXiv API answer: the document is not an Atom <feed>"


def test_error_entries_and_untitled_entries_are_reported_and_the_rest_still_read() -> None:
    text = (
        (DATA / "lookup" / "error-bad-id.xml")
        .read_text(encoding="utf-8")
        .replace(
            "</feed>",
            "  <entry>\n    <id>http://arxiv.org/abs/1611.01838v5</id>\n    <title>  </title>\n  </entry>\n"
            "  <entry>\n    <id>http://arxiv.org/abs/1412.6980v9</id>\n"
            "    <title>Adam: A Method for Stochastic Optimization</title>\n  </entry>\n</feed>",
        )
    )
    result = read_arxiv(text, "mixed.xml")
    assert [str(problem) for problem in result.problems] == [
        "mixed.xml:10: arXiv answered with an error: incorrect id format for 2302.0667x",
        "mixed.xml:20: title: entry has no title",
    ]
    assert [(record.paper.arxiv, record.line) for record in result.records] == [("1412.6980", 24)]
