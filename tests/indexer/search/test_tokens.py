"""`analyse_text` files the same terms, positions and spelling words as the schema's Whoosh analyzer."""
from __future__ import annotations

import random
import re

import pytest

from indexer.search import tokens
from indexer.search.schema import TOKEN_PATTERN, text_analyzer
from indexer.search.tokens import AnalysedText, analyse_text

# The token pattern before its lookahead guard: the guarded one must find exactly these tokens.
PLAIN_PATTERN = r"""\w+(?:://[^\s<>"']*\w|(?:[.+-]\w+)*@\w+(?:[.-]\w+)*|(?:\.\w+)*)"""

TEXTS = [
    "",
    "the of and a I",  # stop words and single letters only: nothing kept
    "A B c The Pension fund negotiations negotiated; NEGOTIATIONS.",
    "I a x Dues rose 12.50 dollars, 3.5 times e.g. in 2019.",  # the first kept word is not the first token
    "Write to Jane.Doe@StateCollege.edu with questions, or x+y-z@a.b-c.org today.",
    "Photos at http://www.Riverbend.org/photos/2019-rally.jpg for members. ftp://x.y/z",
    "Attached: bylaws_final_draft.pdf as agreed; a_b _ __ 1_2 self-help well-known C++ a:b x: //",
    "first page\n\nsecond page ends.\n\nThird: end",
    "Café Ünïon Straße ÉCOLE naïve coöperation",  # non-ASCII: lowercased token by token
    "ΟΔΟΣ ΣΟΦΟΣ σοφος Σ",  # final sigma: lowercase depends on the letter's place in the word
    "İstanbul İ K ǅ ﬁnance Ǆemal",  # letters that lowercase to two characters, or change in length
    "١٢٣ ٤.٥ 北京 大学 x²y ½ ⅷ",  # non-Latin digits and letters
    "end.\tstart:\r\nmid..dots -- dash@ @at jane@ @x.y http:// http://a",
    "jane.doe@x.edu http://a.b/c 3.5 Jane.Doe@X.edu",
]


def whoosh_postings(text: str) -> tuple[list[tuple[str, list[int]]], list[str]]:
    """Each term with its positions, in order of first sight, and the spelling words: by Whoosh."""
    analyzer = text_analyzer()
    positions: dict[str, list[int]] = {}
    for token in analyzer(text, positions=True):
        positions.setdefault(token.text, []).append(token.pos)
    words = sorted({token.text for token in analyzer(text, no_morph=True)})
    return list(positions.items()), words


def as_lists(analysed: AnalysedText) -> tuple[list[tuple[str, list[int]]], list[str]]:
    out, start = [], 0
    for term, freq in zip(analysed.terms, analysed.freqs.tolist()):
        out.append((term.decode("utf-8"), analysed.positions[start:start + freq].tolist()))
        start += freq
    return out, list(analysed.words)


def assert_as_whoosh(text: str) -> None:
    analysed = analyse_text(text)
    assert as_lists(analysed) == whoosh_postings(text), text
    assert analysed.freqs.dtype.name == "int32" and analysed.positions.dtype.name == "uint32"


@pytest.mark.parametrize("text", TEXTS)
def test_the_same_postings_as_whoosh(text: str):
    assert_as_whoosh(text)


@pytest.mark.parametrize("text", TEXTS)
def test_the_guarded_pattern_finds_the_plain_patterns_tokens(text: str):
    assert re.findall(TOKEN_PATTERN, text) == re.findall(PLAIN_PATTERN, text)


def _random_text(rng: random.Random) -> str:
    pieces = ["Pension", "FUND", "the", "a", "I", "x", "3.5", "12.50", "e.g", "jane.doe@x.edu", "A.B@C.D",
              "http://a.b/c?d=1", "self-help", "x+y@z.org", "snake_case", "_", "Σοφός", "Straße", "İ", "naïve",
              "1", "of", ".", "..", ":", "://", "@", "-", "+", "end.", "(word)", "\n\n", "ǅ", "北京"]
    seps = [" ", " ", " ", "", "\n", ", ", ".", "-", "@", ":", "/"]
    return "".join(rng.choice(pieces) + rng.choice(seps) for _ in range(rng.randrange(1, 40)))


def test_random_texts_give_the_same_postings_and_tokens_as_whoosh():
    rng = random.Random(20261202)
    for _ in range(400):
        text = _random_text(rng)
        assert_as_whoosh(text)
        assert re.findall(TOKEN_PATTERN, text) == re.findall(PLAIN_PATTERN, text), text


@pytest.mark.parametrize("text", [t for t in TEXTS if t.isascii()])
def test_the_ascii_path_keeps_the_words_the_exact_path_keeps(text: str):
    assert tokens._ascii_kept_words(text) == tokens._exact_kept_words(text)
    assert tokens._ascii_kept_words(text.upper()) == tokens._exact_kept_words(text.upper())
