"""Character tokenizer with jieba word features, the first step of the text pipeline.

Chinese NER works best on characters (entity edges need not fall on word edges),
but a character model alone misses what a word segmenter knows. This tokenizer
makes one token per non-space character and runs jieba word segmentation over
the same text, storing on every character token:

- ``norm_``  = the character plus its position in its jieba word (``B``/``I``/``E``/``S``),
- ``lemma_`` = the whole jieba word it belongs to,
- ``tag_``   = the character bigram starting at it (这 + 个).

The trained NER model embeds ORTH, NORM, LEMMA and TAG, so word identity and word
edges reach it as features, while spans stay character-exact. Registered with
spaCy as ``ronglian.CharWordTokenizer.v1`` so the training config and the
shipped pipeline build the same tokenizer. Nothing here reads the graph.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from itertools import accumulate, pairwise
from typing import Any

import jieba
import numpy
from spacy.attrs import LEMMA, NORM, TAG
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import get_words_and_spaces, registry
from spacy.vocab import Vocab

logger = logging.getLogger(__name__)

# jieba logs its dictionary loading at INFO to stderr; keep our CLI output clean.
jieba.setLogLevel(logging.WARNING)
_JIEBA = jieba.Tokenizer()


#: ``doc.user_data`` key: token index where a jieba word starts -> that word.
WORDS_KEY = "ronglian_words"
_SPACE_RE = re.compile(r"\s")


def _has_space(text: str) -> bool:
    return _SPACE_RE.search(text) is not None


def _jieba_words(text: str) -> Iterator[str]:
    # HMM off: new-word discovery is slow and unstable; the NER model does that job.
    return _JIEBA.cut(text, HMM=False)


class CharWordTokenizer:
    """Callable tokenizer: ``text -> Doc`` with character tokens and jieba features."""

    def __init__(self, vocab: Vocab) -> None:
        self.vocab = vocab

    def __call__(self, text: str) -> Doc:
        if text and not _has_space(text):
            return self._no_space(text)
        chars: list[str] = []
        norms: list[str] = []
        lemmas: list[str] = []
        word_at: dict[int, str] = {}  # char index (in ``chars``) where a word starts -> word
        for word in _jieba_words(text):
            wchars = [c for c in word if not c.isspace()] if _has_space(word) else list(word)
            n = len(wchars)
            if n == 0:
                continue
            word_at[len(chars)] = word
            chars.extend(wchars)
            if n == 1:
                lemmas.append(wchars[0])
                norms.append(wchars[0] + "S")
            else:
                lemmas.extend([word] * n)
                norms.append(wchars[0] + "B")
                norms.extend([c + "I" for c in wchars[1:-1]])
                norms.append(wchars[-1] + "E")
        if not chars:
            words, spaces = get_words_and_spaces([], text)
            return Doc(self.vocab, words=words, spaces=spaces)
        if not _has_space(text):
            # the common case: no whitespace, one token per character
            tags = [a + b for a, b in pairwise(chars)]
            tags.append(chars[-1] + "$")
            doc = Doc(self.vocab, words=chars, spaces=[False] * len(chars))
            self._set_features(doc, norms, lemmas, tags)
            doc.user_data[WORDS_KEY] = word_at
            return doc
        # whitespace runs become whitespace tokens, so the Doc text is exactly ``text``
        words, spaces = get_words_and_spaces(chars, text)
        full_lemmas: list[str] = []
        full_norms: list[str] = []
        full_words: dict[int, str] = {}
        k = 0
        for i, w in enumerate(words):
            if k < len(chars) and w == chars[k]:
                if k in word_at:
                    full_words[i] = word_at[k]
                full_lemmas.append(lemmas[k])
                full_norms.append(norms[k])
                k += 1
            else:
                full_lemmas.append(w)
                full_norms.append("_SP")
                full_words[i] = w
        tags = [a + b for a, b in pairwise(words)] + [words[-1] + "$"]
        doc = Doc(self.vocab, words=words, spaces=spaces)
        self._set_features(doc, full_norms, full_lemmas, tags)
        doc.user_data[WORDS_KEY] = full_words
        return doc

    def _no_space(self, text: str) -> Doc:
        """The common case (no whitespace): one token per character, built with
        comprehensions because this runs for every sentence."""
        words = list(_jieba_words(text))
        chars = list(text)
        lemmas = [w for w in words for _ in w]
        norms = [c for w in words for c in (
            (w + "S",) if len(w) == 1 else (w[0] + "B", *[x + "I" for x in w[1:-1]], w[-1] + "E"))]
        starts = [0, *accumulate(len(w) for w in words)]
        word_at = dict(zip(starts, words, strict=False))
        tags = [a + b for a, b in pairwise(chars)]
        tags.append(chars[-1] + "$")
        doc = Doc(self.vocab, words=chars, spaces=[False] * len(chars))
        self._set_features(doc, norms, lemmas, tags)
        doc.user_data[WORDS_KEY] = word_at
        return doc

    def _set_features(self, doc: Doc, norms: list[str], lemmas: list[str],
                      tags: list[str]) -> None:
        # one from_array call instead of three Python attribute setters per token
        add = self.vocab.strings.add
        n = len(norms)
        arr = numpy.empty((n, 3), dtype="uint64")
        arr[:, 0] = numpy.fromiter((add(x) for x in norms), dtype="uint64", count=n)
        arr[:, 1] = numpy.fromiter((add(x) for x in lemmas), dtype="uint64", count=n)
        arr[:, 2] = numpy.fromiter((add(x) for x in tags), dtype="uint64", count=n)
        doc.from_array([NORM, LEMMA, TAG], arr)  # type: ignore[arg-type]

    # spaCy serialises tokenizers; ours has no state beyond the vocab.
    def to_bytes(self, **kwargs: Any) -> bytes:
        return b""

    def from_bytes(self, data: bytes, **kwargs: Any) -> CharWordTokenizer:
        return self

    def to_disk(self, path: Any, **kwargs: Any) -> None:
        return None

    def from_disk(self, path: Any, **kwargs: Any) -> CharWordTokenizer:
        return self


@registry.tokenizers("ronglian.CharWordTokenizer.v1")
def create_char_word_tokenizer() -> Callable[[Language], CharWordTokenizer]:
    def factory(nlp: Language) -> CharWordTokenizer:
        return CharWordTokenizer(nlp.vocab)

    return factory
