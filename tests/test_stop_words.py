"""The copied stop word list is scikit-learn's, so term counts match TfidfVectorizer's."""

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS as SKLEARN_STOP_WORDS

from site_builder.enrich.stop_words import ENGLISH_STOP_WORDS


def test_stop_words_are_scikit_learns() -> None:
    assert ENGLISH_STOP_WORDS == SKLEARN_STOP_WORDS
