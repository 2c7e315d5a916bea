"""Staff pages: upload files, correct a document's metadata, withdraw, restore and delete it."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from werkzeug.utils import secure_filename

from archive.names import fit_name
from indexer.load.curate import (
    DocumentNotFound,
    delete_document,
    edit_document,
    restore_document,
    withdraw_document,
)
from indexer.extract.result import Limits
from indexer.search.errors import IndexBusyError
from indexer.load.upload import Upload, load_uploads
from web import background, resources
from web.access import actor_name, require_role, visible_document
from web.forms import FormError, document_meta, upload_overrides
from web.presenters.staff import edit_form, upload_form, upload_results

bp = Blueprint("staff", __name__)


@bp.get("/upload")
@require_role("staff")
def upload() -> str:
    return render_template("upload.html", form=upload_form(request.form))


@bp.post("/upload")
@require_role("staff")
def upload_submit():
    files = [f for f in request.files.getlist("files") if f.filename]
    try:
        if not files:
            raise FormError("Choose at least one file to upload.")
        overrides = upload_overrides(request.form, len(files))
        uploads = [Upload(fit_name(secure_filename(f.filename)) or "upload", f.stream) for f in files]
        outcomes = load_uploads(resources.data_dir(), resources.catalog(), uploads, overrides,
                                Limits(max_file_bytes=current_app.config["MAX_CONTENT_LENGTH"]), actor_name(),
                                seconds=current_app.config["UPLOAD_TIMEOUT"])
    except (FormError, IndexBusyError) as exc:
        return render_template("upload.html", form=upload_form(request.form), error=str(exc)), 400
    if any(o.outcome.needs_ocr for o in outcomes):
        background.reader(current_app).nudge()
    return render_template("upload.html", form=upload_form(request.form), results=upload_results(outcomes))


@bp.get("/documents/<int:doc_id>/edit")
@require_role("staff")
def edit(doc_id: int) -> str:
    doc = visible_document(doc_id)
    return render_template("edit.html", doc=doc, form=edit_form(doc.meta))


@bp.post("/documents/<int:doc_id>/edit")
@require_role("staff")
def edit_submit(doc_id: int):
    doc = visible_document(doc_id)
    try:
        edit_document(_index(), resources.catalog(), doc_id, document_meta(request.form), actor_name())
    except (FormError, IndexBusyError) as exc:
        return render_template("edit.html", doc=doc, form=edit_form(request.form), error=str(exc)), 400
    flash("The changes are saved and already in search.")
    return redirect(url_for("pages.document", doc_id=doc_id))


@bp.post("/documents/<int:doc_id>/withdraw")
@require_role("staff")
def withdraw(doc_id: int):
    return _change(doc_id, withdraw_document, "Withdrawn: only staff can see this document now.")


@bp.post("/documents/<int:doc_id>/restore")
@require_role("staff")
def restore(doc_id: int):
    return _change(doc_id, restore_document, "Restored: the document is visible again at its access level.")


@bp.get("/documents/<int:doc_id>/delete")
@require_role("staff")
def delete(doc_id: int) -> str:
    return render_template("delete.html", doc=visible_document(doc_id))


@bp.post("/documents/<int:doc_id>/delete")
@require_role("staff")
def delete_submit(doc_id: int):
    doc = visible_document(doc_id)
    if request.form.get("confirm") != "yes":
        return render_template("delete.html", doc=doc, error="Tick the box to confirm the deletion."), 400
    try:
        delete_document(_index(), resources.catalog(), resources.store(), doc_id, actor_name())
    except IndexBusyError as exc:
        return render_template("delete.html", doc=doc, error=str(exc)), 503
    flash(f"Deleted “{doc.title}” for good.")
    return redirect(url_for("pages.search"))


def _change(doc_id: int, action, message: str):
    visible_document(doc_id)
    try:
        action(_index(), resources.catalog(), doc_id, actor_name())
    except DocumentNotFound:
        abort(404)
    except IndexBusyError as exc:
        abort(503, str(exc))
    flash(message)
    return redirect(url_for("pages.document", doc_id=doc_id))


def _index():
    return resources.searcher().ix
