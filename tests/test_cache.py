"""The build cache's groups: many results found by one key, still kept one by one."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from site_builder.cache import SHARDS, BuildCache, Memo, code_fingerprint, digest


def list_pages(papers: dict[str, str], made: Counter[str]) -> object:
    """A step like the list pages: one page per paper made through the memo, and an index that is not."""

    def step(memo: Memo) -> dict[str, str]:
        pages = {}
        for paper_id, title in papers.items():

            def make(paper_id: str = paper_id, title: str = title) -> str:
                made[paper_id] += 1
                return f"<h1>{title}</h1>"

            pages[f"{paper_id}.md"] = memo(("page", paper_id, title), make)
        pages["index.md"] = " ".join(sorted(papers))
        return pages

    return step


def build(folder: Path, papers: dict[str, str], made: Counter[str]) -> dict[str, str]:
    """One build: the group looked up in the cache left by the last one, then saved."""
    cache = BuildCache(folder)
    pages = cache.items("pages").group(("lists", sorted(papers.items())), list_pages(papers, made))  # type: ignore[arg-type]
    cache.save()
    return pages


def test_a_group_is_found_again_whole_and_its_values_survive_builds_that_found_it(tmp_path: Path) -> None:
    papers = {"a": "Adam", "b": "Bees", "c": "Cats"}
    made: Counter[str] = Counter()
    first = build(tmp_path, papers, made)
    assert made == Counter({"a": 1, "b": 1, "c": 1})
    assert first == {"a.md": "<h1>Adam</h1>", "b.md": "<h1>Bees</h1>", "c.md": "<h1>Cats</h1>", "index.md": "a b c"}

    assert build(tmp_path, papers, made) == first  # the same inputs: nothing made again
    assert sum(made.values()) == 3

    # One title changed after a build that found the group: only that page is made again, the
    # others come from the keys the group kept alive.
    papers["b"] = "Birds"
    changed = build(tmp_path, papers, made)
    assert made == Counter({"a": 1, "b": 2, "c": 1})
    assert changed == {**first, "b.md": "<h1>Birds</h1>"}
    assert build(tmp_path, papers, made) == changed
    assert sum(made.values()) == 4


def test_a_group_whose_values_were_lost_is_made_again(tmp_path: Path) -> None:
    papers = {"a": "Adam", "b": "Bees"}
    made: Counter[str] = Counter()
    first = build(tmp_path, papers, made)
    # The file holding page b's own key is lost, the group's is not: b is made again, not served broken.
    shard = digest((code_fingerprint(), ("page", "b", "Bees")))[0] % SHARDS
    group_shard = digest((code_fingerprint(), "group", ("lists", sorted(papers.items()))))[0] % SHARDS
    assert shard != group_shard  # (else this test would lose the group too)
    (tmp_path / "pages" / f"{shard:02x}.pickle").unlink()
    assert build(tmp_path, papers, made) == first
    assert made == Counter({"a": 1, "b": 2})


def test_shards_written_by_a_second_process_are_found_by_the_next_build(tmp_path: Path) -> None:
    """``start_saving`` with every shard changed (a cold build): a forked process writes them while the build goes
    on, and the next build finds every value, made by neither."""
    values = {f"paper-{number}": f"page {number}" for number in range(8 * SHARDS)}
    cache = BuildCache(tmp_path)
    for name in ("pages", "tags"):
        memo = cache.items(name)
        for paper_id, page in values.items():
            memo((name, paper_id), lambda page=page: page)
    cache.start_saving()
    assert cache._writing[0]._process is not None  # two memos' worth of shards: written by a forked process
    cache.save()
    assert cache.misses == 2 * len(values)

    again = BuildCache(tmp_path)
    for name in ("pages", "tags"):
        memo = again.items(name)
        assert {paper_id: memo((name, paper_id), lambda: "made again") for paper_id in values} == values
    again.save()
    assert (again.hits, again.misses) == (2 * len(values), 0)


@pytest.mark.parametrize("started", [True, False], ids=["start_saving", "save alone"])
def test_what_is_written_later_is_found_by_the_next_build_and_nothing_of_a_failed_step(
    tmp_path: Path, started: bool
) -> None:
    """``writing_later``: the entries stored and kept inside it are written once ``start_saving`` starts a
    second process (which ``save`` waits for), or by ``save`` itself; a step that raised inside it leaves
    none of its entries."""
    cache = BuildCache(tmp_path)
    with cache.writing_later():
        cache.store("links", ("inputs", 1), {"a": ("b",)})
        cache.keep("state", [1, 2, 3])
    assert cache.found("links", ("inputs", 1)) is None  # not written yet: the build still has work for the cores
    try:
        with cache.writing_later():
            cache.store("failed", "inputs", "half-made")
            raise RuntimeError("the step failed")
    except RuntimeError:
        pass
    if started:
        cache.start_saving()
        assert len(cache._writing) == 2  # what was kept later, and the shards
    cache.save()

    again = BuildCache(tmp_path)
    assert again.found("links", ("inputs", 1)) == {"a": ("b",)}
    assert again.found("links", ("inputs", 2)) is None
    assert again.previous("state") == [1, 2, 3]
    assert again.found("failed", "inputs") is None
    assert again.stage("links", ("inputs", 1), lambda: "made again") == {"a": ("b",)}  # stage finds what store left
    cache.store("links", "new inputs", "after")  # outside writing_later: written at once
    assert BuildCache(tmp_path).found("links", "new inputs") == "after"


def test_a_save_that_does_not_wait_leaves_the_last_entries_or_the_new_ones_never_a_broken_one(
    tmp_path: Path,
) -> None:
    """``save(wait=False)`` returns while a second process writes what was kept later (the build's MkDocs
    renders meanwhile): a build that reads the cache then finds the last entries or the new ones,
    each whole; after ``wait_for_writes`` the new ones."""
    first = BuildCache(tmp_path)
    first.keep("state", ["last build"] * 1000)
    first.save()
    cache = BuildCache(tmp_path)
    with cache.writing_later():
        cache.keep("state", ["this build"] * 300_000)  # big enough to take a while to write
    cache.start_saving()
    cache.save(wait=False)
    assert BuildCache(tmp_path).previous("state") in (["last build"] * 1000, ["this build"] * 300_000)
    cache.wait_for_writes()
    assert cache._writing == []
    assert BuildCache(tmp_path).previous("state") == ["this build"] * 300_000
    assert not [path.name for path in tmp_path.iterdir() if path.name.endswith(".tmp")]


def test_digest_tells_values_apart_and_ignores_how_they_were_made() -> None:
    """Keys spell values, not objects: an equal string made at run time or read back from a pickle gives
    the same key; values that differ only in type do not; values marshal cannot spell (a dataclass, a
    date) are keyed by their repr."""
    import datetime
    import pickle

    from site_builder.model import Tag

    made_now = "".join(["trans", "former"])
    value = (b"\x00fp", ("tags", made_now, 1, 2.5, None, [made_now, made_now], {"a": (True,)}))
    assert digest(value) == digest(pickle.loads(pickle.dumps(value)))
    assert digest(("transformer", "transformer")) == digest((made_now, "transformer"))
    different = [(1,), [1], ("1",), (1.0,), (True,), (b"1",), ((1,),), ({1: 1},), ({"1": 1},)]
    assert len({digest(item) for item in different}) == len(different)
    tag = Tag(name="graphs", description="Graph <b>methods</b>")
    same_tag = Tag(name="graphs", description="Graph <b>methods</b>")
    assert digest((tag, datetime.date(2024, 1, 2))) == digest((same_tag, datetime.date(2024, 1, 2)))
    assert digest((tag,)) != digest((Tag(name="graphs"),))
    assert digest(datetime.date(2024, 1, 2)) != digest(datetime.date(2024, 1, 3))
