"""A 2-D map of the catalog: papers about the same things land near each other.

TF-IDF over title and abstract, reduced by a truncated SVD (latent semantic
analysis) to ``SVD_COMPONENTS`` dimensions. Up to ``TSNE_LIMIT`` papers,
t-SNE then lays those out in 2-D, which keeps topics together as visible
groups (about a second per thousand papers). Above it, the map uses SVD axes
2 and 3 directly (the first mostly measures how many common terms a text
has), which is linear in the number of papers. Coordinates are scaled to
0..1 by percentiles (outliers do not squash the rest) and rounded; seeds are
fixed, so the same catalog always gives the same picture.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.manifold import TSNE

from site_builder.model import Paper

SEED = 0
SVD_COMPONENTS = 30
TSNE_LIMIT = 2000


def topic_coordinates(papers: Sequence[Paper]) -> dict[str, tuple[float, float]]:
    """Each paper's position on the map, both coordinates in 0..1."""
    if len(papers) < 4:
        return {paper.id: (0.5, 0.5) for paper in papers}
    documents = [f"{paper.title} {paper.title} {paper.abstract}" for paper in papers]
    matrix = TfidfVectorizer(
        stop_words="english", sublinear_tf=True, min_df=2 if len(papers) > 50 else 1
    ).fit_transform(documents)
    components = min(SVD_COMPONENTS, matrix.shape[1] - 1, len(papers) - 1)
    if components < 3:
        return {paper.id: (0.5, 0.5) for paper in papers}
    reduced = TruncatedSVD(n_components=components, algorithm="arpack", random_state=SEED).fit_transform(matrix)
    if len(papers) <= TSNE_LIMIT:
        norms = np.linalg.norm(reduced, axis=1, keepdims=True)
        unit = reduced / np.where(norms > 0, norms, 1.0)
        perplexity = min(30.0, max(2.0, (len(papers) - 1) / 3))  # t-SNE needs it below the number of points
        layout = TSNE(n_components=2, perplexity=perplexity, init="pca", random_state=SEED, metric="cosine")
        points = layout.fit_transform(unit).astype(np.float64)
    else:
        points = reduced[:, 1:3].astype(np.float64)
    # The sign of an SVD axis is arbitrary; fix it so the picture never flips.
    for axis in range(2):
        if points[np.argmax(np.abs(points[:, axis])), axis] < 0:
            points[:, axis] = -points[:, axis]
    low, high = np.percentile(points, 2, axis=0), np.percentile(points, 98, axis=0)
    scaled = np.clip((points - low) / np.where(high > low, high - low, 1.0), 0.0, 1.0)
    return {paper.id: (round(float(x), 4), round(float(y), 4)) for paper, (x, y) in zip(papers, scaled, strict=True)}
