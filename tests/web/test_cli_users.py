"""`archive user ...`: accounts from the command line, and no plain password anywhere in the data folder."""
from __future__ import annotations

from archive import audit
from archive.catalog import Catalog
from web.cli import main
from tests.web.conftest import login, make_app

ON_BOTH_BACKENDS = True  # each test once on SQLite, once on PostgreSQL (tests/web/conftest.py)

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
    with Catalog(data.catalog) as catalog:
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
    assert any(p.name.startswith("catalog.sqlite3") for p in files) != loaded.on_postgres
    for path in files:
        content = path.read_bytes()
        assert not any(needle in content for needle in needles), path
    if loaded.on_postgres:  # the catalog is the database's: every row of every table, as text
        for table, row in _database_rows(loaded.catalog_url):
            assert PLAIN not in row and PLAIN[:12] not in row, table


def _database_rows(url: str) -> list[tuple[str, str]]:
    import psycopg

    with psycopg.connect(url) as db:
        tables = [name for (name,) in db.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")]
        rows = [(table, text) for table in tables
                for (text,) in db.execute(f'SELECT t::text FROM "{table}" t')]
    assert any(table == "users" for table, _ in rows)  # the accounts were there to look at
    return rows


MEMBERS = "name,email\n" + "".join(f"m{n:03},m{n:03}@example.org\n" for n in range(40))


def _members_file(tmp_path, text: str = MEMBERS):
    path = tmp_path / "members.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_import_members_and_write_their_links_for_a_mail_merge(cli_runner, data, tmp_path):
    import csv
    import stat

    from archive import account_links, accounts

    links = tmp_path / "links.csv"
    result = _run(cli_runner, data, "import", str(_members_file(tmp_path)), "--links", str(links),
                  "--base-url", "https://archive.example.org")
    assert result.exit_code == 0, result.output
    assert "40 new accounts" in result.output and "Wrote 40 invitation links" in result.output
    assert stat.S_IMODE(links.stat().st_mode) == 0o600
    rows = list(csv.DictReader(links.open(encoding="utf-8")))
    assert [r["name"] for r in rows[:2]] == ["m000", "m001"] and rows[0]["email"] == "m000@example.org"
    assert rows[0]["link"].startswith("https://archive.example.org/password/")
    with Catalog(data.catalog) as catalog:
        user, _ = account_links.check(catalog, rows[5]["link"].rsplit("/", 1)[1])
        assert user.name == "m005" and user.status == "invited"
        assert len(accounts.list_users(catalog)) == 40
    again = _run(cli_runner, data, "import", str(_members_file(tmp_path)))  # the same file: nothing changes
    assert again.exit_code == 0 and "0 new accounts, 0 updated, 40 already as in the file" in again.output
    assert "40 accounts wait for an invitation" in again.output


def test_a_member_file_with_bad_lines_imports_nothing(cli_runner, data, tmp_path):
    bad = MEMBERS + "m001,other@example.org\nnew one,x@example.org\n"
    result = _run(cli_runner, data, "import", str(_members_file(tmp_path, bad)))
    assert result.exit_code == 1 and "nothing was imported" in result.output
    assert "line 42: the name 'm001' is also on line 3" in result.output
    assert "line 43: account names are" in result.output
    assert "No accounts yet" in _run(cli_runner, data, "list").output
    checked = _run(cli_runner, data, "import", str(_members_file(tmp_path)), "--check")
    assert checked.exit_code == 0 and "40 new accounts" in checked.output and "Nothing was changed" in checked.output
    assert "No accounts yet" in _run(cli_runner, data, "list").output


def test_existing_accounts_change_only_with_update(cli_runner, data, tmp_path):
    assert _run(cli_runner, data, "import", str(_members_file(tmp_path, "name,email\nana,ana@example.org\n"))).exit_code == 0
    moved = _members_file(tmp_path, "name,email,role\nana,ana@new.example.org,staff\n")
    refused = _run(cli_runner, data, "import", str(moved))
    assert refused.exit_code == 1 and "use --update to change it" in refused.output
    assert _run(cli_runner, data, "import", str(moved), "--update").exit_code == 0
    listed = _run(cli_runner, data, "list").output
    assert "ana@new.example.org" in listed and "staff" in listed and "invited" in listed


def test_import_and_send_the_invitations_resuming_after_a_failure(cli_runner, data, tmp_path, mail_server, monkeypatch):
    from tests.mailserver import link_in

    for name, value in mail_server.env("https://archive.example.org").items():
        monkeypatch.setenv(name, value)
    mail_server.handler.fail_after = 15
    first = _run(cli_runner, data, "import", str(_members_file(tmp_path)), "--send")
    assert first.exit_code == 1, first.output
    assert "Queued 40 invitations" in first.output and "Sent 15 messages; 25 waiting" in first.output
    assert "451" in first.output and "archive mail send" in first.output
    status = cli_runner.invoke(main, ["--data-dir", str(data.root), "mail", "status"])
    assert "25 waiting, 15 sent" in status.output
    mail_server.handler.fail_after = None
    resumed = cli_runner.invoke(main, ["--data-dir", str(data.root), "mail", "send"])
    assert resumed.exit_code == 0 and "Sent 25 messages; 0 waiting" in resumed.output
    assert len(mail_server.messages) == 40
    assert len({m["To"].addresses[0].addr_spec for m in mail_server.messages}) == 40
    assert link_in(mail_server.messages[-1]).startswith("https://archive.example.org/password/")


def test_send_without_mail_settings_says_what_to_set(cli_runner, data, tmp_path, monkeypatch):
    monkeypatch.delenv("ARCHIVE_SMTP_URL", raising=False)
    result = _run(cli_runner, data, "import", str(_members_file(tmp_path)), "--send")
    assert result.exit_code == 1 and "ARCHIVE_SMTP_URL" in result.output
    assert "No accounts yet" in _run(cli_runner, data, "list").output  # checked before anything changed
    monkeypatch.setenv("ARCHIVE_SMTP_URL", "smtp://u:pw@mail.example.org")
    assert "ARCHIVE_SMTP_PASSWORD" in _run(cli_runner, data, "import", str(_members_file(tmp_path)), "--send").output


def test_disable_enable_email_and_invite_from_the_command_line(cli_runner, data):
    assert _run(cli_runner, data, "add", "zoe", "--no-password", "--email", "zoe@example.org").exit_code == 0
    assert "zoe@example.org" in _run(cli_runner, data, "list").output
    assert _run(cli_runner, data, "email", "zoe", "zoe@other.example.org").exit_code == 0
    bad = _run(cli_runner, data, "email", "zoe", "not-an-address")
    assert bad.exit_code == 1 and "not an e-mail address" in bad.output
    assert _run(cli_runner, data, "disable", "zoe").exit_code == 0
    assert "disabled" in _run(cli_runner, data, "list").output
    refused = _run(cli_runner, data, "invite", "zoe", "--links", "x.csv", "--base-url", "https://a.example.org")
    assert refused.exit_code == 1 and "none of these accounts waits" in refused.output
    assert _run(cli_runner, data, "enable", "zoe").exit_code == 0
    nolinks = _run(cli_runner, data, "invite", "--pending", "--links", "x.csv")
    assert nolinks.exit_code == 1 and "--base-url" in nolinks.output


def test_serve_with_broken_mail_settings_says_which_to_fix(cli_runner, data, monkeypatch):
    monkeypatch.setenv("ARCHIVE_SMTP_URL", "mail.example.org")
    result = cli_runner.invoke(main, ["--data-dir", str(data.root), "serve", "--port", "1"])
    assert result.exit_code == 1 and "ARCHIVE_SMTP_URL must look like smtp://" in result.output
