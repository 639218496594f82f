"""Character tokenizer with jieba word features, the first step of the text pipeline.

Chinese NER works best on characters (entity edges need not fall on word edges),
but a character model alone misses what a word segmenter knows. This tokenizer
makes one token per non-space character and runs jieba word segmentation over
the same text, storing on every character token:

- ``norm_``  = the character plus its position in its jieba word (``B``/``I``/``E``/``S``),
- ``lemma_`` = the whole jieba word it belongs to,
- ``tag_``   = the character bigram starting at it (这 + 个),
- ``morph``  = (v2 only) lexicon features: ``P`` = the part of speech jieba's own
  dictionary gives the word (``nt`` organisation, ``nz`` proper noun, ...; ``eng``,
  ``num`` or ``oov`` for words it does not list) and ``G`` = the character's
  B/I/E/S position in a listed company name (short or full name) that the text
  contains, longest match first, ``O`` outside.

The trained NER model embeds ORTH, NORM, LEMMA, TAG (and MORPH), so word identity,
word edges and lexicon hits reach it as features — the model learns how far to
trust them — while spans stay character-exact. Registered with spaCy as
``ronglian.CharWordTokenizer.v1`` (no lexicon features) and ``.v2`` so the training
config and the shipped pipeline build the same tokenizer; the v2 name list is saved
inside the pipeline directory (``tokenizer/company_names.txt``), so a shipped model
carries its own list. Nothing here reads the graph.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from collections.abc import Callable, Iterator
from functools import cache
from itertools import accumulate, chain, pairwise
from pathlib import Path
from typing import Any

import jieba
import numpy
from spacy.attrs import LEMMA, MORPH, NORM, TAG
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


#: file name of the company list inside a saved tokenizer directory
NAMES_FILE = "company_names.txt"
_ASCII_WORD = re.compile(r"[A-Za-z][A-Za-z&'.-]*")
_NUMBER = re.compile(r"[0-9０-９.%]+")


@cache
def jieba_pos() -> dict[str, str]:
    """Word -> part of speech from jieba's bundled dictionary (read once, ~0.5 s)."""
    path = Path(os.path.dirname(jieba.__file__)) / "dict.txt"
    out: dict[str, str] = {}
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) >= 3:
                out[parts[0]] = sys.intern(parts[2])  # ~60 distinct tags: share them
    return out


def word_class(word: str, pos: dict[str, str]) -> str:
    """jieba dictionary POS of ``word``, or a coarse class for words it does not list."""
    tag = pos.get(word)
    if tag is not None:
        return tag
    if _ASCII_WORD.fullmatch(word):
        return "eng"
    if _NUMBER.fullmatch(word):
        return "num"
    if len(word) == 1 and not word.isalnum():
        return "w"  # punctuation and symbols
    return "oov"


class NameLexicon:
    """Longest-match lookup of known names in a text, by first two characters."""

    def __init__(self, names: list[str] | None = None) -> None:
        self.names: frozenset[str] = frozenset()
        self._lengths: dict[str, tuple[int, ...]] = {}
        self.set(names or [])

    def set(self, names: list[str]) -> None:
        keep = sorted({n.strip() for n in names if len(n.strip()) >= 2})
        self.names = frozenset(keep)
        # every name has two characters or more, so its first two characters key it:
        # most text positions start no name's pair and cost one dict miss
        by_start: dict[str, set[int]] = {}
        for n in keep:
            by_start.setdefault(n[:2], set()).add(len(n))
        self._lengths = {c: tuple(sorted(ls, reverse=True)) for c, ls in by_start.items()}

    def positions(self, text: str) -> list[str]:
        """B/I/E/O per character of ``text`` (greedy, longest match first)."""
        out = ["O"] * len(text)
        lengths, names = self._lengths, self.names
        if not lengths:
            return out
        i, n = 0, len(text)
        while i < n - 1:
            for size in lengths.get(text[i:i + 2], ()):
                if i + size <= n and text[i:i + size] in names:
                    out[i] = "B"
                    for k in range(i + 1, i + size - 1):
                        out[k] = "I"
                    out[i + size - 1] = "E"
                    i += size
                    break
            else:
                i += 1
        return out


def read_names(path: Path) -> list[str]:
    return [x.strip() for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


class CharWordTokenizer:
    """Callable tokenizer: ``text -> Doc`` with character tokens and jieba features.

    ``lexicon=True`` (v2) adds the MORPH lexicon features; ``names`` is the
    company-name list behind its ``G`` feature.
    """

    def __init__(self, vocab: Vocab, *, lexicon: bool = False,
                 names: list[str] | None = None) -> None:
        self.vocab = vocab
        self.lexicon = lexicon
        self.names = NameLexicon(names)
        self._pos = jieba_pos() if lexicon else {}
        # word -> (NORM hashes, LEMMA hashes, jieba classes), one per character
        self._word_info: dict[str, tuple[tuple[int, ...], tuple[int, ...],
                                         tuple[str, ...]]] = {}
        self._morph_hash: dict[tuple[str, str], int] = {}  # (G, P) -> MORPH hash
        self._hash: dict[str, int] = {}

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
        char_morphs: list[str] = []
        if self.lexicon:
            gaz = self.names.positions("".join(chars))
            char_morphs = [f"G={g}|P={word_class(w, self._pos)}"
                           for g, w in zip(gaz, lemmas, strict=True)]
        full_morphs: list[str] = []
        k = 0
        for i, w in enumerate(words):
            if k < len(chars) and w == chars[k]:
                if k in word_at:
                    full_words[i] = word_at[k]
                full_lemmas.append(lemmas[k])
                full_norms.append(norms[k])
                if self.lexicon:
                    full_morphs.append(char_morphs[k])
                k += 1
            else:
                full_lemmas.append(w)
                full_norms.append("_SP")
                full_words[i] = w
                full_morphs.append("G=O|P=sp")
        tags = [a + b for a, b in pairwise(words)] + [words[-1] + "$"]
        doc = Doc(self.vocab, words=words, spaces=spaces)
        self._set_features(doc, full_norms, full_lemmas, tags,
                           full_morphs if self.lexicon else None)
        doc.user_data[WORDS_KEY] = full_words
        return doc

    def _no_space(self, text: str) -> Doc:
        """The common case (no whitespace): one token per character. This runs for
        every sentence, so the per-word work (NORM and LEMMA strings, their hashes,
        the jieba class) is done once per distinct word and remembered."""
        words = list(_jieba_words(text))
        chars = list(text)
        info, add = self._word_info, self.vocab.strings.add
        norm_h: list[int] = []
        lemma_h: list[int] = []
        classes: list[str] = []
        for w in words:
            wi = info.get(w)
            if wi is None:
                size = len(w)
                norms = (w + "S",) if size == 1 else (
                    w[0] + "B", *[x + "I" for x in w[1:-1]], w[-1] + "E")
                wi = (tuple(map(add, norms)), (add(w),) * size,
                      (word_class(w, self._pos) if self.lexicon else "",) * size)
                if len(info) < 500_000:  # bounded: a long-running process sees many words
                    info[w] = wi
            norm_h.extend(wi[0])
            lemma_h.extend(wi[1])
            classes.extend(wi[2])
        starts = [0, *accumulate(len(w) for w in words)]
        word_at = dict(zip(starts, words, strict=False))
        tags = [a + b for a, b in pairwise(chars)]
        tags.append(chars[-1] + "$")
        hashes = norm_h + lemma_h
        hashes.extend(map(add, tags))
        attrs = [NORM, LEMMA, TAG]
        if self.lexicon:
            keys = list(zip(self.names.positions(text), classes, strict=True))
            known = self._morph_hash
            for g, p in set(keys) - known.keys():
                known[(g, p)] = add(f"G={g}|P={p}")
            hashes.extend(map(known.__getitem__, keys))
            attrs.append(MORPH)
        doc = Doc(self.vocab, words=chars, spaces=[False] * len(chars))
        arr = numpy.array(hashes, dtype="uint64").reshape(len(attrs), len(chars)).T
        doc.from_array(attrs, numpy.ascontiguousarray(arr))  # type: ignore[arg-type]
        doc.user_data[WORDS_KEY] = word_at
        return doc

    def _set_features(self, doc: Doc, norms: list[str], lemmas: list[str],
                      tags: list[str], morphs: list[str] | None = None) -> None:
        # one from_array call instead of three Python attribute setters per token
        add = self.vocab.strings.add
        n = len(norms)
        attrs = [NORM, LEMMA, TAG]
        # map() over the C-level StringStore.add: the hot loop of the tokenizer
        hashes = list(map(add, chain(norms, lemmas, tags)))
        if morphs is not None:
            # few distinct MORPH strings: remember their hashes instead of re-adding
            known = self._hash
            for x in set(morphs) - known.keys():
                known[x] = add(x)
            hashes.extend(map(known.__getitem__, morphs))
            attrs.append(MORPH)
        arr = numpy.array(hashes, dtype="uint64").reshape(len(attrs), n).T
        doc.from_array(attrs, numpy.ascontiguousarray(arr))  # type: ignore[arg-type]

    # spaCy serialises tokenizers; our only state beyond the vocab is the name list.
    def to_bytes(self, **kwargs: Any) -> bytes:
        return "\n".join(sorted(self.names.names)).encode("utf-8")

    def from_bytes(self, data: bytes, **kwargs: Any) -> CharWordTokenizer:
        if self.lexicon:
            self.names.set(data.decode("utf-8").splitlines())
        return self

    def to_disk(self, path: Any, **kwargs: Any) -> None:
        if not self.lexicon:
            return
        out = Path(path)
        out.mkdir(parents=True, exist_ok=True)
        (out / NAMES_FILE).write_text("\n".join(sorted(self.names.names)) + "\n",
                                      encoding="utf-8")

    def from_disk(self, path: Any, **kwargs: Any) -> CharWordTokenizer:
        names = Path(path) / NAMES_FILE
        if self.lexicon and names.is_file():
            self.names.set(read_names(names))
        return self


@registry.tokenizers("ronglian.CharWordTokenizer.v1")
def create_char_word_tokenizer() -> Callable[[Language], CharWordTokenizer]:
    def factory(nlp: Language) -> CharWordTokenizer:
        return CharWordTokenizer(nlp.vocab)

    return factory


@registry.tokenizers("ronglian.CharWordTokenizer.v2")
def create_char_word_tokenizer_v2(
    names_path: str | None = None,
) -> Callable[[Language], CharWordTokenizer]:
    """v1 plus the MORPH lexicon features; ``names_path`` (one name a line) is read at
    training time only: a saved pipeline loads its own copy from its directory."""
    names = read_names(Path(names_path)) if names_path else []

    def factory(nlp: Language) -> CharWordTokenizer:
        return CharWordTokenizer(nlp.vocab, lexicon=True, names=names)

    return factory
