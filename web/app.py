"""The Flask application factory."""
from __future__ import annotations

import os
from typing import Any, Mapping

from flask import Flask

from archive.datadir import resolve_data_dir


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: defaults, then $ARCHIVE_DATA_DIR, then the given mapping (tests pass theirs)."""
    app = Flask(__name__)
    app.config.from_mapping(
        DATA_DIR=os.environ.get("ARCHIVE_DATA_DIR"),
        PER_PAGE=10,
        MAX_CONTENT_LENGTH=100 * 1024 * 1024,
    )
    if config:
        app.config.from_mapping(config)
    app.config["DATA"] = resolve_data_dir(app.config["DATA_DIR"]).ensure()

    from web import api, errors, pages, resources

    resources.init_app(app)
    errors.init_app(app)
    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    return app
