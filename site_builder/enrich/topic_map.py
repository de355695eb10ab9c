"""A 2-D map of the catalog: papers about the same things land near each other.

TF-IDF over title and abstract, then a truncated SVD (latent semantic
analysis). The first SVD axis mostly measures how many common terms a text
has, not what it is about, so the map uses the next two. Coordinates are
scaled to 0..1 by percentiles (a few outliers do not squash the rest) and
rounded, so the same catalog always gives the same picture. Linear in the
number of papers: no pairwise distances.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer

from site_builder.model import Paper

SEED = 0


def topic_coordinates(papers: Sequence[Paper]) -> dict[str, tuple[float, float]]:
    """Each paper's position on the map, both coordinates in 0..1."""
    if len(papers) < 4:
        return {paper.id: (0.5, 0.5) for paper in papers}
    documents = [f"{paper.title} {paper.title} {paper.abstract}" for paper in papers]
    matrix = TfidfVectorizer(
        stop_words="english", sublinear_tf=True, min_df=2 if len(papers) > 50 else 1
    ).fit_transform(documents)
    components = min(3, matrix.shape[1] - 1)
    if components < 3:
        return {paper.id: (0.5, 0.5) for paper in papers}
    reduced = TruncatedSVD(n_components=components, algorithm="arpack", random_state=SEED).fit_transform(matrix)
    points = reduced[:, 1:3]
    # The sign of an SVD axis is arbitrary; fix it so the picture never flips.
    for axis in range(2):
        if points[np.argmax(np.abs(points[:, axis])), axis] < 0:
            points[:, axis] = -points[:, axis]
    low, high = np.percentile(points, 2, axis=0), np.percentile(points, 98, axis=0)
    scaled = np.clip((points - low) / np.where(high > low, high - low, 1.0), 0.0, 1.0)
    return {paper.id: (round(float(x), 4), round(float(y), 4)) for paper, (x, y) in zip(papers, scaled, strict=True)}
