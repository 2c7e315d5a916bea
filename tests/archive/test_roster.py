"""Members in bulk: the whole file checked first, problems by line number, nothing changed by a bad file,
existing accounts changed only when updates are asked for."""
from __future__ import annotations

import pytest

from archive import accounts, audit, roster
from archive.catalog import Catalog
from archive.roster import RosterError


@pytest.fixture
def catalog(catalog_target):
    with Catalog(catalog_target) as catalog:
        yield catalog


def _problems(catalog, text: str, update: bool = False) -> list[str]:
    with pytest.raises(RosterError) as raised:
        roster.import_roster(catalog, text, "member", update, "test")
    return raised.value.problems


def test_a_thousand_members_arrive_invited_and_audited(catalog):
    lines = ["name,email"] + [f"member{n:04},member{n:04}@local{n % 7}.example.org" for n in range(1000)]
    result = roster.import_roster(catalog, "\n".join(lines).encode(), "member", False, "cli:admin")
    assert len(result.created) == 1000 and len(result.to_invite) == 1000
    users = accounts.list_users(catalog)
    assert len(users) == 1000 and {u.status for u in users} == {"invited"} and {u.role for u in users} == {"member"}
    assert audit.count(catalog) == 1000 and audit.entries(catalog, limit=1)[0].actor == "cli:admin"


def test_every_bad_line_is_named_and_nothing_changes(catalog):
    accounts.add_user(catalog, "existing", "member", None, "taken@example.org")
    text = ("name,email,role\n"
            "good,good@example.org,\n"
            "bad name,bad@example.org,member\n"
            "noaddress,,member\n"
            "wrongaddress,not-an-address,member\n"
            "boss,boss@example.org,boss\n"
            "good,again@example.org,\n"
            "copy,GOOD@example.org,\n"
            "other,taken@example.org,\n"
            '"multi\nline",x@example.org,\n'
            "existing,new@example.org,\n")
    assert _problems(catalog, text) == [
        "line 3: account names are 1-64 letters, digits, '.', '_', '-' or '@'",
        "line 4: there is no e-mail address",
        "line 5: 'not-an-address' is not an e-mail address like name@example.org",
        "line 6: unknown role 'boss'; choose from member, staff, admin",
        "line 7: the name 'good' is also on line 2",
        "line 8: the address GOOD@example.org is also on line 2",
        "line 9: taken@example.org is already the address of the account 'existing'",
        "line 10: account names are 1-64 letters, digits, '.', '_', '-' or '@'",
        "line 12: there is already an account named 'existing' with another e-mail address or role; "
        "ask for updates to change it",
    ]
    assert [u.name for u in accounts.list_users(catalog)] == ["existing"] and audit.count(catalog) == 0


def test_existing_accounts_change_only_with_update_and_a_repeat_changes_nothing(catalog):
    roster.import_roster(catalog, "name,email\nrosa,rosa@example.org\njoe,joe@example.org\n", "member", False, "t")
    again = roster.import_roster(catalog, "name,email\nrosa,rosa@example.org\n", "member", False, "t")
    assert (len(again.created), len(again.updated), len(again.unchanged)) == (0, 0, 1)
    changed = "name,email,role\nrosa,rosa@new.example.org,staff\njoe,joe@example.org,\n"
    assert "ask for updates" in _problems(catalog, changed)[0]
    result = roster.import_roster(catalog, changed, "member", True, "t")
    assert [(u.name, u.email, u.role) for u in result.updated] == [("rosa", "rosa@new.example.org", "staff")]
    assert [u.name for u in result.unchanged] == ["joe"]
    entry = audit.entries(catalog, limit=1)[0]
    assert entry.action == "user-update" and entry.changes["role"] == {"old": "member", "new": "staff"}


def test_spreadsheet_exports_are_read_as_they_come(catalog):
    # A byte order mark, semicolons, Windows line ends, capitalised and extra columns, blank lines.
    text = "\ufeffE-Mail;Name;Email;Phone\r\n\r\nx;ana;ana@example.org;555\r\n".replace("E-Mail;", "Notes;")
    result = roster.import_roster(catalog, text.encode("utf-8"), "staff", False, "t")
    assert [(u.name, u.email, u.role) for u in result.created] == [("ana", "ana@example.org", "staff")]


@pytest.mark.parametrize("data,message", [
    (b"", "the file is empty"),
    (b"email\nx@example.org\n", "line 1: the first line must name the columns: name,email"),
    ("name,email\njos\xe9,jose@example.org\n".encode("latin-1"), "not UTF-8"),
])
def test_files_that_are_not_member_lists_are_refused(catalog, data, message):
    with pytest.raises(RosterError, match=message):
        roster.import_roster(catalog, data, "member", False, "t")
    assert accounts.list_users(catalog) == []
