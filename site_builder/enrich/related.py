"""Related papers by text similarity: TF-IDF over title and abstract.

The title is repeated so its words weigh more than the abstract's; bigrams
catch method names of two words ("gradient descent"). Scores are cosine
similarities, rounded so ties break the same way on every machine (by id).
"""

from __future__ import annotations

from collections.abc import Sequence

from sklearn.feature_extraction.text import TfidfVectorizer

from site_builder.model import Paper, RelatedLink

RELATED_COUNT = 5
TITLE_REPEAT = 3


def related_papers(papers: Sequence[Paper], count: int = RELATED_COUNT) -> dict[str, tuple[RelatedLink, ...]]:
    """The ``count`` most similar papers to each paper, best first."""
    if len(papers) < 2:
        return {paper.id: () for paper in papers}
    documents = [" ".join([paper.title] * TITLE_REPEAT + [paper.abstract]) for paper in papers]
    vectorizer = TfidfVectorizer(stop_words="english", sublinear_tf=True, ngram_range=(1, 2), min_df=1)
    matrix = vectorizer.fit_transform(documents)  # rows are L2-normalised
    similarity = (matrix @ matrix.T).tocsr()
    result: dict[str, tuple[RelatedLink, ...]] = {}
    for row, paper in enumerate(papers):
        start, end = similarity.indptr[row], similarity.indptr[row + 1]
        candidates = [
            (round(float(score), 4), papers[column].id)
            for column, score in zip(similarity.indices[start:end], similarity.data[start:end], strict=True)
            if column != row and score > 0
        ]
        candidates.sort(key=lambda item: (-item[0], item[1]))
        result[paper.id] = tuple(RelatedLink(paper_id, score) for score, paper_id in candidates[:count])
    return result
