"""Counts and units in plain English: one helper for every sentence the package writes.

Reasons, letters and reports all say how many of something there are ("1 month",
"2 months", "no public records"). Writing the plural by hand in each place gave
"was due 1 months ago" and "0 of credit card limits"; this module is the one
place that decides.

Reason templates (``FeatureDef.reason``) are ``str.format`` templates with
``{value}`` and these markers, all decided on the number as it is *printed*
(0.6 printed as "1" is singular):

- ``{s}``: "" for one, "s" otherwise ("month{s}");
- ``{is}``, ``{are}``, ``{was}``, ``{were}``, ``{has}``, ``{have}``: the verb
  agreeing with the count ("{value:.0f} contribution{s} {were} due").

At zero, a template that opens with a counted noun (it uses ``{s}``) reads
"No ..." ("No public records on file"), "only 0 of" / "0 of" reads "none of",
and "0 months ago" reads "less than a month ago".
"""

from __future__ import annotations

import math
import re
import string

__all__ = ["plural", "count_of", "format_count_template", "BAD_PHRASES"]

#: irregular plurals of the units the package counts
IRREGULAR = {"person": "people", "arrears": "arrears", "this": "these", "is": "are"}

#: phrases no sentence of the package may contain (the tests look for them)
BAD_PHRASES = (
    # a count of one with a plural unit: "1 months", "1 open credit accounts"
    re.compile(r"(?<![\d.,])\b1 (?!(?:of|in|or)\b)(?:[a-z-]+ ){0,2}(?:months|years|days|records|"
               r"instalments|contributions|accounts|employers|checks|people|groups|"
               r"statements|limits)\b"),
    # a count of one with a plural verb: "1 self-owed contribution were due"
    re.compile(r"(?<![\d.,])\b1 (?!(?:of|in|or)\b)(?:[\w-]+ ){0,2}[\w-]+ (?:were|are|have)\b"),
    # a count of zero "of" something: "0 of credit card limits", "only 0 of the last"
    re.compile(r"(?<![\d.,%])\b0 of\b"),
    re.compile(r"\bnone of credit card limits\b"),
)

_VERBS = {
    "is": ("is", "are"),
    "are": ("is", "are"),
    "was": ("was", "were"),
    "were": ("was", "were"),
    "has": ("has", "have"),
    "have": ("has", "have"),
}
_NUMBER = re.compile(r"^[-+]?[\d,]*\.?\d+")


def plural(word: str, n) -> str:
    """``word`` for a count of ``n``: plural unless ``n`` is exactly one.

    >>> plural("month", 1), plural("month", 0), plural("person", 2), plural("entry", 3)
    ('month', 'months', 'people', 'entries')
    """
    if _is_one(n):
        return word
    if word in IRREGULAR:
        return IRREGULAR[word]
    if re.search(r"[^aeiou]y$", word):
        return word[:-1] + "ies"
    if re.search(r"(s|x|z|ch|sh)$", word):
        return word + "es"
    return word + "s"


def count_of(n, word: str, *, zero: str = "no", sep: str = ",") -> str:
    """A count with its unit: "no records", "1 record", "1,204 records".

    Parameters
    ----------
    n : int or float
        Rounded to a whole number first (0.6 is one).
    word : str
        The singular unit; its plural comes from :func:`plural`.
    zero : str, default="no"
        What a count of zero reads as ("no", or "0" in a table).
    """
    k = int(round(float(n)))
    head = zero if k == 0 else f"{k:{sep}d}" if sep else str(k)
    return f"{head} {plural(word, k)}"


def _is_one(n) -> bool:
    try:
        return float(str(n).replace(",", "")) == 1
    except ValueError:
        return False


class _Formatter(string.Formatter):
    """``str.format`` whose markers agree with the value as printed."""

    def __init__(self):
        super().__init__()
        self.printed: str | None = None

    def format_field(self, value, format_spec):
        text = super().format_field(value, format_spec)
        if self.printed is None and isinstance(value, int | float):
            self.printed = text
        return text

    def get_value(self, key, args, kwargs):
        if key in ("s", *_VERBS):
            return _Marker(key)
        return super().get_value(key, args, kwargs)


class _Marker(str):
    """A placeholder resolved after the value is printed."""

    def __new__(cls, key):
        return super().__new__(cls, "\0" + key + "\0")


def format_count_template(template: str, value: float) -> str:
    """A reason template formatted for ``value`` with plurals and verbs that agree.

    >>> format_count_template("{value:.0f} month{s} late", 0.6)
    '1 month late'
    >>> format_count_template("{value:.0f} contribution{s} {were} due", 0)
    'No contributions were due'
    >>> format_count_template("due in only {value:.0f} of the last 12 months", 0)
    'due in none of the last 12 months'
    """
    fmt = _Formatter()
    text = fmt.format(template, value=value, s="", **{v: "" for v in _VERBS})
    printed = fmt.printed if fmt.printed is not None else str(value)
    match = _NUMBER.match(printed.strip())
    number = float(match.group(0).replace(",", "")) if match else math.nan
    one = number == 1
    text = text.replace("\0s\0", "" if one else "s")
    for key, (singular, many) in _VERBS.items():
        text = text.replace(f"\0{key}\0", singular if one else many)
    if number == 0 and printed.strip() in ("0", "0.0", "0.00"):
        text = _zero_phrases(text, printed.strip(), counted="{s}" in template)
    return text


def _zero_phrases(text: str, printed: str, counted: bool) -> str:
    p = re.escape(printed)
    text = re.sub(rf"\b(?:in )?only {p} of\b", lambda m: m.group(0).split("only")[0] + "none of",
                  text)
    text = re.sub(rf"(?<![\d.,]){p} of\b", "none of", text)
    text = re.sub(rf"(?<![\d.,]){p} months? ago\b", "less than a month ago", text)
    text = re.sub(rf"only {p} months? old\b", "less than a month old", text)
    if counted:  # "0 open credit accounts" -> "No open credit accounts"
        text = re.sub(rf"^{p} (?=[a-zA-Z])", "No ", text)
    return text
