"""From/to dates in the search form, the URL, the JSON API, exports and `archive search --from/--to`."""
from __future__ import annotations

import csv
import io
import json
import re

import pytest
from click.testing import CliRunner

from tests.dated import load_dated
from tests.web.conftest import make_app
from web.cli import main


@pytest.fixture(scope="module")
def dated(tmp_path_factory):
    from archive.datadir import DataDir

    root = tmp_path_factory.mktemp("dated-web")
    data = DataDir(root / "data").ensure()
    load_dated(data, root / "incoming")
    return data


@pytest.fixture(scope="module")
def web(dated):
    return make_app(dated).test_client()


def titles(html: str) -> list[str]:
    return re.findall(r'<li class="hit">\s*<h2><a href="[^"]+">([^<]+)</a>', html)


def test_a_month_range_in_the_url_lists_that_month_and_keeps_the_form_filled(web):
    html = web.get("/search?from=2019-03&to=2019-03").get_data(as_text=True)
    assert titles(html) == ["Dated march"]
    assert 'name="from"' in html and 'value="2019-03"' in html
    chip = re.search(r'<ul class="chips"[^>]*>\s*<li><a href="([^"]+)">Dates: 2019-03 ', html)
    assert chip, "the date range shows as a removable chip"
    assert len(titles(web.get(chip.group(1).replace("&amp;", "&")).get_data(as_text=True))) == 4


def test_a_year_only_document_matches_a_range_inside_its_year(web):
    html = web.get("/search?from=2018-06-01&to=2018-06-30").get_data(as_text=True)
    assert titles(html) == ["Dated audit2018"]


def test_the_api_filters_and_says_the_range(web):
    body = web.get("/api/search?from=2019&to=2019").get_json()
    assert body["total"] == 2 and (body["from"], body["to"]) == ("2019", "2019")
    assert sorted(h["title"] for h in body["hits"]) == ["Dated march", "Dated november"]


def test_exports_keep_the_range(web):
    rows = list(csv.DictReader(io.StringIO(web.get("/export?format=csv&from=2019-11").get_data(as_text=True))))
    assert sorted(r["title"] for r in rows) == ["Dated audit2020", "Dated november"]
    body = json.loads(web.get("/export?format=json&to=2018").get_data(as_text=True))
    assert body["to"] == "2018" and [r["title"] for r in body["results"]] == ["Dated audit2018"]


@pytest.mark.parametrize("url, says", [
    ("/search?from=2019-13", "has no month 13"),
    ("/search?to=2019-02-30", "February 2019 has 28 days"),
    ("/search?from=2019-3-1", "must be a date as YYYY, YYYY-MM or YYYY-MM-DD, like 2019, 2019-03 or 2019-03-31"),
    ("/search?from=2020&to=2019-06", "the range starts (2020) after it ends (2019-06)"),
    ("/export?format=csv&from=20l9", "“from” must be a date as YYYY, YYYY-MM or YYYY-MM-DD"),
])
def test_a_bad_date_is_a_clear_400_page(web, url, says):
    response = web.get(url)
    assert response.status_code == 400
    assert says in response.get_data(as_text=True)


def test_a_bad_date_in_the_api_is_a_json_400(web):
    response = web.get("/api/search?to=2019-02-30")
    assert response.status_code == 400
    assert "February 2019 has 28 days" in response.get_json()["message"]


def test_cli_search_from_to(dated):
    result = CliRunner().invoke(main, ["--data-dir", str(dated.root), "search", "--from", "2019-03", "--to",
                                       "2019-11-30", "--json"])
    assert result.exit_code == 0, result.output
    assert sorted(h["title"] for h in json.loads(result.output)["hits"]) == ["Dated march", "Dated november"]


@pytest.mark.parametrize("args, says", [
    (["--from", "2019-13"], "has no month 13"),
    (["--to", "March 2019"], "is not a date as YYYY, YYYY-MM or YYYY-MM-DD"),
    (["--from", "2020", "--to", "2019"], "the range starts (2020) after it ends (2019)"),
])
def test_cli_refuses_a_bad_date_in_one_line(dated, args, says):
    result = CliRunner().invoke(main, ["--data-dir", str(dated.root), "search", *args])
    assert result.exit_code == 2
    assert says in result.output and "Traceback" not in result.output
