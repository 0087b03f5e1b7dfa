"""The document's language (py3langid), mapped to the name of jusText's stop-word list.

py3langid counts its features (byte n-grams) by walking an automaton over the text's bytes, one
Python step per byte: most of its time on a 1,500-character sample. `_FastLangid` gives the same
answer with the walk done by numpy (see `_states`), and falls back to py3langid itself when its
model is not laid out as this code expects or a check fails.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Callable

# How much text is given to the language identifier: enough to be sure, little enough to be fast.
SAMPLE_CHARS = 1500
# Fewer letters than this in the sample: too short to tell.
MIN_LETTERS = 20
# ISO 639-1 codes (as py3langid gives them) to the names of jusText's stop-word lists.
JUSTEXT_LISTS: dict[str, str] = {
    "af": "Afrikaans", "sq": "Albanian", "ar": "Arabic", "an": "Aragonese", "hy": "Armenian",
    "az": "Azerbaijani", "eu": "Basque", "be": "Belarusian", "bn": "Bengali", "bs": "Bosnian",
    "br": "Breton", "bg": "Bulgarian", "ca": "Catalan", "hr": "Croatian", "cs": "Czech",
    "da": "Danish", "nl": "Dutch", "en": "English", "eo": "Esperanto", "et": "Estonian",
    "fi": "Finnish", "fr": "French", "gl": "Galician", "ka": "Georgian", "de": "German",
    "el": "Greek", "gu": "Gujarati", "ht": "Haitian", "he": "Hebrew", "hi": "Hindi",
    "hu": "Hungarian", "is": "Icelandic", "id": "Indonesian", "ga": "Irish", "it": "Italian",
    "jv": "Javanese", "kn": "Kannada", "kk": "Kazakh", "ko": "Korean", "ku": "Kurdish",
    "ky": "Kyrgyz", "la": "Latin", "lv": "Latvian", "lt": "Lithuanian", "lb": "Luxembourgish",
    "mk": "Macedonian", "ms": "Malay", "ml": "Malayalam", "mt": "Maltese", "mr": "Marathi",
    "ne": "Nepali", "nb": "Norwegian_Bokmal", "no": "Norwegian_Bokmal", "nn": "Norwegian_Nynorsk",
    "oc": "Occitan", "fa": "Persian", "pl": "Polish", "pt": "Portuguese", "qu": "Quechua",
    "ro": "Romanian", "ru": "Russian", "sr": "Serbian", "sk": "Slovak", "sl": "Slovenian",
    "es": "Spanish", "su": "Sundanese", "sw": "Swahili", "sv": "Swedish", "tl": "Tagalog",
    "ta": "Tamil", "te": "Telugu", "tr": "Turkish", "uk": "Ukrainian", "ur": "Urdu",
    "uz": "Uzbek", "vi": "Vietnamese", "cy": "Welsh", "fy": "West_Frisian", "yo": "Yoruba",
}
DEFAULT_LANGUAGE = "en"
# py3langid's automaton is an Aho-Corasick one over n-grams of at most this many bytes (the depth
# of its deepest state), so its state after a byte depends only on the last this many bytes.
# Only speed depends on it: `_states` checks every state it computes.
AUTOMATON_DEPTH = 6
# Texts `_FastLangid` is checked on against py3langid before it is used.
SELF_CHECK_TEXTS: tuple[str, ...] = (
    "The two sides are intensifying efforts to end a row with echoes of the Cold War.",
    "Die beiden Seiten verstärken ihre Bemühungen, den Streit beizulegen.",
    "Стороны активизируют усилия, чтобы положить конец спору времён холодной войны.",
    "Les deux parties intensifient leurs efforts pour mettre fin au différend. ",
    "双方正在加紧努力，结束这场带有冷战色彩的争端。 TASS REPORTS 12 JUNE",
)


def detect(text: str) -> str:
    """ISO 639-1 code of the text's language; DEFAULT_LANGUAGE for text too short to tell."""
    sample = text[:SAMPLE_CHARS]
    if not _has_letters(sample, MIN_LETTERS):
        return DEFAULT_LANGUAGE
    return _identifier()(sample)


def _has_letters(text: str, least: int) -> bool:
    """True when `text` holds at least `least` letters (stops counting there)."""
    found = 0
    for c in text:
        if c.isalpha():
            found += 1
            if found >= least:
                return True
    return False


@lru_cache(maxsize=1)
def _identifier() -> Callable[[str], str]:
    """A function from a text to its language code: `_FastLangid`, or py3langid's own classify
    when its model is not what `_FastLangid` reads."""
    import py3langid  # imported lazily: loading its model takes a moment

    fast = _FastLangid.of(py3langid)
    return fast.classify if fast is not None else (lambda text: py3langid.classify(text)[0])


class _FastLangid:
    """py3langid's `classify(text)[0]` (language only), computing the same scores from the same
    arrays in the same order, with the automaton walk vectorized."""

    def __init__(self, identifier: Any):
        import numpy as np
        from py3langid.langid import RAW_FLOOR

        self.np = np
        self.floor = RAW_FLOOR        # the score of no evidence
        self.encode = identifier._encode
        self.nextmove = np.frombuffer(identifier.tk_nextmove, dtype=np.dtype(identifier.tk_nextmove.typecode))
        self.rowbase = np.asarray(identifier._rowbase, dtype=np.intp)
        self.output = np.asarray(identifier.tk_output, dtype=np.intp)
        self.table = identifier.nb_ptc
        # The table is float16: the product with float32 counts converts the rows it reads to
        # float32 first, one value at a time. Looking the float32 values up in a table of what
        # that conversion gives for each of the 65,536 float16 values makes the same rows in less
        # time (the self-check compares the scores bit for bit).
        self.float16_bits = self.table.view(np.uint16) if self.table.dtype == np.float16 else None
        self.float32_of = np.arange(65536, dtype=np.uint16).view(np.float16).astype(np.float32)
        self.prior = identifier.nb_pc
        self.classes = identifier.nb_classes
        self.alias_pairs = tuple(identifier._alias_pairs)

    @classmethod
    def of(cls, py3langid: Any) -> _FastLangid | None:
        """The fast identifier for py3langid's default model; None when that model is not laid
        out as expected (another py3langid version) or the fast scores differ from its own."""
        try:
            from py3langid import langid

            identifier = langid._get_identifier()
            if identifier.min_confidence is not None or identifier._norm_probs:
                return None
            fast = cls(identifier)
            for text in SELF_CHECK_TEXTS:
                if not fast.np.array_equal(fast.scores(text), identifier._decide(text)) or \
                        fast.classify(text) != py3langid.classify(text)[0]:
                    return None
            return fast
        except Exception:  # noqa: BLE001 - any surprise in py3langid's internals: use it as it is
            return None

    def classify(self, text: str) -> str:
        return self.classes[int(self.scores(text).argmax())]

    def scores(self, text: str) -> Any:
        """LanguageIdentifier._decide(text) (raw scores, script aliases folded)."""
        np = self.np
        data = self.encode(text)
        features = self._features(data)
        if features is None:
            scores = np.full(len(self.classes), self.floor, dtype=np.float32)
        else:
            index, counts = features
            scores = np.log1p(counts) @ self._rows(index) + self.prior
        for i, j in self.alias_pairs:
            scores[i] = max(scores[i], scores[j])
            scores[j] = self.floor
        return scores

    def _rows(self, index: Any) -> Any:
        """The table's rows for these features, as float32 (as the product would convert them)."""
        if self.float16_bits is None:
            return self.table[index]
        return self.float32_of.take(self.float16_bits.take(index, axis=0))

    def _features(self, data: bytes) -> tuple[Any, Any] | None:
        """The features met in the walk and how often, in the order first met (the order of
        py3langid's Counter, so that its sums add up in the same order); None when none."""
        np = self.np
        found = self.output[self._states(data)]
        found = found[found >= 0]
        if not len(found):
            return None
        features, first, counts = np.unique(found, return_index=True, return_counts=True)
        order = np.argsort(first)
        return features[order].astype(np.intp), counts[order].astype(np.float32)

    def _states(self, data: bytes) -> Any:
        """The automaton's state after each byte of `data`, starting from state 0.

        The state after byte i is computed by walking from state 0 over the AUTOMATON_DEPTH bytes
        up to i, all positions at once; then every state is checked to follow from the one before
        by one step of the automaton, which makes them, by induction, the states of the walk over
        the whole text. Should the check fail, the text is walked byte by byte."""
        np = self.np
        nextmove, rowbase = self.nextmove, self.rowbase
        text = np.frombuffer(data, dtype=np.uint8).astype(np.intp)
        n = len(text)
        states = np.zeros(n, dtype=np.intp)
        for back in range(min(AUTOMATON_DEPTH, n) - 1, -1, -1):
            states[back:] = nextmove[rowbase[states[back:]] + text[:n - back]]
        before = np.concatenate((np.zeros(1, dtype=np.intp), states[:-1]))
        if n and not np.array_equal(nextmove[rowbase[before] + text], states):
            state = 0
            for i, byte in enumerate(data):
                state = states[i] = nextmove[rowbase[state] + byte]
        return states


def stoplist_name(code: str) -> str:
    """The jusText stop-word list for a language code (English when jusText has none)."""
    return JUSTEXT_LISTS.get(code, "English")
