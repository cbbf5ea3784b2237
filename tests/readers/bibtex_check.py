"""Reads chancery's BibTeX with pybtex, strictly (any syntax error fails), and checks the
number of entries.

usage: bibtex_check.py FILE.bib EXPECTED_ENTRIES
"""
import sys

from pybtex import errors
from pybtex.database import parse_file

errors.set_strict_mode(True)
path, expected = sys.argv[1], int(sys.argv[2])
database = parse_file(path, bib_format="bibtex")
assert len(database.entries) == expected, (len(database.entries), expected)
for key, entry in database.entries.items():
    assert "title" in entry.fields or "howpublished" in entry.fields, key
print(f"pybtex: {len(database.entries)} entries")
