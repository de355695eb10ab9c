"""Write a synthetic catalog project of N papers, for benchmarks.

    python bench/generate.py N OUT_DIR [--seed S]

OUT_DIR gets what ``python -m site_builder --root OUT_DIR build`` needs (the
same pieces as ``make_project`` in tests/conftest.py): ``catalog/papers/<id>.yaml``
(N records in our schema), ``catalog/tags.yaml``, ``catalog/sources/`` (empty),
``mkdocs.yml``, the hand-written part of ``docs/`` and the MkDocs hooks and
theme overrides under ``site_builder/``; all copied from this repository.

The text is built from the seed catalog (catalog/papers/*.yaml):

* abstracts: 150-250 words from a word-level Markov chain over the seed
  abstracts (order 2, falling back to order 1 where order 2 would only copy a
  seed sentence), plus sentences naming the paper's method;
* titles: 6-15 words from a chain over the seed titles, often prefixed with a
  synthetic method name ("Vokanet: ...");
* method names and author names are synthetic, drawn from pools that grow with
  N so the vocabulary keeps growing with the catalog, as a real one does;
* 1-6 authors (prolific authors appear more often), years 2015-2025 (recent
  years more often), an ``added`` date, and ~15% of papers carry a manual tag.

Everything comes from one ``random.Random(seed)``, no set is ever iterated, so
the same N and seed give the same bytes (for the same repository files).
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import random
import re
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import yaml  # noqa: E402

from site_builder.catalog.records import paper_to_yaml_data  # noqa: E402
from site_builder.catalog.yamlio import dump_yaml  # noqa: E402
from site_builder.ids import unique_id  # noqa: E402
from site_builder.model import Paper  # noqa: E402
from site_builder.render.write import GENERATED_FILES, GENERATED_FOLDERS  # noqa: E402
from site_builder.textnorm import title_key  # noqa: E402

DEFAULT_SEED = 1
# docs/ entries the build generates (site_builder.render.write + index.md): never copied.
GENERATED_DOCS = GENERATED_FOLDERS + GENERATED_FILES  # what the build writes into docs/
YEARS = list(range(2015, 2026))
YEAR_WEIGHTS = [1, 1, 2, 2, 3, 4, 5, 6, 8, 10, 12]
AUTHOR_COUNTS = [1, 2, 3, 4, 5, 6]
AUTHOR_COUNT_WEIGHTS = [8, 20, 25, 22, 14, 11]
MANUAL_TAG_SHARE = 0.15
# Long-tail vocabulary: made-up terms per abstract, from a pool growing with N.
RARE_PER_ABSTRACT = 5
RARE_POOL_PER_PAPER = 3
ADDED_START = dt.date(2024, 1, 1)
SENTENCE_END = (".", "?", "!")
MAX_SENTENCE_WORDS = 45
TITLE_TAIL_WORDS = frozenset(
    "a an and as at by for from in into of on or the to via with without towards toward is are its their".split()
)

_SYLLABLES = [
    c + v
    for c in ("b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "ch", "sh", "th", "tr", "br", "qu")
    for v in ("a", "e", "i", "o", "u", "ai", "ei", "ou")
]
_METHOD_SUFFIXES = (
    "Net", "Former", "Opt", "GAN", "Diff", "Tune", "Flow", "BERT", "Search", "Prop", "Grad", "Mix", "Fusion",
    "Bench", "LM", "RL", "Seg", "Det", "VAE", "Align", "Match", "Sched", "Boost", "Prune", "Quant", "Shift",
)  # fmt: skip
_COMPOUND_HEADS = ("gradient", "attention", "kernel", "loss", "descent", "sampling", "transport", "regularized")
_FIRST_NAMES = (
    "Ada", "Ahmed", "Aiko", "Alejandro", "Alice", "Amara", "Ana", "Andrei", "Anika", "Arjun", "Ayesha",
    "Bao", "Beatriz", "Ben", "Carla", "Chen", "Chiara", "Daniel", "Dmitri", "Elena", "Emeka", "Emma",
    "Fatima", "Felix", "Hana", "Hao", "Hiroshi", "Ines", "Ivan", "Jae", "James", "Jia", "Jonas", "Julia",
    "Kai", "Karim", "Kenji", "Lars", "Laura", "Lei", "Li", "Lina", "Lucas", "Maria", "Mateo", "Mei",
    "Mohammed", "Nadia", "Naveen", "Nikos", "Noah", "Olga", "Omar", "Pablo", "Priya", "Qiang", "Rahul",
    "Rosa", "Sara", "Sebastian", "Seo-yeon", "Sofia", "Sven", "Tariq", "Thomas", "Tomasz", "Umar", "Valentina",
    "Wei", "Xin", "Yan", "Yasmin", "Yuki", "Yusuf", "Zhang", "Zoe", "Ren", "Ming", "Ruth", "Tiago",
)  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write a synthetic catalog project of N papers.")
    parser.add_argument("count", type=int, metavar="N", help="number of papers")
    parser.add_argument("out_dir", type=Path, metavar="OUT_DIR", help="project folder to create (must be empty)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default: {DEFAULT_SEED})")
    args = parser.parse_args(argv)
    if args.count < 1:
        parser.error("N must be 1 or more")
    if args.out_dir.exists() and any(args.out_dir.iterdir()):
        parser.error(f"{args.out_dir} exists and is not empty")
    stats = generate_project(args.count, args.out_dir, seed=args.seed)
    print(
        f"{args.out_dir}: {stats['papers']} papers, abstracts {stats['abstract_words_min']}-"
        f"{stats['abstract_words_max']} words (mean {stats['abstract_words_mean']:.0f}, "
        f"{stats['abstract_chars_mean']:.0f} chars), "
        f"titles {stats['title_words_min']}-{stats['title_words_max']} words, "
        f"{stats['distinct_words']} distinct words",
        file=sys.stderr,
    )
    return 0


# --- the project ---------------------------------------------------------------


def generate_project(count: int, out_dir: Path, seed: int = DEFAULT_SEED) -> dict[str, float]:
    """Write the project; returns a few statistics of the generated text."""
    papers = generate_papers(count, seed)
    copy_support_files(out_dir)
    papers_dir = out_dir / "catalog" / "papers"
    for paper in papers:
        (papers_dir / f"{paper.id}.yaml").write_text(dump_yaml(paper_to_yaml_data(paper)), encoding="utf-8")
    return text_stats(papers)


def copy_support_files(out_dir: Path) -> None:
    """tags.yaml, mkdocs.yml, hand-written docs/, hooks and theme (cf. tests/conftest.py)."""
    (out_dir / "catalog" / "papers").mkdir(parents=True, exist_ok=True)
    (out_dir / "catalog" / "sources").mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "catalog" / "tags.yaml", out_dir / "catalog" / "tags.yaml")
    shutil.copy(REPO / "mkdocs.yml", out_dir / "mkdocs.yml")
    shutil.copytree(REPO / "docs", out_dir / "docs", ignore=_skip_generated_docs)
    (out_dir / "site_builder").mkdir()
    shutil.copy(REPO / "site_builder" / "mkdocs_hooks.py", out_dir / "site_builder" / "mkdocs_hooks.py")
    shutil.copytree(REPO / "site_builder" / "theme", out_dir / "site_builder" / "theme")


def _skip_generated_docs(folder: str, names: list[str]) -> set[str]:
    if Path(folder).resolve() == (REPO / "docs").resolve():
        return {name for name in names if name in GENERATED_DOCS}
    return set()


def text_stats(papers: Sequence[Paper]) -> dict[str, float]:
    abstract_words = [len(paper.abstract.split()) for paper in papers]
    title_words = [len(paper.title.split()) for paper in papers]
    vocabulary = {word for paper in papers for word in re.findall(r"\w+", f"{paper.title} {paper.abstract}".lower())}
    return {
        "papers": len(papers),
        "abstract_words_min": min(abstract_words),
        "abstract_words_max": max(abstract_words),
        "abstract_words_mean": sum(abstract_words) / len(papers),
        "abstract_chars_mean": sum(len(paper.abstract) for paper in papers) / len(papers),
        "title_words_min": min(title_words),
        "title_words_max": max(title_words),
        "distinct_words": len(vocabulary),
    }


# --- the papers ----------------------------------------------------------------


def generate_papers(count: int, seed: int = DEFAULT_SEED) -> list[Paper]:
    """``count`` synthetic papers, sorted by id."""
    rng = random.Random(seed)
    seed_titles, seed_abstracts = load_seed_text(REPO / "catalog" / "papers")
    abstract_chain = Chain([sentence for text in seed_abstracts for sentence in split_sentences(text)])
    title_chain = Chain([title.split() for title in seed_titles])
    tag_names = load_tag_names(REPO / "catalog" / "tags.yaml")
    methods = method_pool(rng, max(40, count * 3 // 5))
    people = author_pool(rng, max(30, count * 2))
    people_weights = list(itertools.accumulate(1.0 / (rank + 1) ** 0.7 for rank in range(len(people))))
    rare = rare_term_pool(rng, max(100, count * RARE_POOL_PER_PAPER))
    rare_weights = list(itertools.accumulate(1.0 / (rank + 1) ** 0.6 for rank in range(len(rare))))

    papers: list[Paper] = []
    taken_ids: set[str] = set()
    taken_titles: set[str] = set()
    for _ in range(count):
        method = rng.choice(methods)
        title = make_title(rng, title_chain, abstract_chain, method)
        while title_key(title) in taken_titles:
            title = make_title(rng, title_chain, abstract_chain, rng.choice(methods))
        taken_titles.add(title_key(title))
        paper_id = unique_id(title, taken_ids)
        taken_ids.add(paper_id)
        authors = _distinct(
            rng.choices(people, cum_weights=people_weights, k=_weighted(rng, AUTHOR_COUNTS, AUTHOR_COUNT_WEIGHTS))
        )
        tags = (rng.choice(tag_names),) if rng.random() < MANUAL_TAG_SHARE else ()
        papers.append(
            Paper(
                id=paper_id,
                title=title,
                abstract=make_abstract(
                    rng, abstract_chain, method, rng.choices(rare, cum_weights=rare_weights, k=RARE_PER_ABSTRACT)
                ),
                authors=tuple(authors),
                year=_weighted(rng, YEARS, YEAR_WEIGHTS),
                tags=tags,
                added=ADDED_START + dt.timedelta(days=rng.randrange(700)),
            )
        )
    return sorted(papers, key=lambda paper: paper.id)


def load_seed_text(papers_dir: Path) -> tuple[list[str], list[str]]:
    titles, abstracts = [], []
    for path in sorted(papers_dir.glob("*.yaml")):
        record = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        titles.append(" ".join(str(record.get("title", "")).split()))
        if record.get("abstract"):
            abstracts.append(" ".join(str(record["abstract"]).split()))
    if not abstracts:
        raise SystemExit(f"no seed abstracts in {papers_dir}")
    return titles, abstracts


def load_tag_names(path: Path) -> list[str]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return [str(entry["name"]) for entry in data.get("tags", [])]


def split_sentences(text: str) -> list[list[str]]:
    sentences, current = [], []
    for word in text.split():
        current.append(word)
        if word.endswith(SENTENCE_END):
            sentences.append(current)
            current = []
    if current:
        sentences.append(current)
    return sentences


class Chain:
    """A word-level Markov chain: order 2 where it branches, else order 1."""

    def __init__(self, sequences: list[list[str]]) -> None:
        self.starts: list[tuple[str, ...]] = []
        self.first: dict[str, list[str]] = {}
        self.second: dict[tuple[str, str], list[str]] = {}
        self.words: list[str] = []
        end = "\x00"
        for sequence in sequences:
            if not sequence:
                continue
            self.starts.append(tuple(sequence[:2]))
            self.words.extend(sequence)
            padded = [*sequence, end]
            for position in range(len(padded) - 1):
                self.first.setdefault(padded[position], []).append(padded[position + 1])
                if position + 2 < len(padded):
                    pair = (padded[position], padded[position + 1])
                    self.second.setdefault(pair, []).append(padded[position + 2])
        self.end = end
        # Order-2 states with one distinct follower would copy seed text verbatim.
        self.branching = {pair for pair, followers in self.second.items() if len(set(followers)) > 1}

    def next_word(self, rng: random.Random, previous: list[str]) -> str | None:
        if len(previous) >= 2 and (previous[-2], previous[-1]) in self.branching and rng.random() < 0.7:
            followers = self.second[(previous[-2], previous[-1])]
        else:
            followers = self.first.get(previous[-1], [self.end])
        word = rng.choice(followers)
        return None if word == self.end else word

    def sequence(self, rng: random.Random, max_words: int) -> list[str]:
        words = list(rng.choice(self.starts))
        while len(words) < max_words and not words[-1].endswith(SENTENCE_END):
            word = self.next_word(rng, words)
            if word is None:
                break
            words.append(word)
        return words


def method_pool(rng: random.Random, size: int) -> list[str]:
    """Distinct synthetic method names such as ``Vokanet``, ``TreimuFormer``, ``Sozi-3``."""
    names: dict[str, None] = {}
    while len(names) < size:
        stem = "".join(rng.choice(_SYLLABLES) for _ in range(rng.choice((2, 2, 3))))
        style = rng.random()
        if style < 0.4:
            name = stem.capitalize() + rng.choice(_METHOD_SUFFIXES)
        elif style < 0.6:
            name = stem.upper()[:6]
        elif style < 0.8:
            name = f"{stem.capitalize()}-{rng.randrange(2, 10)}"
        else:
            name = stem.capitalize()
        names.setdefault(name, None)
    return list(names)


def rare_term_pool(rng: random.Random, size: int) -> list[str]:
    """Distinct made-up technical words (``trabouzine``, ``kelo-gradient``...), the vocabulary's long tail."""
    terms: dict[str, None] = {}
    while len(terms) < size:
        stem = "".join(rng.choice(_SYLLABLES) for _ in range(rng.choice((2, 3, 3, 4))))
        style = rng.random()
        if style < 0.7:
            term = stem + rng.choice(("", "", "ine", "ide", "ity", "al", "ic", "ization", "ers"))
        elif style < 0.85:
            term = f"{stem}-{rng.choice(_COMPOUND_HEADS)}"
        else:
            term = f"{stem[:4]}{rng.randrange(2, 100)}"
        terms.setdefault(term, None)
    return list(terms)


def author_pool(rng: random.Random, size: int) -> list[str]:
    """Distinct synthetic people: a real first name and a made-up surname."""
    people: dict[str, None] = {}
    while len(people) < size:
        surname = "".join(rng.choice(_SYLLABLES) for _ in range(rng.choice((2, 2, 3, 3, 4)))).capitalize()
        people.setdefault(f"{rng.choice(_FIRST_NAMES)} {surname}", None)
    order = list(people)
    rng.shuffle(order)
    return order


def make_title(rng: random.Random, titles: Chain, abstracts: Chain, method: str) -> str:
    """6-15 words: a seed title's first word, then words following each other in seed titles or abstracts."""
    length = rng.randint(6, 15)
    words = [f"{method}:"] if rng.random() < 0.35 else []
    words.append(rng.choice(titles.starts)[0])
    while len(words) < length:
        chain = titles if rng.random() < 0.5 and words[-1] in titles.first else abstracts
        word = chain.next_word(rng, words[-1:])
        words.append(word if word is not None else rng.choice(abstracts.words))
    words = [word.rstrip(".,;:") if position else word.rstrip(".,;") for position, word in enumerate(words)]
    for _ in range(20):
        if words[-1] and words[-1].lower() not in TITLE_TAIL_WORDS:
            break
        words[-1] = rng.choice(titles.words).rstrip(".,;:")
    words = [word for word in words if word]
    return " ".join(_title_case(word, position) for position, word in enumerate(words))


def _title_case(word: str, position: int) -> str:
    if position == 0 or (len(word) > 3 and word.lower() not in TITLE_TAIL_WORDS):
        return word[:1].upper() + word[1:]
    return word


def make_abstract(rng: random.Random, chain: Chain, method: str, rare_terms: Sequence[str] = ()) -> str:
    target = rng.randint(150, 250)
    method_sentences = [
        rng.choice(
            (
                f"We call our method {method}.",
                f"We propose {method}, a simple and general approach.",
                f"In this paper we introduce {method}.",
            )
        ),
        rng.choice(
            (
                f"Experiments show that {method} outperforms strong baselines.",
                f"Code for {method} is publicly available.",
                f"{method} scales to large problems with little tuning.",
            )
        ),
    ]
    body: list[list[str]] = []
    budget = target - sum(len(sentence.split()) for sentence in method_sentences)
    while sum(map(len, body)) < budget:
        body.append(chain.sequence(rng, MAX_SENTENCE_WORDS))
    words = [word for sentence in body for word in sentence][:budget]
    for term in rare_terms:  # the long tail: replace a word, keep its punctuation
        position = rng.randrange(len(words))
        old = words[position]
        words[position] = term + old[len(old.rstrip(".,;:?!")) :]
    words[-1] = words[-1].rstrip(".,;:") + "."
    words[0] = words[0][:1].upper() + words[0][1:]
    first, second = method_sentences
    cut = _sentence_break(words, rng.randint(0, min(3, len(words))))
    words = words[:cut] + first.split() + words[cut:]
    return " ".join(words + second.split())


def _sentence_break(words: list[str], nth: int) -> int:
    """Index just after the ``nth`` sentence end (0 = the start)."""
    if nth == 0:
        return 0
    seen = 0
    for position, word in enumerate(words):
        if word.endswith(SENTENCE_END):
            seen += 1
            if seen == nth:
                return position + 1
    return 0


def _weighted(rng: random.Random, values: Sequence[int], weights: Sequence[int]) -> int:
    return rng.choices(values, weights=weights, k=1)[0]


def _distinct(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


if __name__ == "__main__":
    sys.exit(main())
