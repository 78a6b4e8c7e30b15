"""SMS sizing and GSM-7 transliteration (shopcare.notify.smstext)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shopcare.notify import smstext
from shopcare.notify.smstext import SmsCount, count, encoding_of, fit, split, transliterate


# --- the alphabet -------------------------------------------------------------------------


def test_basic_table_is_the_3gpp_23038_layout():
    table = smstext.BASIC_TABLE
    assert len(table) == 128
    # Spot checks at code positions that are easy to get wrong.
    assert table[0x00] == "@"
    assert table[0x02] == "$"
    assert table[0x09] == "\u00c7"  # capital C cedilla, not the small one
    assert table[0x0A] == "\n" and table[0x0D] == "\r"
    assert table[0x11] == "_"
    assert table[0x1B] == "\x1b"  # ESC, not a character
    assert table[0x24] == "\u00a4"  # currency sign, not a second dollar
    assert table[0x40] == "\u00a1"
    assert table[0x5F] == "\u00a7"
    assert table[0x60] == "\u00bf"  # not the backtick
    assert table[0x7F] == "\u00e0"
    greek = [0x10, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1A]
    assert [ord(table[i]) for i in greek] == [
        0x0394, 0x03A6, 0x0393, 0x039B, 0x03A9, 0x03A0, 0x03A8, 0x03A3, 0x0398, 0x039E
    ]
    assert len(smstext.GSM7_BASIC) == 127
    assert "\x1b" not in smstext.GSM7_CHARS


@pytest.mark.parametrize("ch", list("èéùìòÇØøÅåÆæßÉÄÖÑÜäöñüà¡¿§¤£¥ΔΦΓΛΩΠΨΣΘΞ@$_"))
def test_gsm7_letters_and_symbols(ch):
    assert encoding_of("abc" + ch) == "gsm7"
    assert count(ch).units == 1


@pytest.mark.parametrize("ch", list("çÈÀÙÌÒáíóúâêîôûëïÿãõąęłżśćńźčšžėįųūΑΒαβ`\t") + ["😀"])
def test_characters_outside_gsm7_force_ucs2(ch):
    assert encoding_of("plain text " + ch) == "ucs2"


@pytest.mark.parametrize("ch", ["\f", "^", "{", "}", "\\", "[", "~", "]", "|", "€"])
def test_extension_characters_cost_two_septets(ch):
    c = count(ch)
    assert c.encoding == "gsm7"
    assert c.units == 2


def test_empty_text():
    assert encoding_of("") == "gsm7"
    assert count("") == SmsCount("gsm7", 0, 0, 0)
    assert split("") == []


# --- part counting ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "parts", "left"), [(1, 1, 159), (160, 1, 0), (161, 2, 145), (306, 2, 0), (307, 3, 152)]
)
def test_gsm7_part_boundaries(n, parts, left):
    assert count("a" * n) == SmsCount("gsm7", n, parts, left)


@pytest.mark.parametrize(
    ("n", "parts", "left"), [(1, 1, 69), (70, 1, 0), (71, 2, 63), (134, 2, 0), (135, 3, 66)]
)
def test_ucs2_part_boundaries(n, parts, left):
    assert count("ż" * n) == SmsCount("ucs2", n, parts, left)


def test_extension_characters_in_a_short_text():
    # € 2 + "10" 2 + " " 1 + "[" 2 + "promo" 5 + "]" 2
    assert count("€10 [promo]") == SmsCount("gsm7", 14, 1, 146)
    assert count("€" * 80) == SmsCount("gsm7", 160, 1, 0)


def test_extension_character_is_not_split_across_parts():
    text = "a" * 152 + "€" + "b" * 10
    assert count(text).units == 164
    parts = split(text)
    assert parts == ["a" * 152, "€" + "b" * 10]  # the first part ends at 152 septets
    # When the ESC pair still fits, the part is full.
    assert split("a" * 151 + "€" + "b" * 10) == ["a" * 151 + "€", "b" * 10]


def test_unsplittable_pairs_can_cost_an_extra_part():
    # 306 septets would be 2 parts by division, but the € cannot straddle the boundary.
    text = "a" * 152 + "€" + "a" * 152
    c = count(text)
    assert c.units == 306
    assert c.parts == 3
    assert [len(p) for p in split(text)] == [152, 152, 1]
    # 81 euro signs: 76 per part (152 septets), never 76.5.
    assert count("€" * 81).parts == 2
    assert [len(p) for p in split("€" * 81)] == [76, 5]


def test_emoji_surrogate_pair_counts_two_units_and_is_not_split():
    assert count("😀") == SmsCount("ucs2", 2, 1, 68)
    assert count("😀" * 35) == SmsCount("ucs2", 70, 1, 0)
    assert [len(p) for p in split("😀" * 36)] == [33, 3]  # 66 units per part
    text = "x" * 66 + "😀" + "x" * 66
    c = count(text)
    assert c.units == 134 and c.parts == 3  # division would say 2
    assert split(text) == ["x" * 66, "😀" + "x" * 65, "x"]
    assert all(len(p.encode("utf-16-le")) // 2 <= 67 for p in split(text))


def test_one_polish_letter_switches_the_whole_message():
    assert count("a" * 100).parts == 1
    assert count("a" * 100 + "ł") == SmsCount("ucs2", 101, 2, 33)


# --- transliteration ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("src", "expected"),
    [
        ("Zamówienie A1001 zostało wysłane", "Zamowienie A1001 zostalo wyslane"),
        ("Łódź", "Lodz"),
        ("ŁÓDŹ, Żółć, ĄĘŚĆŃ", "LODZ, Zolc, AESCN"),
        ("Ваш заказ отправлен, щётка", "Vash zakaz otpravlen, shchetka"),
        ("Užsakymas išsiųstas", "Uzsakymas issiustas"),
        ("ąčęėįšųūž ĄČĘĖĮŠŲŪŽ", "aceeisuuz ACEEISUUZ"),
        ("Café Müller", "Café Müller"),
        ("Straße, Größe, Ñandú, Ærø, Åse, Ça", "Straße, Größe, Ñandu, Ærø, Åse, Ça"),
        ("Noël, garçon, œuvre, à bientôt", "Noel, garcon, oeuvre, à bientot"),
        ("Rīga, Ķekava, Tõnu, Příliš žluťoučký kůň, ľúbiť", "Riga, Kekava, Tonu, Prilis zlutoucky kun, lubit"),
        ("Đurđevac, Þór", "Durdevac, Thor"),
        ("Жук ЖУК Щука ЩИ ПЛЮЩ Я", "Zhuk ZHUK Shchuka SHCHI PLIUSHCH Ia"),
        ("объявление, Ильич, семья, Юрий", "obieiavlenie, Ilich, semia, Iurii"),
        ("ґанок єнот їжак Іван", "ganok ienot izhak Ivan"),
        ("Беларусь, Ўладзімір", "Belarus, Uladzimir"),
        ("„Cudzysłów” – «ёлка» … ‘x’ — 5×3™", '"Cudzyslow" - "elka" ... \'x\' - 5x3TM'),
        ("a\u00a0b\u202fc\u2009d\u3000e", "a b c d e"),
        ("soft\u00adhy\u200bphen", "softhyphen"),
        ("tab\there, `code`", "tab here, 'code'"),
        ("€10 [promo] {x} ^ | ~ \\", "€10 [promo] {x} ^ | ~ \\"),
        ("ΔΦΓΛΩΠΨΣΘΞ", "ΔΦΓΛΩΠΨΣΘΞ"),
        ("e\u0301", "é"),  # decomposed input still counts as the GSM-7 é
        ("½ ﬁ №5", "1/2 fi No5"),
        ("你好 👍 ❤️", "?? ? ?"),
    ],
)
def test_transliterate(src, expected):
    assert transliterate(src) == expected
    assert encoding_of(transliterate(src)) == "gsm7"


def test_polish_sentence_becomes_cheap():
    src = "Zamówienie A1001 zostało wysłane"
    assert encoding_of(src) == "ucs2"
    assert count(transliterate(src)).encoding == "gsm7"


def test_every_mapping_target_is_gsm7():
    assert all(encoding_of(v) == "gsm7" for v in smstext._MAP.values())


# --- fit ----------------------------------------------------------------------------------


def test_fit_keeps_text_that_already_fits():
    assert fit("Zamówienie wysłane", 1) == ("Zamówienie wysłane", count("Zamówienie wysłane"))


def test_fit_transliterates_when_too_long_and_cheaper():
    src = "Paczka z zamówieniem została wysłana " * 3  # 111 chars of UCS-2 = 2 parts
    text, c = fit(src, 1)
    assert text == transliterate(src)
    assert c == SmsCount("gsm7", 111, 1, 49)


def test_fit_keeps_original_when_transliteration_is_not_cheaper():
    src = "щ" * 100  # 2 UCS-2 parts; "shch" * 100 is 400 septets, 3 parts
    assert fit(src, 1) == (src, count(src))


def test_fit_transliterate_first_always_transliterates():
    assert fit("Łódź", 5, transliterate_first=True) == ("Lodz", count("Lodz"))


def test_fit_does_not_truncate():
    text, c = fit("a" * 400, 1)
    assert text == "a" * 400 and c.parts == 3


def test_fit_rejects_nonpositive_max_parts():
    with pytest.raises(ValueError):
        fit("hi", 0)


# --- properties ---------------------------------------------------------------------------

# Characters chosen to hit every cost: 1-septet, 2-septet, BMP non-GSM, surrogate pair.
_mixed = st.sampled_from(list("ab €[ża😀ЩЖ\n") + ["é", "\u00a0", "ł"])
texts = st.one_of(
    st.text(max_size=200),
    st.lists(_mixed, max_size=400).map("".join),
    st.lists(st.sampled_from(list("ab€[|")), max_size=400).map("".join),
)


def _cost(text: str, encoding: str) -> int:
    """Units of `text` when the message it belongs to is sent in `encoding`."""
    if encoding == "gsm7":
        return sum(2 if ch in "\f^{}\\[~]|€" else 1 for ch in text)
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _units(text: str) -> int:
    return _cost(text, encoding_of(text))


def _reference_parts(text: str) -> int:
    """Independent split: fill each part until the next character no longer fits."""
    if not text:
        return 0
    single, multi = (160, 153) if encoding_of(text) == "gsm7" else (70, 67)
    if _units(text) <= single:
        return 1
    parts, i = 0, 0
    encoding = encoding_of(text)
    while i < len(text):
        j = i
        while j < len(text) and _cost(text[i : j + 1], encoding) <= multi:
            j += 1
        parts, i = parts + 1, j
    return parts


@settings(max_examples=300)
@given(st.text())
def test_transliterate_always_yields_gsm7(text):
    out = transliterate(text)
    assert encoding_of(out) == "gsm7"
    assert transliterate(out) == out  # idempotent


@given(st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=600))
def test_parts_monotonic_in_length_for_ascii(text):
    parts = [count(text[:n]).parts for n in range(len(text) + 1)]
    assert parts == sorted(parts)


@settings(max_examples=200)
@given(texts)
def test_count_is_consistent(text):
    c = count(text)
    assert c.units == _units(text)
    assert c.parts * c.capacity >= c.units
    assert 0 <= c.units_left < c.capacity or (c.parts == 0 and c.units_left == 0)
    assert c.parts == _reference_parts(text)


@settings(max_examples=200)
@given(texts)
def test_split_matches_count_and_keeps_pairs_whole(text):
    parts = split(text)
    c = count(text)
    assert "".join(parts) == text
    assert len(parts) == c.parts
    assert all(p for p in parts)
    for p in parts:
        assert _cost(p, c.encoding) <= c.capacity
    for p, nxt in zip(parts, parts[1:]):
        assert _cost(p + nxt[0], c.encoding) > c.capacity  # greedy: the next char did not fit
    if parts:
        assert c.units_left == c.capacity - _cost(parts[-1], c.encoding)
