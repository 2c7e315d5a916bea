"""Admin pages: the audit log (accounts are in web.admin_accounts)."""
from __future__ import annotations

from flask import Blueprint, render_template, request

from archive import audit
from web import resources
from web.access import require_role
from web.params import page_number
from web.presenters.audit import audit_page

bp = Blueprint("admin", __name__, url_prefix="/admin")
PER_PAGE = 50


@bp.get("/audit")
@require_role("admin")
def audit_log() -> str:
    page = page_number(request.args)
    catalog = resources.catalog()
    entries = audit.entries(catalog, limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
    return render_template("audit.html", page=audit_page(entries, page, audit.count(catalog), PER_PAGE))

