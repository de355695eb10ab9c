"""A 2-D map of the catalog: papers about the same things land near each other.

TF-IDF of the words of title and abstract (the term counts that related
papers made, so a cached build counts only edited papers), reduced by a
truncated SVD (latent semantic analysis) to ``SVD_COMPONENTS`` dimensions. Up to ``TSNE_LIMIT`` papers,
t-SNE then lays those out in 2-D, which keeps topics together as visible
groups (under a second for 500 papers, but it grows faster than the catalog,
so it stops there). Above it, the map uses SVD axes
2 and 3 directly (the first mostly measures how many common terms a text
has), which is linear in the number of papers. Coordinates are scaled to
0..1 by percentiles (outliers do not squash the rest) and rounded; seeds are
fixed, so the same catalog always gives the same picture.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import sparse

from site_builder.enrich.text_features import TermCounts, count_terms, document_frequency, sublinear_tfidf_weights
from site_builder.model import Paper

SEED = 0
SVD_COMPONENTS = 30
TSNE_LIMIT = 500


def topic_coordinates(papers: Sequence[Paper], terms: TermCounts | None = None) -> dict[str, tuple[float, float]]:
    """Each paper's position on the map, both coordinates in 0..1 (``terms``: count_terms(papers), if made)."""
    if len(papers) < 4:
        return {paper.id: (0.5, 0.5) for paper in papers}
    matrix = _word_tfidf(terms if terms is not None else count_terms(papers), min_df=2 if len(papers) > 50 else 1)
    if matrix.shape[1] == 0:  # no word in common at all
        return _spiral(papers)
    # t-SNE works on SVD_COMPONENTS dimensions; above its limit only axes 2 and 3 are used, so compute just 3.
    wanted = SVD_COMPONENTS if len(papers) <= TSNE_LIMIT else 3
    components = min(wanted, matrix.shape[1] - 1, len(papers) - 1)
    if components < 3:
        return _spiral(papers)
    reduced = _reduced(matrix, components)
    if len(np.unique(np.round(reduced, 6), axis=0)) < 4:
        return _spiral(papers)  # (nearly) identical texts: there is nothing to lay out
    if len(papers) <= TSNE_LIMIT:
        # Imported here: scikit-learn takes over two seconds to import, and only small catalogs need t-SNE.
        from sklearn.manifold import TSNE

        norms = np.linalg.norm(reduced, axis=1, keepdims=True)
        unit = reduced / np.where(norms > 0, norms, 1.0)
        perplexity = min(30.0, max(2.0, (len(papers) - 1) / 3))  # t-SNE needs it below the number of points
        # A random start (seeded): the PCA start divides by a spread that can be zero.
        layout = TSNE(n_components=2, perplexity=perplexity, init="random", random_state=SEED, max_iter=500)
        points = layout.fit_transform(unit).astype(np.float64)
    else:
        points = reduced[:, 1:3].astype(np.float64)
    points = np.nan_to_num(points)
    # The sign of an SVD axis is arbitrary; fix it so the picture never flips.
    for axis in range(2):
        if points[np.argmax(np.abs(points[:, axis])), axis] < 0:
            points[:, axis] = -points[:, axis]
    low, high = np.percentile(points, 2, axis=0), np.percentile(points, 98, axis=0)
    scaled = np.clip((points - low) / np.where(high > low, high - low, 1.0), 0.0, 1.0)
    # Python floats first: rounding 20,000 NumPy scalars one by one took 0.05 s at 10,000 papers.
    return {paper.id: (round(x, 4), round(y, 4)) for paper, (x, y) in zip(papers, scaled.tolist(), strict=True)}


def _word_tfidf(terms: TermCounts, min_df: int) -> sparse.csr_matrix:
    """TF-IDF of the single words (not the phrases) on at least ``min_df`` papers, columns in word order.

    In word order, not the counts' own (which grows as words are added), so the
    same catalog gives the same matrix, and the same map, however it was counted.
    """
    frequency = document_frequency(terms.counts)
    columns = np.flatnonzero((frequency >= min_df) & (terms.term_words[:, 1] < 0))  # words, not phrases
    names = [terms.words[word] for word in terms.term_words[columns, 0].tolist()]
    words = [column for _, column in sorted(zip(names, columns.tolist(), strict=True))]
    counts = _columns(terms.counts, np.array(words, dtype=np.int64)).astype(np.float64)
    counts.sort_indices()  # each row's words in word order too: its norm is then summed in the same order
    if counts.shape[1] == 0:
        return counts.tocsr()
    # TfidfTransformer(sublinear_tf=True): the same weights, rows L2-normalised.
    papers = counts.shape[0]
    weights = sublinear_tfidf_weights(counts)
    rows = np.repeat(np.arange(papers), np.diff(counts.indptr))
    norms = np.sqrt(np.bincount(rows, weights=weights * weights, minlength=papers))
    weights /= np.where(norms > 0, norms, 1.0)[rows]
    return sparse.csr_matrix((weights, counts.indices, counts.indptr), shape=counts.shape)


def _columns(matrix: sparse.csr_matrix, columns: np.ndarray) -> sparse.csr_matrix:
    """``matrix[:, columns]`` for distinct ``columns``, each row's entries in their old order: renumbered in
    one pass over the entries (scipy's column indexing took 0.05 s at 10,000 papers, this a fifth of it)."""
    place = np.full(matrix.shape[1], -1, dtype=np.int64)
    place[columns] = np.arange(len(columns))
    renumbered = place[matrix.indices]
    kept = renumbered >= 0
    rows = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
    indptr = np.zeros(matrix.shape[0] + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows[kept], minlength=matrix.shape[0]), out=indptr[1:])
    return sparse.csr_matrix((matrix.data[kept], renumbered[kept], indptr), shape=(matrix.shape[0], len(columns)))


def _reduced(matrix: sparse.csr_matrix, components: int) -> np.ndarray:
    """``TruncatedSVD(components, algorithm="arpack", random_state=SEED).fit_transform(matrix)``, each axis up to sign.

    scipy's ``svds`` from the start vector scikit-learn would draw, without
    importing scikit-learn (over two seconds); the map fixes each axis's sign
    itself. tests/test_topic_map.py compares the two.
    """
    # Imported here: scipy.sparse.linalg takes 0.1-0.2 s to import, a build whose texts are unchanged
    # makes no map, and a large catalog's map is made in a second process (enrich_catalog).
    from scipy.sparse.linalg import svds

    start = np.random.RandomState(SEED).uniform(-1, 1, min(matrix.shape))
    left, values, _ = svds(matrix, k=components, tol=0, v0=start)
    return (left * values)[:, ::-1]  # largest first, as TruncatedSVD gives them


def _spiral(papers: Sequence[Paper]) -> dict[str, tuple[float, float]]:
    """Papers that cannot be told apart, laid out evenly (a sunflower spiral) in id order."""
    golden = np.pi * (3 - np.sqrt(5))
    result = {}
    for number, paper in enumerate(sorted(papers, key=lambda paper: paper.id)):
        radius = 0.5 * np.sqrt((number + 0.5) / len(papers))
        angle = number * golden
        result[paper.id] = (
            round(0.5 + radius * float(np.cos(angle)), 4),
            round(0.5 + radius * float(np.sin(angle)), 4),
        )
    return result
