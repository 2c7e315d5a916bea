"""The Flask application factory."""
from __future__ import annotations

import os
from datetime import timedelta
from typing import Any, Mapping

from flask import Flask
from flask_wtf.csrf import CSRFProtect

from archive.account_links import DEFAULT_INVITE_DAYS
from archive.accounts import RateLimit, prepare_logins
from archive.datadir import resolve_data_dir
from archive.mail import settings_from
from indexer.extract.result import DEFAULT_LANGUAGE
from indexer.load.upload import UPLOAD_SECONDS
from web.params import RowId
from web.secret_key import SECRET_KEY_ENV, secret_key
from web.zips import DEFAULT_MAX_FILES, DEFAULT_MAX_MB

DEFAULT_UPLOAD_MB = 100


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: defaults, then $ARCHIVE_DATA_DIR, then the given mapping (tests pass theirs)."""
    app = Flask(__name__)
    app.url_map.converters["int"] = RowId  # before any blueprint's rules are made
    app.config.from_mapping(
        DATA_DIR=os.environ.get("ARCHIVE_DATA_DIR"),
        PER_PAGE=10,
        MAX_CONTENT_LENGTH=int(os.environ.get("ARCHIVE_UPLOAD_MAX_MB", DEFAULT_UPLOAD_MB)) * 1024 * 1024,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=8),
        SESSION_COOKIE_NAME="archive_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        WTF_CSRF_TIME_LIMIT=None,  # a token lives as long as the session, which expires on its own
        LOGIN_RATE_LIMIT=RateLimit(),
        # Seconds each uploaded file may take to extract, plus the pool's per-page allowance.
        UPLOAD_TIMEOUT=float(os.environ.get("ARCHIVE_UPLOAD_TIMEOUT", UPLOAD_SECONDS)),
        BASE_URL=os.environ.get("ARCHIVE_BASE_URL"),  # e.g. https://archive.example.org: links in exports
        OCR_LANGUAGE=os.environ.get("ARCHIVE_OCR_LANGUAGE", DEFAULT_LANGUAGE),  # scans of web uploads
        INVITE_DAYS=float(os.environ.get("ARCHIVE_INVITE_DAYS", DEFAULT_INVITE_DAYS)),  # invitation links live
        # Requests for a reset link: every one counts, per address asked about and per client address.
        RESET_RATE_LIMIT=RateLimit(per_account=3, per_address=10, window=60 * 60),
        MAIL_RETRY_SECONDS=60.0,  # after a failed mail run; doubled each time up to half an hour
        # The most one "download all" zip of a search may hold.
        ZIP_MAX_FILES=int(os.environ.get("ARCHIVE_ZIP_MAX_FILES", DEFAULT_MAX_FILES)),
        ZIP_MAX_MB=float(os.environ.get("ARCHIVE_ZIP_MAX_MB", DEFAULT_MAX_MB)),
    )
    if config:
        app.config.from_mapping(config)
    if "MAIL_SETTINGS" not in app.config:  # ARCHIVE_SMTP_URL, _PASSWORD, ARCHIVE_MAIL_FROM: None if unset
        app.config["MAIL_SETTINGS"] = settings_from(os.environ, app.config["BASE_URL"])
    # CATALOG_URL and STORE_DIR: None means $ARCHIVE_CATALOG_URL and $ARCHIVE_STORE_DIR (else in DATA_DIR).
    app.config["DATA"] = resolve_data_dir(app.config["DATA_DIR"], app.config.get("CATALOG_URL"),
                                          app.config.get("STORE_DIR")).ensure()

    from web import account, admin, admin_accounts, api, auth, background, errors, feeds, guide, pages, \
        resources, security, staff

    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = secret_key(app.config["DATA"].root,
                                              app.config.get("SECRET_KEY_FILE") or os.environ.get(SECRET_KEY_ENV))
    security.init_app(app)
    CSRFProtect(app)
    resources.init_app(app)
    background.init_app(app)
    errors.init_app(app)
    app.context_processor(auth.viewer_context)
    for blueprint in (pages.bp, guide.bp, api.bp, auth.bp, staff.bp, admin.bp, admin_accounts.bp, account.bp,
                      feeds.bp):
        app.register_blueprint(blueprint)
    prepare_logins()  # now, not at the first login: an unknown name must cost what a wrong password does
    return app
