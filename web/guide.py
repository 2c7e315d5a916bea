"""Pages for finding one's way: the home page a first visitor sees, and the search help."""
from __future__ import annotations

from flask import Blueprint, render_template, request

from web import pages, resources
from web.access import allowed_access, current_role
from web.presenters.help import help_page
from web.presenters.home import home_page

bp = Blueprint("guide", __name__)


@bp.get("/")
def home() -> str:
    """What the archive holds; with any parameter (an old link such as /?q=pension) it is the search."""
    if request.args:
        return pages.search()
    return render_template("home.html", page=home_page(resources.searcher(), allowed_access(), current_role()))


@bp.get("/help")
def help() -> str:  # noqa: A001 (the endpoint's name: guide.help)
    return render_template("help.html", page=help_page(current_role()))
