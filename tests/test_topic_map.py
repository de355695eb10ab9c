"""The topic map's TF-IDF and SVD, written with numpy and scipy, are scikit-learn's (which takes 2 s to import)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
from scipy import sparse
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfTransformer

from bench.generate import generate_papers
from site_builder.enrich import topic_map
from site_builder.enrich.text_features import TermCounts, count_terms

from .conftest import REPO


def test_word_tfidf_is_scikit_learns_sublinear_tfidf() -> None:
    terms = count_terms(generate_papers(200, seed=4))
    ours = topic_map._word_tfidf(terms, min_df=2)
    theirs = TfidfTransformer(sublinear_tf=True).fit_transform(_word_counts(terms, min_df=2)).tocsr()
    assert ours.shape == theirs.shape
    assert np.allclose(ours.toarray(), theirs.toarray(), rtol=1e-12, atol=1e-15)


def test_columns_taken_out_are_scipys_column_indexing_even_with_empty_rows() -> None:
    """A text with no word the map uses (an empty row, the last one too) keeps its row, empty."""
    dense = np.array([[0, 1, 2, 0], [0, 0, 0, 5], [3, 0, 4, 0], [0, 0, 0, 0], [0, 0, 0, 7]], dtype=np.uint16)
    matrix = sparse.csr_matrix(dense)
    for columns in ([2, 0], [1], [0, 1, 2, 3], [3]):
        taken = topic_map._columns(matrix, np.array(columns, dtype=np.int64))
        assert taken.shape == (5, len(columns))
        assert (taken.toarray() == dense[:, columns]).all()


def test_reduced_axes_are_truncated_svds_up_to_sign() -> None:
    terms = count_terms(generate_papers(300, seed=8))
    matrix = topic_map._word_tfidf(terms, min_df=2)
    ours = topic_map._reduced(matrix, 3)
    theirs = TruncatedSVD(n_components=3, algorithm="arpack", random_state=topic_map.SEED).fit_transform(matrix)
    signs = np.sign(np.sum(ours * theirs, axis=0))
    assert np.allclose(ours * signs, theirs, rtol=1e-9, atol=1e-12)


def test_a_large_catalogs_map_does_not_import_scikit_learn() -> None:
    script = (
        "import sys; from bench.generate import generate_papers; "
        "from site_builder.enrich.topic_map import TSNE_LIMIT, topic_coordinates; "
        "points = topic_coordinates(generate_papers(TSNE_LIMIT + 100, seed=1)); "
        "print(len(points), 'sklearn' in sys.modules)"
    )
    found = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, check=True)
    assert found.stdout.split() == [str(topic_map.TSNE_LIMIT + 100), "False"]


def _word_counts(terms: TermCounts, min_df: int) -> sparse.csr_matrix:
    """The counts of the single words on at least ``min_df`` papers, in word order (as the map takes them)."""
    frequency = np.bincount(terms.counts.indices, minlength=terms.counts.shape[1])
    words = [column for column in np.flatnonzero(frequency >= min_df).tolist() if " " not in terms.vocabulary[column]]
    words.sort(key=terms.vocabulary.__getitem__)
    return terms.counts[:, np.array(words)].astype(np.float64).tocsr()
