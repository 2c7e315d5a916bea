"""`archive user ...`: accounts from the command line, and no plain password anywhere in the data folder."""
from __future__ import annotations

from archive import audit
from archive.catalog import Catalog
from web.cli import main
from tests.web.conftest import login, make_app

PLAIN = "Bread-and-Roses-1912!"


def _run(cli_runner, data, *args, stdin=None):
    return cli_runner.invoke(main, ["--data-dir", str(data.root), "user", *args], input=stdin)


def test_add_list_passwd_remove(cli_runner, data):
    added = _run(cli_runner, data, "add", "clara", "--role", "staff", "--password-stdin", stdin=PLAIN + "\n")
    assert added.exit_code == 0, added.output
    assert "Created clara (staff)" in added.output
    listed = _run(cli_runner, data, "list")
    assert listed.exit_code == 0 and "clara" in listed.output and "staff" in listed.output
    app = make_app(data)
    assert login(app.test_client(), "clara", PLAIN).status_code == 302
    changed = _run(cli_runner, data, "passwd", "clara", "--password-stdin", stdin="another-long-password\n")
    assert changed.exit_code == 0, changed.output
    assert login(app.test_client(), "clara", PLAIN).status_code == 401
    assert login(app.test_client(), "clara", "another-long-password").status_code == 302
    assert _run(cli_runner, data, "role", "clara", "admin").exit_code == 0
    removed = _run(cli_runner, data, "remove", "clara")
    assert removed.exit_code == 0 and "Removed clara" in removed.output
    assert "clara" not in _run(cli_runner, data, "list").output
    with Catalog(data.catalog_path) as catalog:
        actions = [e.action for e in audit.entries(catalog)]
    assert actions == ["user-remove", "user-role", "user-passwd", "user-add"]


def test_interactive_prompt_asks_twice_and_hides_nothing_in_output(cli_runner, data):
    result = _run(cli_runner, data, "add", "walter", stdin=f"{PLAIN}\n{PLAIN}\n")
    assert result.exit_code == 0, result.output
    assert "Created walter (member)" in result.output and PLAIN not in result.output
    mismatch = _run(cli_runner, data, "add", "other", stdin=f"{PLAIN}\nsomething-else-1\n" * 3)
    assert "do not match" in mismatch.output.lower() and mismatch.exit_code != 0
    assert "other" not in _run(cli_runner, data, "list").output


def test_user_errors_are_clean_messages(cli_runner, data):
    short = _run(cli_runner, data, "add", "x", "--password-stdin", stdin="short\n")
    assert short.exit_code == 1 and "at least 10 characters" in short.output and "Traceback" not in short.output
    assert _run(cli_runner, data, "remove", "ghost").output.strip().endswith("there is no account named 'ghost'")
    bad_role = _run(cli_runner, data, "add", "x", "--role", "boss", "--password-stdin", stdin=PLAIN + "\n")
    assert bad_role.exit_code == 2


def test_no_plain_password_anywhere_in_the_data_folder(cli_runner, loaded):
    assert _run(cli_runner, loaded, "add", "mary", "--role", "admin", "--password-stdin",
                stdin=PLAIN + "\n").exit_code == 0
    app = make_app(loaded)
    client = app.test_client()
    assert login(client, "mary", PLAIN).status_code == 302
    assert login(client, "mary", PLAIN + "x").status_code == 401  # a failed attempt is recorded too
    needles = [PLAIN.encode(), PLAIN.encode("utf-16-le"), PLAIN[:12].encode()]
    files = [p for p in loaded.root.rglob("*") if p.is_file()]
    assert any(p.name.startswith("catalog.sqlite3") for p in files)
    for path in files:
        content = path.read_bytes()
        assert not any(needle in content for needle in needles), path
