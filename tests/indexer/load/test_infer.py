"""Metadata inference from paths and text, for every document type."""
from __future__ import annotations

from pathlib import Path

import pytest

from indexer.extract.dispatch import extract
from indexer.extract.result import Extraction
from indexer.load.infer import Inferred, infer_metadata
from tests.builders import make_pdf

ROOT = Path("/imports/union")


def _text(*pages: str, title: str | None = None, headings: tuple[str, ...] = (),
          created: str | None = None) -> Extraction:
    return Extraction("application/pdf", pages, title=title, created=created, headings=headings)


@pytest.mark.parametrize(("relative", "doc_type"), [
    ("audits/report.pdf", "financial_audit"),
    ("misc/2019-financial-audit.pdf", "financial_audit"),
    ("convention/proceedings.pdf", "convention_report"),
    ("misc/press-release-strike.html", "press_statement"),
    ("statements/budget.html", "press_statement"),
    ("misc/course_catalog_fall.pdf", "catalog"),
    ("misc/dues-factsheet.pdf", "fact_sheet"),
    ("misc/Fact Sheet - Pensions.pdf", "fact_sheet"),
    ("contracts/local-12.pdf", "contract"),
    ("convention/resolutions/r-12.pdf", "resolution"),
    ("misc/notes.txt", "other"),
])
def test_doc_type_from_path(relative: str, doc_type: str) -> None:
    assert infer_metadata(ROOT / relative, _text("Nothing telling here.")).doc_type == doc_type


@pytest.mark.parametrize(("text", "doc_type"), [
    ("INDEPENDENT AUDITOR'S REPORT\nTo the Executive Board", "financial_audit"),
    ("Independent Auditors’ Report", "financial_audit"),
    ("FOR IMMEDIATE RELEASE\nUnion responds to budget", "press_statement"),
    ("Resolution 12: Safe Staffing\nWHEREAS nurses...\nRESOLVED, that the federation", "resolution"),
    ("Report of the 2021 Convention\nDelegates met in Springfield", "convention_report"),
    ("AGREEMENT BETWEEN the Board of Education and the Local", "contract"),
    ("This collective bargaining agreement covers all units", "contract"),
    ("Fall Course Catalog\nWorkshops for members", "catalog"),
    ("Workshop: Grievances\nWorkshop: Pensions\nWorkshop: Safety\nWorkshop: Organizing", "catalog"),
    ("Fact Sheet: Pension Reform", "fact_sheet"),
    ("A resolution is mentioned but nothing is decided", "other"),
])
def test_doc_type_from_text(text: str, doc_type: str) -> None:
    assert infer_metadata(ROOT / "inbox" / "scan-001.pdf", _text(text)).doc_type == doc_type


def test_path_beats_text_for_type() -> None:
    inferred = infer_metadata(ROOT / "contracts" / "x.pdf", _text("FOR IMMEDIATE RELEASE"))
    assert inferred.doc_type == "contract"


def test_year_from_path_first() -> None:
    inferred = infer_metadata(ROOT / "2018" / "audit.pdf", _text("For the year ended June 30, 2019"))
    assert inferred.year == 2018


def test_audit_year_from_year_ended() -> None:
    text = _text("Independent Auditor's Report\nFinancial statements for the year ended June 30, 2019\n"
                 "Prepared in 2020. Compared with 2018 and 2018 and 2018.")
    assert infer_metadata(ROOT / "inbox" / "scan.pdf", text).year == 2019


def test_audit_year_from_fiscal_year() -> None:
    assert infer_metadata(ROOT / "audits" / "fy.pdf", _text("Audit of fiscal year 2017")).year == 2017


def test_year_from_title_then_commonest_then_created() -> None:
    assert infer_metadata(ROOT / "x" / "a.pdf", _text("In 2015 and 2016", title="Plan for 2024")).year == 2024
    assert infer_metadata(ROOT / "x" / "a.pdf", _text("Minutes\n2015, then 2016, then 2016.")).year == 2016
    assert infer_metadata(ROOT / "x" / "a.pdf", _text("No years", created="2012-05-01")).year == 2012
    assert infer_metadata(ROOT / "x" / "a.pdf", _text("No years")).year is None


def test_dateline_dates() -> None:
    press = _text("FOR IMMEDIATE RELEASE\nSPRINGFIELD, March 3, 2021 — Members voted today.")
    assert infer_metadata(ROOT / "press" / "vote.html", press).date == "2021-03-03"
    assert infer_metadata(ROOT / "x" / "a.txt", _text("Posted 2021-03-04\nBody")).date == "2021-03-04"
    assert infer_metadata(ROOT / "x" / "a.txt", _text("Sept. 9, 2020 update")).date == "2020-09-09"


def test_period_end_is_not_a_dateline() -> None:
    assert infer_metadata(ROOT / "audits" / "a.pdf", _text("For the year ended June 30, 2019")).date is None
    assert infer_metadata(ROOT / "x" / "a.txt", _text("Due February 30, 2021")).date is None


@pytest.mark.parametrize(("relative", "text", "division"), [
    ("psrp/handbook.pdf", "", "PSRP"),
    ("higher-ed/contract.pdf", "", "Higher Education"),
    ("misc/nurses-contract.pdf", "", "Healthcare"),
    ("misc/a.pdf", "Paraprofessionals and PSRPs met. PSRP pay rose.", "PSRP"),
    ("misc/a.pdf", "Faculty senate; adjunct faculty pay.", "Higher Education"),
    ("misc/a.pdf", "State employees and public employees rallied.", "Public Employees"),
    ("misc/a.pdf", "Teachers and more teachers.", "Teachers"),
    ("misc/a.pdf", "Illinois Federation of Teachers\nIllinois Federation of Teachers", None),
    ("public/a.pdf", "Nurses once.", "Healthcare"),  # the first line is the title
    ("misc/a.pdf", "Annual Report\nNurses, nurses and more nurses in the body.", None),  # body words don't count
])
def test_division(relative: str, text: str, division: str | None) -> None:
    assert infer_metadata(ROOT / relative, _text(text)).division == division


def test_title_sources_in_order() -> None:
    path = ROOT / "misc" / "2019-financial-audit.pdf"
    assert infer_metadata(path, _text("Body", title="Embedded", headings=("Head",))).title == "Embedded"
    assert infer_metadata(path, _text("Body", headings=("Head line",))).title == "Head line"
    assert infer_metadata(path, _text("\n  First line here \nmore")).title == "First line here"
    assert infer_metadata(path, _text("", "")).title == "2019 Financial Audit"


def test_inference_on_a_real_pdf(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "archive" / "audits" / "scan.pdf",
                   ["Independent Auditor's Report", "For the year ended June 30, 2019"],
                   title="Audited Financial Statements")
    inferred = infer_metadata(pdf, extract(pdf))
    assert inferred == Inferred("Audited Financial Statements", "financial_audit", 2019, None, None)
