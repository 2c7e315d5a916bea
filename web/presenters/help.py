"""The search help as plain data: examples of the query language, each a link that runs it."""
from __future__ import annotations

from dataclasses import dataclass

from flask import url_for

from archive.accounts import ANONYMOUS
from archive.vocabulary import DIVISIONS, DOC_TYPES


@dataclass(frozen=True)
class Example:
    typed: str  # what to type in the search box (or the From/To boxes)
    url: str  # the live search
    says: str  # what it finds


@dataclass(frozen=True)
class ExampleGroup:
    heading: str
    examples: tuple[Example, ...]
    intro: str = ""


@dataclass(frozen=True)
class HelpPage:
    groups: tuple[ExampleGroup, ...]
    types: tuple[tuple[str, str], ...]  # (code for type:, label)
    divisions: tuple[str, ...]
    you_see: str  # what the reader, signed in or not, may see


# (typed, query, what it finds): the queries run against whatever the archive holds when followed.
_QUERIES = {
    "Words and phrases": (
        ("safe staffing", "safe staffing", "documents with both words, in any form: “staffing” also finds “staffed”"),
        ('"living wage"', '"living wage"', "the exact phrase"),
        ("paraprofessionals OR paraeducators", "paraprofessionals OR paraeducators", "either word"),
        ("staffing -nurses", "staffing -nurses", "“staffing” but not “nurses” (NOT nurses works too)"),
    ),
    "Parts of words and typos": (
        ("negotiat*", "negotiat*", "words that start so: negotiation, negotiated, negotiating"),
        ("organi?ing", "organi?ing", "? stands for one letter: organizing, organising"),
        ("paraprofesional~", "paraprofesional~", "up to one typo (a letter wrong, missing, extra, or two swapped); "
                                                 "word~2 allows two"),
    ),
    "Fields": (
        ("title:resolution", "title:resolution", "the word in the title"),
        ("type:press_statement budget", "type:press_statement budget", "one type of document (the codes are below)"),
        ("division:psrp", "division:psrp", "one division; division:\"higher ed\" works too"),
        ("year:2019", "year:2019", "the year a document is about: an audit's fiscal year, a convention's year"),
        ("year:2015..2019", "year:2015..2019", "a range of years"),
    ),
}
# (typed in the From and To boxes, from, to, what it finds)
_DATES = (
    ("From 2020-03 to 2020-06", "2020-03", "2020-06", "documents dated March to June 2020, and those known only "
                                                       "by the year 2020"),
    ("From 2019-10-01", "2019-10-01", None, "documents dated 1 October 2019 or later"),
    ("To 2015", None, "2015", "documents dated 2015 or earlier"),
)
_DATES_INTRO = ("The From and To boxes beside the results take a year (2019), a month (2019-03) or a day (2019-03-31) "
                "and keep the documents dated within. A document known only by its year matches every range that "
                "overlaps that year.")

_YOU_SEE = {
    ANONYMOUS: "You are not signed in, so you see the public documents. Members of the federation see more after "
               "signing in.",
    "member": "You are signed in as a member: you see public and members-only documents.",
}
_STAFF_SEE = "You are signed in as staff: you see every document, withdrawn ones too."


def help_page(role: str) -> HelpPage:
    groups = [ExampleGroup(heading, tuple(Example(typed, url_for("pages.search", q=query), says)
                                          for typed, query, says in examples))
              for heading, examples in _QUERIES.items()]
    groups.append(ExampleGroup("Dates", tuple(Example(typed, _dates_url(low, high), says)
                                              for typed, low, high, says in _DATES), _DATES_INTRO))
    return HelpPage(tuple(groups), tuple(DOC_TYPES.items()), DIVISIONS, _YOU_SEE.get(role, _STAFF_SEE))


def _dates_url(low: str | None, high: str | None) -> str:
    return url_for("pages.search", **{key: value for key, value in (("from", low), ("to", high)) if value})
