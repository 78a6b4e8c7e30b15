"""Which of the shop's languages (en, pl, lt, ru) an email is written in, when nobody says."""

from __future__ import annotations

import re

_PL_ONLY = set("łńśźżćŁŃŚŹŻĆó")
_LT_ONLY = set("ėįųūĖĮŲŪ")
_WORDS = {
    "pl": ("dzień dobry", "zamówienie", "zamówienia", "proszę", "dziękuję", "pozdrawiam", "czy", "jest", "nie", "przesyłka", "witam"),
    "lt": ("laba diena", "sveiki", "užsakymas", "užsakymo", "ačiū", "prašau", "pagarbiai", "siunta", "ar", "yra"),
    "en": ("hello", "hi", "order", "please", "thank", "thanks", "regards", "delivery", "would", "could", "the"),
}


def detect(text: str, default: str = "en") -> str:
    sample = text[:4000]
    if not sample.strip():
        return default
    cyrillic = sum(1 for ch in sample if "\u0400" <= ch <= "\u04ff")
    letters = sum(1 for ch in sample if ch.isalpha()) or 1
    if cyrillic / letters > 0.3:
        return "ru"
    if any(ch in _LT_ONLY for ch in sample):
        return "lt"
    if any(ch in _PL_ONLY for ch in sample):
        return "pl"
    low = sample.lower()
    scores = {lang: sum(len(re.findall(rf"\b{re.escape(w)}\b", low)) for w in words) for lang, words in _WORDS.items()}
    lang, score = max(scores.items(), key=lambda kv: kv[1])
    return lang if score else default
