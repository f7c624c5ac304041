#!/usr/bin/env python3
"""Writes languages.tsv: the name of every ISO 639-1 language in each of the six UN
languages, from the Unicode CLDR (Python's `babel`), for pages that name a contribution's
language. Run:  python3 web/data/languages.py
"""
from pathlib import Path

from babel import Locale

HERE = Path(__file__).resolve().parent
english = Locale("en").languages
codes = sorted(c for c in english if len(c) == 2 and c.isalpha() and c.islower())
lines = ["lang\tcode\tname"]
for lang in ["ar", "zh", "en", "fr", "ru", "es"]:
    names = Locale(lang).languages
    lines += [f"{lang}\t{code}\t{names[code]}" for code in codes if code in names]
(HERE / "languages.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
print(len(codes), "languages in", 6, "languages")
