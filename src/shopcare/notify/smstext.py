"""How many SMS parts a text will cost, and how to make it cheaper.

Gateways bill per part. A text that fits the GSM 03.38 (3GPP TS 23.038) 7-bit default
alphabet goes out as GSM-7: 160 septets in one part, 153 per part once it has to be split.
A single character outside that alphabet switches the *whole* message to UCS-2: 70 UTF-16
code units in one part, 67 per part. One Polish "ż" can therefore more than double the price
of a notification, which is why shops may opt in to `transliterate`.

Public API: `encoding_of`, `count` (-> `SmsCount`), `split`, `transliterate`, `fit`.
"""

from __future__ import annotations

import unicodedata
from typing import Literal, NamedTuple

Encoding = Literal["gsm7", "ucs2"]

# The 3GPP TS 23.038 default alphabet in code order 0x00-0x7F, 16 per row. 0x1B is ESC, the
# switch to the extension table, not a character a text may contain, so it is removed below.
# 0x09 is the capital Ç: older editions showed a small ç there, the current one says Ç.
BASIC_TABLE = (
    "@£$¥èéùìòÇ\nØø\rÅå"
    "\u0394_\u03a6\u0393\u039b\u03a9\u03a0\u03a8\u03a3\u0398\u039e\x1bÆæßÉ"  # Greek capitals
    " !\"#¤%&'()*+,-./"
    "0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNO"
    "PQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmno"
    "pqrstuvwxyzäöñüà"
)
GSM7_BASIC = frozenset(BASIC_TABLE) - {"\x1b"}
# Default extension table: each is sent as ESC + code, so it costs two septets.
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")
GSM7_CHARS = GSM7_BASIC | GSM7_EXTENSION

# (single-part capacity, per-part capacity once split): a split message loses room to the
# user data header (6 octets) that tells the phone how to reassemble it.
LIMITS: dict[str, tuple[int, int]] = {"gsm7": (160, 153), "ucs2": (70, 67)}


class SmsCount(NamedTuple):
    """Size of one text. `units` are septets (gsm7) or UTF-16 code units (ucs2).

    `units_left` is room still free in the last part, in the same units (an extension
    character needs 2 of them, an emoji 2). An empty text is 0 parts with 0 left: gateways
    refuse empty messages, so it costs nothing and sends nothing.
    """

    encoding: Encoding
    units: int
    parts: int
    units_left: int

    @property
    def capacity(self) -> int:
        """Units one part holds at this size (160/70 single, 153/67 when split)."""
        single, multi = LIMITS[self.encoding]
        return single if self.parts <= 1 else multi


def encoding_of(text: str) -> Encoding:
    """"gsm7" if every character is in the default alphabet or its extension, else "ucs2"."""
    return "gsm7" if all(ch in GSM7_CHARS for ch in text) else "ucs2"


def _cost(ch: str, encoding: Encoding) -> int:
    if encoding == "gsm7":
        return 2 if ch in GSM7_EXTENSION else 1
    return 2 if ord(ch) > 0xFFFF else 1  # outside the BMP: a UTF-16 surrogate pair


def _layout(text: str) -> tuple[Encoding, int, list[tuple[int, int, int]]]:
    """Encoding, total units, and (start, end, units) per part as a gateway splits it."""
    encoding = encoding_of(text)
    single, multi = LIMITS[encoding]
    costs = [_cost(ch, encoding) for ch in text]
    total = sum(costs)
    if total <= single:
        return encoding, total, ([(0, len(text), total)] if text else [])
    # Walk character by character rather than dividing: an ESC pair or a surrogate pair is
    # never cut in two, so a part may end one unit short (152 septets, 66 units) and the
    # division would under-count.
    parts, start, used = [], 0, 0
    for i, cost in enumerate(costs):
        if used + cost > multi:
            parts.append((start, i, used))
            start, used = i, 0
        used += cost
    parts.append((start, len(text), used))
    return encoding, total, parts


def count(text: str) -> SmsCount:
    """How many parts `text` costs as it is (see `SmsCount`; empty text is 0 parts)."""
    encoding, units, parts = _layout(text)
    if not parts:
        return SmsCount(encoding, 0, 0, 0)
    single, multi = LIMITS[encoding]
    capacity = single if len(parts) == 1 else multi
    return SmsCount(encoding, units, len(parts), capacity - parts[-1][2])


def split(text: str) -> list[str]:
    """The parts the text is cut into, in order; `"".join(split(t)) == t`."""
    return [text[a:b] for a, b, _ in _layout(text)[2]]


# Cyrillic by ICAO Doc 9303 Part 3 (the Russian foreign-passport rules since 2014). Its
# per-language exceptions (Ukrainian и->y, г->h; Belarusian г->h, ё->io ...) need to know the
# language, which a shop's text does not tell us, so the common column is used throughout.
_CYRILLIC = (
    "а a б b в v г g д d е e ё e ж zh з z и i й i к k л l м m н n о o п p р r с s т t "
    "у u ф f х kh ц ts ч ch ш sh щ shch ъ ie ы y ь - э e ю iu я ia "
    "і i ї i є ie ґ g ў u ђ d ѓ g ѕ dz ј j ќ k љ lj њ nj ћ c џ dz"
)
_MAP: dict[str, str] = {}
_pairs = _CYRILLIC.split()
for _src, _dst in zip(_pairs[::2], _pairs[1::2]):
    _dst = "" if _dst == "-" else _dst  # ь (soft sign) is dropped, not written
    _MAP[_src] = _dst
    _MAP[_src.upper()] = _dst.capitalize()
del _pairs, _src, _dst

# Letters NFKD cannot strip to an ASCII base because they are letters of their own, not
# letters with a mark (ł is not "l + stroke" to Unicode). ø, æ, ß are GSM-7 and kept.
_MAP.update({
    "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "ħ": "h", "Ħ": "H",
    "ı": "i", "ŧ": "t", "Ŧ": "T", "ŀ": "l", "Ŀ": "L", "ĸ": "k", "ŋ": "n", "Ŋ": "N",
    "þ": "th", "Þ": "Th", "œ": "oe", "Œ": "Oe", "ƒ": "f",
})
# Typography that word processors and phones insert, plus the one printable ASCII
# character (the backtick) that GSM-7 lacks.
_MAP.update(dict.fromkeys("‘’‚‛′ʼ`´‹›", "'"))
_MAP.update(dict.fromkeys("“”„‟″«»", '"'))
_MAP.update(dict.fromkeys("‐‑‒–—―−", "-"))
_MAP.update({
    "…": "...", "×": "x", "÷": "/", "⁄": "/", "•": "*", "™": "TM", "®": "(R)", "©": "(C)",
    "₽": "RUB", "₴": "UAH", "\t": " ",
})


def _recase(out: str, text: str, i: int) -> str:
    # A capital standing for several Latin letters reads "Zh" in "Жук" but "ZH" in "ЖУК".
    nxt = text[i + 1] if i + 1 < len(text) else ""
    prev = text[i - 1] if i else ""
    shouting = nxt.isupper() or (not nxt.isalpha() and prev.isupper())
    return out.upper() if shouting else out.capitalize()


def _fallback(ch: str) -> str:
    category = unicodedata.category(ch)
    if category == "Zs":  # no-break, thin, ideographic ... spaces
        return " "
    if category in ("Zl", "Zp"):
        return "\n"
    if category == "Cf" or category.startswith("M"):
        return ""  # zero-width joiners, soft hyphens, stray marks, emoji variation selectors
    # Compatibility decomposition turns č into c + caron and ﬁ into fi; keep it only if
    # what is left after dropping the marks is something we can send.
    base = [c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.category(c).startswith("M")]
    if base and "".join(base) != ch and all(c in GSM7_CHARS or c in _MAP for c in base):
        return "".join(c if c in GSM7_CHARS else _MAP[c] for c in base)
    return "?"


def transliterate(text: str) -> str:
    """Rewrite `text` so that it is GSM-7: keep what already is, map the rest, '?' if nothing fits.

    GSM-7's own accented letters (é, ü, ñ, à, Ø, Å, ß, Ç ...) and the extension characters
    (€, [, ] ...) are kept; Polish, Baltic and other Latin letters lose their marks; Cyrillic
    follows ICAO Doc 9303; typographic quotes, dashes and spaces become ASCII.
    """
    # NFC first so that "e" + combining acute is recognised as the GSM-7 letter é.
    text = unicodedata.normalize("NFC", text)
    out = []
    for i, ch in enumerate(text):
        if ch in GSM7_CHARS:
            out.append(ch)
        elif ch in _MAP:
            rep = _MAP[ch]
            out.append(_recase(rep, text, i) if len(rep) > 1 and ch.isupper() else rep)
        else:
            out.append(_fallback(ch))
    return "".join(out)


def fit(text: str, max_parts: int, transliterate_first: bool = False) -> tuple[str, SmsCount]:
    """Pick the text to send and its count; never truncates.

    With `transliterate_first` the text is always transliterated (the shop opted in to
    GSM-7 only). Otherwise the original is kept when it fits in `max_parts`, and the
    transliteration is used only when the original does not fit and it is strictly
    cheaper: it is not always, since щ -> shch costs 4 septets where UCS-2 paid 1 unit.
    The caller checks `result[1].parts <= max_parts` to know whether it fits.
    """
    if max_parts < 1:
        raise ValueError(f"max_parts must be at least 1, got {max_parts}")
    if transliterate_first:
        clean = transliterate(text)
        return clean, count(clean)
    original = count(text)
    if original.parts <= max_parts:
        return text, original
    clean = transliterate(text)
    cleaned = count(clean)
    return (clean, cleaned) if cleaned.parts < original.parts else (text, original)
