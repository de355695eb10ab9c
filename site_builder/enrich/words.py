"""Words that say nothing about what a paper is about."""

from __future__ import annotations

# Words every abstract uses: they never explain why two papers are related, nor make a topic.
GENERIC = frozenset(
    """
    able abstract achieve achieves address addresses advantage algorithm algorithms analysis analyze
    applications approach approaches based benchmark benchmarks better case cases challenge challenges
    comparable compared competitive consistently construct cost demonstrate demonstrates design designed
    determine determining different discuss does effective effectively efficient efficiently empirical
    empirically evaluate existing experiment experiments extensive framework frameworks furthermore general
    given good high highlight highlights however improve improved improvement improves improving including
    insight insights introduce
    key large larger leading leverage low lower main making method methods model models new novel number
    outperform outperforms paper particular performance point popular present previous problem problems propose
    proposed provide provides recent recently require requires respectively result results science settings show
    shows significant significantly simple small smaller specific state studies study task tasks technique
    techniques terms theoretical theory time use used uses using various way widely wish work works
    """.split()
)
# Pieces of links and code-availability sentences ("code is available at https://github.com/...").
WEB = frozenset("available code com github http https io org repository url www".split())
