"""Atom feeds of searches, for researchers who follow a subject: /search.atom takes every parameter of
/search and gives the newest documents added to the archive that match.

A feed reader has no session, so the session is never read here: a feed shows public documents, and
the members' documents of an account only when fetched with that account's personal feed key
(`key=`, the secret link on /account). A revoked or unknown key is refused, never served as public.
"""
from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timezone
from xml.etree import ElementTree as ET

from flask import Blueprint, Response, abort, current_app, request

from archive import accounts
from archive.accounts import ANONYMOUS, User
from indexer.search.results import Hit, SearchResults
from web import resources
from web.links import external_url
from web.pages import run_search
from web.params import search_request
from web.presenters.common import document_meta_line, value_label
from web.serialize import hit_snippet

bp = Blueprint("feeds", __name__)
ATOM = "http://www.w3.org/2005/Atom"
FEED_SIZE = 50
FEED_TITLE = "Federation Document Archive"
KEY_PARAM = "key"
# Characters XML 1.0 cannot carry at all: text from a PDF may hold any of them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


@bp.get("/search.atom")
def search() -> Response:
    user = _feed_user()
    role = user.role if user else ANONYMOUS
    req = search_request(request.args, FEED_SIZE, allowed_access=accounts.visible_levels(role))
    results = run_search(replace(req, page=1, per_page=FEED_SIZE, sort="added"))
    response = Response(_atom(results, user), mimetype="application/atom+xml")
    response.headers["Content-Type"] = "application/atom+xml; charset=utf-8"
    response.cache_control.max_age = 300
    if user is not None:  # a personal feed is never kept in a shared cache
        response.cache_control.private = True
    else:
        response.cache_control.public = True
    response.add_etag()  # a reader that asks again with If-None-Match gets 304 while nothing changed
    return response.make_conditional(request)


def _feed_user() -> User | None:
    """The account whose personal feed key the URL carries; None without one; 403 for a key that does not work."""
    key = request.args.get(KEY_PARAM)
    if key is None:
        return None
    user = accounts.feed_user(resources.catalog(), key, current_app.secret_key)
    if user is None:
        abort(403, "This personal feed link was revoked or is not valid. Make a new one on your account page "
                   "(sign in, then “Your account”), and give the new link to your feed reader.")
    return user


def _atom(results: SearchResults, user: User | None) -> bytes:
    """The feed document: what the search is, then one entry per hit, newest in the archive first."""
    params = [(k, v) for k, v in request.args.items(multi=True) if k not in (KEY_PARAM, "page", "per_page", "sort")]
    feed = ET.Element("feed", xmlns=ATOM)  # plain names below are in the Atom namespace
    _text(feed, "title", _title(results, user))
    _text(feed, "subtitle", f"The newest documents added to the archive that match, up to {FEED_SIZE}.")
    _text(feed, "id", external_url("feeds.search", **_grouped(params)))
    _text(feed, "updated", max((_updated(h) for h in results.hits), default=_now()))
    _link(feed, "self", external_url("feeds.search", **_grouped(request.args.items(multi=True))),
          "application/atom+xml")
    _link(feed, "alternate", external_url("pages.search", **_grouped(params + [("sort", "added")])), "text/html")
    author = ET.SubElement(feed, "author")
    _text(author, "name", FEED_TITLE)
    _text(feed, "generator", FEED_TITLE)
    for hit in results.hits:
        _entry(feed, hit)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def _entry(feed: ET.Element, hit: Hit) -> None:
    doc = hit.document
    entry = ET.SubElement(feed, "entry")
    url = external_url("pages.document", doc_id=doc.id)
    _text(entry, "title", doc.title)
    _text(entry, "id", url)
    _text(entry, "updated", _updated(hit))
    _text(entry, "published", _updated(hit))
    _link(entry, "alternate", url, "text/html")
    _link(entry, "enclosure", external_url("pages.download", doc_id=doc.id), doc.mime)
    category = ET.SubElement(entry, "category")
    category.set("term", doc.doc_type)
    category.set("label", value_label("doc_type", doc.doc_type))
    summary = document_meta_line(doc) + (" (members only)" if doc.visibility == "members" else "")
    snippet = hit_snippet(hit).strip()
    _text(entry, "summary", f"{summary}. {snippet}" if snippet else summary)


def _title(results: SearchResults, user: User | None) -> str:
    query = results.request.query.strip()
    what = f"Search for “{query}”" if query else "New documents"
    return f"{what} · {FEED_TITLE}" + (f" (personal feed of {user.name})" if user else "")


def _grouped(pairs) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for key, value in pairs:
        grouped.setdefault(key, []).append(value)
    return grouped


def _updated(hit: Hit) -> str:
    """When the document came into the archive, as RFC 3339 (the catalog keeps UTC ISO times)."""
    return datetime.fromisoformat(hit.document.added_at).astimezone(timezone.utc).isoformat(timespec="seconds")


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _text(parent: ET.Element, name: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, name)
    element.text = _NOT_XML.sub("\ufffd", text)
    return element


def _link(parent: ET.Element, rel: str, href: str, mimetype: str) -> None:
    link = ET.SubElement(parent, "link")
    link.set("rel", rel)
    link.set("href", href)
    link.set("type", mimetype)
