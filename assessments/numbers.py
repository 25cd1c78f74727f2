"""Numbers as a person types them, read the same way by every form that takes one (the bedside form, the
pharmacist's amendment).

A number is typed into a text field (`inputmode="decimal"`: a number keypad on a tablet) and read here, never by the
browser or by `float()`: a number input silently drops a comma it does not expect ("12,5" kg became 125 kg), and
`float()` reads "1e3" as 1000 and "1,000" not at all. `parse_number` reads "12,5" as 12.5 and refuses, with words
that say what to type, what it cannot read for certain ("1,234": 1.234 or 1234?).
"""

from __future__ import annotations

import math
import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

# Digits with at most one decimal separator, point or comma: 12.5, 12,5, .5, 12. (no exponent, no spaces inside).
_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)")
# "1,234" or "12,500": a comma before exactly three digits may be a thousands separator.
_THOUSANDS = re.compile(r"[+-]?0*[1-9]\d{0,2},\d{3}")
_MINUS_SIGNS = str.maketrans({"\u2212": "-", "\u2013": "-"})  # a minus sign or en dash pasted from a document


def _quoted(text: str) -> str:
    """What was typed, quoted back in a message (a pasted page of digits is not)."""
    return f"“{text.strip()}”" if len(text.strip()) <= 20 else "This"


def parse_number(text: str) -> float:
    """A number as a person types it: "12.5" and "12,5" are 12.5. Anything that could be read two ways, or not at
    all, is refused with words that say what to type instead; nothing is dropped or guessed."""
    value = text.strip().translate(_MINUS_SIGNS)
    if "," in value and "." in value:
        raise ValidationError(
            f"{_quoted(text)} has both a point and a comma: type the number with one of them, e.g. 12.5."
        )
    if _THOUSANDS.fullmatch(value):
        digits = value.replace(",", "")
        raise ValidationError(
            f"Is {_quoted(text)} {value.replace(',', '.')} or {digits}? Type it with a decimal point"
            f" ({value.replace(',', '.')}) or without the comma ({digits})."
        )
    if not _NUMBER.fullmatch(value):
        raise ValidationError(
            f"{_quoted(text)} is not a number: type digits, e.g. 12.5 (a decimal comma works too: 12,5)."
        )
    number = float(value.replace(",", "."))
    if not math.isfinite(number) or abs(number) > 1e9:
        raise ValidationError(f"{_quoted(text)} is far too large a number: check it.")
    return number


class DecimalInput(forms.TextInput):
    """A text field with a number keypad: the browser sends the characters typed, all of them."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        base = {"inputmode": "decimal", "autocomplete": "off", "spellcheck": "false", "class": "form-control"}
        super().__init__({**base, **(attrs or {})})


class NumberField(forms.Field):
    """A decimal number read by `parse_number` (None when empty)."""

    widget = DecimalInput

    def to_python(self, value: Any) -> float | None:
        if value in self.empty_values or (isinstance(value, str) and not value.strip()):
            return None
        return parse_number(str(value))
