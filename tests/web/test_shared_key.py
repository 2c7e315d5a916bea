"""One signing key shared by every node (ARCHIVE_SECRET_KEY_FILE); a key file that can't serve is said plainly."""
from __future__ import annotations

import secrets

import pytest

from web.app import create_app
from web.cli import main
from web.secret_key import SecretKeyError


def test_two_apps_on_one_key_file_sign_alike(tmp_path, monkeypatch):
    key = tmp_path / "shared_key"
    key.write_text(secrets.token_hex(32) + "\n")
    monkeypatch.setenv("ARCHIVE_SECRET_KEY_FILE", str(key))
    one = create_app({"DATA_DIR": str(tmp_path / "node-a"), "TESTING": True})
    two = create_app({"DATA_DIR": str(tmp_path / "node-b"), "TESTING": True})
    assert one.secret_key == two.secret_key == key.read_bytes().strip()
    assert not (tmp_path / "node-a" / "secret_key").exists()  # no key of its own was made


@pytest.mark.parametrize("content,message", [
    (None, "cannot be read: No such file or directory"),
    ("short", "holds 5 bytes; it needs at least 32 random ones"),
])
def test_a_key_file_that_cannot_serve_stops_the_start_with_one_line(tmp_path, monkeypatch, cli_runner, content,
                                                                    message):
    key = tmp_path / "shared_key"
    if content is not None:
        key.write_text(content)
    monkeypatch.setenv("ARCHIVE_SECRET_KEY_FILE", str(key))
    with pytest.raises(SecretKeyError, match=message):
        create_app({"DATA_DIR": str(tmp_path / "node"), "TESTING": True})
    result = cli_runner.invoke(main, ["--data-dir", str(tmp_path / "node"), "serve", "--port", "1"])
    assert result.exit_code == 1 and f"Error: the secret key file {key} (ARCHIVE_SECRET_KEY_FILE)" in result.output
    assert message in result.output and "Traceback" not in result.output
