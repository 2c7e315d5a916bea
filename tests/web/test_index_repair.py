"""A damaged index: search answers 503 while the server rebuilds it; other pages keep working; then it heals."""
from __future__ import annotations

from tests.web.conftest import PASSWORDS, client_as, login
from web import background
from web.cli import main


def _damage(index_dir) -> None:
    for postings in index_dir.glob("*.pst"):
        postings.write_bytes(postings.read_bytes()[:16])


def test_search_answers_503_while_the_server_rebuilds_a_damaged_index_then_heals(restricted, restricted_app):
    _damage(restricted.data.index_dir)
    staff = client_as(restricted_app, "staff")
    broken = staff.get("/search?q=pension")
    assert broken.status_code == 503 and "Search is being repaired" in broken.get_data(as_text=True)
    assert "Traceback" not in broken.get_data(as_text=True)
    api = staff.get("/api/search?q=pension")
    assert api.status_code == 503 and api.get_json()["status"] == 503
    # Pages that don't need search keep working: sign-in, the document page (without its neighbours), files.
    assert login(restricted_app.test_client(), "member", PASSWORDS["member"]).status_code == 302
    assert staff.get(f"/documents/{restricted.public_id}").status_code == 200
    assert staff.get(f"/documents/{restricted.public_id}/download").status_code == 200
    repair = background.repairer(restricted_app).repair()  # the one the 503 started
    repair.join(timeout=60)
    healed = staff.get("/search?q=pension")
    assert healed.status_code == 200 and "Financial Audit" in healed.get_data(as_text=True)


def test_the_cli_says_in_one_line_to_run_reindex(restricted, cli_runner):
    _damage(restricted.data.index_dir)
    result = cli_runner.invoke(main, ["--data-dir", str(restricted.data.root), "search", "pension"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: the search index could not be read (")
    assert result.output.rstrip().endswith("run `archive reindex` to rebuild it from the catalog")
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1
    check = cli_runner.invoke(main, ["--data-dir", str(restricted.data.root), "status", "--check"])
    assert check.exit_code == 1 and "the search index is damaged" in check.output
    assert cli_runner.invoke(main, ["--data-dir", str(restricted.data.root), "reindex"]).exit_code == 0
    assert cli_runner.invoke(main, ["--data-dir", str(restricted.data.root), "status", "--check"]).exit_code == 0
