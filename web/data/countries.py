#!/usr/bin/env python3
"""Writes countries.tsv: every country code the server knows (server/src/accounts/regions.rs)
with its name in each of the six UN languages, from the Unicode CLDR (Python's `babel`),
each language's list in its own alphabetical order (the Unicode Collation Algorithm,
Python's `pyuca`). Run:  python3 web/data/countries.py
"""
import re
from pathlib import Path

from babel import Locale
import pyuca

HERE = Path(__file__).resolve().parent
regions = (HERE.parents[1] / "server/src/accounts/regions.rs").read_text()
codes = set()
for block in re.findall(r'const [A-Z_]+: &str =\s*((?:"[^"]*"\s*)+);', regions):
    for part in re.findall(r'"([^"]*)"', block):
        codes.update(c for c in part.replace("\\", " ").split() if re.fullmatch(r"[A-Z]{2}", c))
collator = pyuca.Collator()
lines = ["lang\tcode\tname"]
for lang in ["ar", "zh", "en", "fr", "ru", "es"]:
    names = Locale(lang).territories
    rows = [(names.get(code, code), code) for code in codes]
    rows.sort(key=lambda r: collator.sort_key(r[0]))
    lines += [f"{lang}\t{code}\t{name}" for name, code in rows]
(HERE / "countries.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
print(len(codes), "countries in", 6, "languages")
