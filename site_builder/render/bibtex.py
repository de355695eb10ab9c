"""BibTeX out: one entry per paper, readable stable keys, text escaped so it reads back the same.

Keys look like ``chen2023symbolic``: the first author's family name, the
year and the first significant word of the title, folded to ASCII. Papers
that would share a key get ``a``, ``b``, ... in the order they entered the
catalog (``added``, then id), so adding a paper never renames an older
paper's key.

Values are escaped for LaTeX (``\\ { } % & # $ _ ~ ^``, and the ligatures
``--``, ````` and ``''``), so that importing an exported file gives the same
text back; non-ASCII letters stay as UTF-8, which BibLaTeX/biber and modern
BibTeX read. Titles get an extra pair of braces so styles keep their case.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence

from slugify import slugify

from site_builder.model import Paper

_SKIP_WORDS = frozenset(
    "a an the on of in for to and with via towards toward from by at is are do does can what how why when".split()
)
_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "%": r"\%",
    "&": r"\&",
    "#": r"\#",
    "$": r"\$",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
# TeX turns these character pairs into other characters (– — “ ”); an empty group keeps them apart.
_LIGATURE = re.compile(r"(?<=-)(?=-)|(?<=`)(?=`)|(?<=')(?=')")
_WORD = re.compile(r"[A-Za-z0-9]+")


def bibtex_keys(papers: Iterable[Paper]) -> dict[str, str]:
    """Paper id → citation key, unique across ``papers``."""
    groups: dict[str, list[Paper]] = defaultdict(list)
    for paper in papers:
        groups[_base_key(paper)].append(paper)
    keys: dict[str, str] = {}
    for base, members in groups.items():
        members.sort(key=lambda paper: (paper.added or dt.date.min, paper.id))
        for number, paper in enumerate(members):
            keys[paper.id] = base + _suffix(number)
    return keys


def _base_key(paper: Paper) -> str:
    family = _ascii_words(paper.authors[0].split()[-1]) if paper.authors else []
    title_words = [word for word in _ascii_words(paper.title) if word not in _SKIP_WORDS]
    parts = [family[0] if family else "", str(paper.year or ""), title_words[0] if title_words else ""]
    return "".join(parts) or "paper"


def _ascii_words(value: str) -> list[str]:
    return _WORD.findall(slugify(value, separator=" ", lowercase=True))


def _suffix(number: int) -> str:
    """'' for the first paper, then a, b, ..., z, aa, ab, ..."""
    if number == 0:
        return ""
    letters = ""
    number -= 1
    while True:
        letters = chr(ord("a") + number % 26) + letters
        number = number // 26 - 1
        if number < 0:
            return letters


def escape_latex(value: str) -> str:
    """``value`` as BibTeX field text that reads back as exactly ``value``."""
    escaped = "".join(_LATEX_SPECIAL.get(char, char) for char in " ".join(value.split()))
    return _LIGATURE.sub("{}", escaped)


def bibtex_entry(paper: Paper, key: str) -> str:
    """One entry: ``@article`` when the paper has a venue, else ``@misc`` (an arXiv preprint, say)."""
    kind = "article" if paper.venue else "misc"
    fields: list[tuple[str, str]] = [("title", "{" + escape_latex(paper.title) + "}")]
    if paper.authors:
        fields.append(("author", " and ".join(_name(name) for name in paper.authors)))
    if paper.venue:
        fields.append(("journal", escape_latex(paper.venue)))
    if paper.year:
        fields.append(("year", str(paper.year)))
    if paper.doi:
        fields.append(("doi", _verbatim(paper.doi)))
    if paper.arxiv:
        fields.append(("eprint", paper.arxiv))
        fields.append(("archivePrefix", "arXiv"))
        if paper.category:
            fields.append(("primaryClass", escape_latex(paper.category)))
    url = paper.url or (f"https://arxiv.org/abs/{paper.arxiv}" if paper.arxiv else "")
    if url:
        fields.append(("url", _verbatim(url)))
    if paper.abstract:
        fields.append(("abstract", escape_latex(paper.abstract)))
    body = "".join(f"  {name} = {{{value}}},\n" for name, value in fields)
    return f"@{kind}{{{key},\n{body}}}\n"


def bibtex_file(papers: Sequence[Paper], keys: dict[str, str]) -> str:
    """Entries for ``papers``, in the given order, separated by blank lines."""
    return "\n".join(bibtex_entry(paper, keys[paper.id]) for paper in papers)


def _name(name: str) -> str:
    # A comma or a lone "and" inside one name would split it; braces keep it whole.
    escaped = escape_latex(name)
    if "," in name or re.search(r"\band\b", name, re.IGNORECASE):
        return "{" + escaped + "}"
    return escaped


def _verbatim(value: str) -> str:
    """DOIs and URLs are read as written (biblatex's verbatim fields); only an unbalanced brace breaks one."""
    depth = 0
    for char in value:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            break
    return value if depth == 0 else value.replace("{", "%7B").replace("}", "%7D")
