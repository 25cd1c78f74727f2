"""How the texts name things (PROTOCOL.md, "Text conventions").

Text never shows an identifier: medications, symptoms and conditions are named in plain words, the id with spaces
for underscores, except the few whose plain name differs. A clause joined to a sentence starts in lower case.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

# The exceptions the protocol lists (and AKI, which the renal texts name in capitals, r2-m10).
PLAIN_NAMES = {
    "bisphosphonate_oral": "oral bisphosphonate",
    "iron_oral": "oral iron",
    "amphotericin_b_conventional": "amphotericin B (conventional)",
    "amphotericin_b_liposomal": "amphotericin B (liposomal)",
    "egfr_antibody": "EGFR antibody",
    "first_degree_av_block": "first-degree AV block",
    "aki": "AKI",
}


@cache  # identifiers only (enum members and the rule set's ids, never free text): a small, fixed vocabulary
def plain(identifier: object) -> str:
    """'azole_antifungal' -> 'azole antifungal'; the listed exceptions by their own name."""
    text = str(identifier)
    return PLAIN_NAMES.get(text) or text.replace("_", " ")


def join_and(words: Iterable[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    items = list(words)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def plain_list(identifiers: Iterable[object]) -> str:
    return join_and(plain(i) for i in identifiers)


def capitalized(text: str) -> str:
    return text[:1].upper() + text[1:]


# Words whose capitals carry meaning: a symbol or an acronym keeps its case at the start of a clause.
_KEEP_CASE = {"Mg", "MgSO4", "IV", "AKI", "K", "Ca", "ECG", "QTc", "CNI", "FEMg", "PN", "EGFR", "NHS", "PMH"}


def lowered(text: str) -> str:
    """A clause joined to a sentence starts in lower case (but 'Mg', 'IV', 'AKI' keep theirs)."""
    first = text.split(" ", 1)[0].rstrip(",:;.()")
    if first in _KEEP_CASE or first[1:2].isupper():
        return text
    return text[:1].lower() + text[1:]
