"""Decode the LaTeX remnants found in pasted titles and abstracts.

Listings copied from the web are plain text with a few LaTeX leftovers
(``T\\'yr``, ``{\\it x}``, ``14.2\\%``, ````quotes''``, ``--``). pylatexenc does
the decoding; this module only shields the characters that are special to
LaTeX but plain in pasted text, so that no word goes missing:

* a bare ``%`` would start a comment and swallow the rest of the line;
* a bare ``&``, ``#`` or ``~`` would become spaces;
* ``$5 and $10`` is money, not math;
* ``n^{1+gamma}`` must keep its braces to stay readable;
* URLs are left exactly as written (``--`` in a URL is not a dash).
"""

from __future__ import annotations

import re

from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db


def _context():  # type: ignore[no-untyped-def]
    context = get_default_latex_context_db()
    # pylatexenc gives U+02C6 (a modifier letter) for \textasciicircum; the text means "^".
    context.add_context_category("catalog", prepend=True, macros=[MacroTextSpec("textasciicircum", "^")])
    return context


_DECODER = LatexNodes2Text(math_mode="with-delimiters", strict_latex_spaces=True, latex_context=_context())

_URL = re.compile(r"https?://[^\s<>\"]+[^\s<>\".,;:!?)\]}'’”]")
# Only the characters LaTeX treats specially trigger the decoder at all.
_LATEX_SIGNAL = re.compile(r"[\\{}$%&#~`']|--")
# A \left( ... \right) pair whose backslashes were lost in copying, as in
# "Oleft(k^{-3} right)". Only repaired when both halves are present and
# "left" is glued to a capital, digit or bracket (never in English prose).
_LOST_LEFT_RIGHT = re.compile(r"(?<=[A-Z0-9)}\]])left([(\[|])(?P<body>[^()\[\]|]*?)\s?right([)\]|])")
_BARE_SPECIAL = re.compile(r"(?<!\\)([%&#])")
_DOLLAR_MATH = re.compile(r"(?<!\\)\$([^$]+)(?<!\\)\$")
_MATHLIKE = re.compile(r"[\\^_{}]")
_WHITESPACE = re.compile(r"[ \t\r\n\f\v]+")
_DASH_RUN = re.compile(r"-{2,}")


def decode_latex(text: str, *, literal_braces: bool = True) -> str:
    """Turn text with LaTeX remnants into plain Unicode text.

    Whitespace runs (including line breaks) become single spaces. "--" and
    "---" become dashes only where used as one (``231--357``, ``a -- b``), so
    ``--8<--`` and ``<!--`` stay as typed. With ``literal_braces`` (pasted text,
    API answers), template and attribute syntax (``{{ x }}``, ``{% x %}``,
    ``{: x }``) and unmatched braces are kept as text; BibTeX passes False,
    since every brace there is LaTeX.

    >>> decode_latex(r"T\\'yr reaches 14.2\\% on ``hard'' cases")
    'Týr reaches 14.2% on “hard” cases'
    """
    pieces: list[str] = []
    position = 0
    for url in _URL.finditer(text):
        pieces.append(_decode_plain(text[position : url.start()], literal_braces))
        pieces.append(url.group(0))
        position = url.end()
    pieces.append(_decode_plain(text[position:], literal_braces))
    return _WHITESPACE.sub(" ", "".join(pieces)).strip()


def _decode_plain(text: str, literal_braces: bool) -> str:
    text = _LOST_LEFT_RIGHT.sub(r"\1\g<body>\3", text)
    if not _LATEX_SIGNAL.search(text):
        return text
    text = _BARE_SPECIAL.sub(r"\\\1", text)
    text = text.replace("~", r"\textasciitilde{}")
    text = _shield_dollars(text)
    text = _shield_script_braces(text)
    if literal_braces:
        text = _shield_text_braces(text)
    text = _shield_dashes(text)
    return _DECODER.latex_to_text(text)


def _shield_text_braces(text: str) -> str:
    """Escape braces that are template or attribute syntax, not LaTeX: ``{{ }}``, ``{% %}``, ``{# #}``, ``{: }``.

    Unmatched braces are text too. Other groups (``{\\it x}``, ``{the}``) stay LaTeX.
    """
    out = list(text)
    stack: list[int] = []
    for index, char in enumerate(text):
        if index > 0 and text[index - 1] == "\\":
            continue  # already escaped
        if char == "{":
            stack.append(index)
        elif char == "}":
            if not stack:
                out[index] = "\\}"  # closes nothing: text
                continue
            opening = stack.pop()
            inner = text[opening + 1 : opening + 3].removeprefix("\\")[:1]  # "{\%" counts as "{%"
            doubled = text[opening - 1 : opening] == "{" or text[index + 1 : index + 2] == "}"
            if inner in ("{", "%", "#", ":") or doubled:
                out[opening], out[index] = "\\{", "\\}"
    for opening in stack:
        out[opening] = "\\{"  # opens nothing that closes: text
    return "".join(out)


def _shield_dashes(text: str) -> str:
    """Keep "--" and "---" as typed ("--8<--", "<!--") unless they are used as a dash."""

    def replace(match: re.Match[str]) -> str:
        start, end = match.span()
        before = text[start - 1] if start > 0 else ""
        after = text[end] if end < len(text) else ""
        # A dash joins two words or numbers (231--357), or stands between spaces ("axes -- architecture").
        is_dash = (before.isalnum() and after.isalnum()) or (before.isspace() and after.isspace())
        return match.group(0) if is_dash else "{}".join(match.group(0))

    return _DASH_RUN.sub(replace, text)


def _shield_dollars(text: str) -> str:
    """Keep ``$...$`` that looks like math; escape every other dollar sign."""
    kept: list[tuple[int, int]] = [
        match.span() for match in _DOLLAR_MATH.finditer(text) if _MATHLIKE.search(match.group(1))
    ]
    out: list[str] = []
    for index, char in enumerate(text):
        is_math_delimiter = any(index in (start, end - 1) for start, end in kept)
        escaped = index > 0 and text[index - 1] == "\\"
        out.append("\\$" if char == "$" and not is_math_delimiter and not escaped else char)
    return "".join(out)


def _shield_script_braces(text: str) -> str:
    r"""Escape the braces of ``^{...}`` and ``_{...}`` groups so they survive."""
    out: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char in "^_" and text.startswith("{", index + 1):
            closing = _matching_brace(text, index + 1)
            if closing is not None:
                inner = _shield_script_braces(text[index + 2 : closing])
                out.append(f"{char}\\{{{inner}\\}}")
                index = closing + 1
                continue
        out.append(char)
        index += 1
    return "".join(out)


def _matching_brace(text: str, opening: int) -> int | None:
    depth = 0
    for index in range(opening, len(text)):
        if text[index] == "{" and text[index - 1] != "\\":
            depth += 1
        elif text[index] == "}" and text[index - 1] != "\\":
            depth -= 1
            if depth == 0:
                return index
    return None
