#!/usr/bin/env python3
"""Generate a small, realistic, deterministic sample archive for the union document archive.

Everything here is fictional: the "Riverstate Federation of Teachers and Public Employees",
its officers, locals, employers, towns and figures are invented for tests and demos.

Run from anywhere:  .venv/bin/python samples/make_samples.py
The output is byte-identical on every run (reportlab invariant mode, no clocks, no unseeded
randomness). After writing, the script re-reads every file and checks the "known facts" that
samples/README.md documents (phrase -> file and page), then prints a summary.
"""
from __future__ import annotations

import csv
import html
import io
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import letter
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.pdfbase.pdfdoc import PDFDictionary, PDFInfo, PDFName, PDFString
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

HERE = Path(__file__).resolve().parent

FED = "Riverstate Federation of Teachers and Public Employees"
FED_SHORT = "Riverstate Federation"
HQ = "35 Foundry Street, Hartwell, Riverstate 06190"
AUDITOR = "Pellham, Strand & Ocasio, LLP"

VP = {
    "Teachers": "Martin Oduya",
    "Higher Education": "Dr. Helen Stroud",
    "PSRP": "Carla Benedetto",
    "Healthcare": "Nora Lindgren, RN",
    "Public Employees": "Tomas Ferreira",
}


def president(year: int) -> str:
    return "Ellen Castellano" if year <= 2017 else "Dana Whitcombe-Reyes"


def treasurer(year: int) -> str:
    return "Gregory Fenwick" if year <= 2019 else "Priya Ramaswamy"


# ---------------------------------------------------------------------------------------------
# Known facts: phrase -> (file, 1-based page). Checked after generation; listed in README.md.
# ---------------------------------------------------------------------------------------------
KNOWN_FACTS = [
    ("Juniper Hollow strike relief grant", "audits/2019-financial-audit.pdf", 3),
    ("Saltmarsh Valley walkout", "conventions/2019-convention-officers-reports.pdf", 2),
    ("Resolution 21-09: Ventilation Audits in Every School", "conventions/2021-convention-officers-reports.pdf", 5),
    ("Restorative Circles for the Middle School Hallway", "catalogs/2020-professional-development-catalog.pdf", 3),
    ("Step 9 longevity differential", "contracts/2018-2021-millbrook-paraprofessionals-agreement.pdf", 5),
    ("stipend of $1,850 per cohort member", "fact-sheets/2019-member-organizer-institute-fact-sheet.pdf", 2),
    ("Tamarack County foundation formula", "press/2021-03-03-statement-on-school-funding.html", 1),
    ("Greyledge Regional Center", "press/2023-01-10-statement-on-state-agency-vacancies.txt", 1),
    ("Note 9 - Lease of the Foundry Street Annex", "audits/2021-financial-audit.pdf", 5),
]
# Appears only inside an HTML <script> element: search must NOT find it.
SCRIPT_ONLY_PHRASE = "quokkaBeaconTelemetry"
# Appears only inside an HTML <style> element: search must NOT find it either.
STYLE_ONLY_PHRASE = "marzipan-ribbon"
# PDFs written with no /Title entry in their document information.
UNTITLED_PDFS = ["audits/2017-financial-audit.pdf", "other/2014-psrp-conference-program.pdf"]

MANIFEST: list[dict] = []
PDF_PAGES: dict[str, int] = {}


def record(path, title, doc_type, year, date, division, access):
    MANIFEST.append(
        dict(path=path, title=title, type=doc_type, year=year, date=date, division=division, access=access)
    )


# ---------------------------------------------------------------------------------------------
# PDF helpers
# ---------------------------------------------------------------------------------------------
BASE = ParagraphStyle("Body", fontName="Helvetica", fontSize=10, leading=13.2, spaceAfter=6)
SMALL = ParagraphStyle("Small", parent=BASE, fontSize=8.5, leading=11, spaceAfter=4)
TITLE = ParagraphStyle("Title", parent=BASE, fontName="Helvetica-Bold", fontSize=16, leading=20, spaceAfter=10)
SUBTITLE = ParagraphStyle("Subtitle", parent=BASE, fontName="Helvetica-Oblique", fontSize=11, leading=14, spaceAfter=10)
H2 = ParagraphStyle("H2", parent=BASE, fontName="Helvetica-Bold", fontSize=12.5, leading=16, spaceBefore=6, spaceAfter=6)
H3 = ParagraphStyle("H3", parent=BASE, fontName="Helvetica-Bold", fontSize=10.5, leading=13.5, spaceBefore=4, spaceAfter=3)
CELL = ParagraphStyle("Cell", parent=BASE, fontSize=9, leading=11, spaceAfter=0)


def esc(text: str) -> str:
    return html.escape(text, quote=False)


def T(text):  # document title
    return Paragraph(esc(text), TITLE)


def ST(text):
    return Paragraph(esc(text), SUBTITLE)


def H(text):
    return Paragraph(esc(text), H2)


def HH(text):
    return Paragraph(esc(text), H3)


def P(text):
    return Paragraph(esc(text), BASE)


def S(text):
    return Paragraph(esc(text), SMALL)


def BL(items):  # simple bulleted list
    return [Paragraph(esc(item), BASE, bulletText="\u2022") for item in items]


def TAB(rows, widths, header=True, right_cols=()):
    table = Table(rows, colWidths=[w * inch for w in widths], repeatRows=1 if header else 0)
    style = [
        ("FONT", (0, 0), (-1, -1), "Helvetica", 9),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("LINEBELOW", (0, -1), (-1, -1), 0.5, colors.black),
    ]
    if header:
        style += [
            ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 9),
            ("LINEBELOW", (0, 0), (-1, 0), 0.75, colors.black),
        ]
    for col in right_cols:
        style.append(("ALIGN", (col, 0), (col, -1), "RIGHT"))
    table.setStyle(TableStyle(style))
    return table


class _InfoWithoutTitle(PDFInfo):
    """Document information dictionary with no /Title entry at all."""

    def format(self, document):
        d = {
            "Author": PDFString(self.author),
            "Producer": PDFString(self.producer),
            "Creator": PDFString(self.creator),
            "Trapped": PDFName(self.trapped),
        }
        return PDFDictionary(d).format(document)


class _FooterDoc(SimpleDocTemplate):
    """Draws the running footer after the page body, so extracted text starts with the page's own heading."""

    def __init__(self, filename, *, footer, drop_title, **kwargs):
        self._footer, self._drop_title = footer, drop_title
        super().__init__(filename, **kwargs)

    def afterPage(self):
        canvas = self.canv
        if self._drop_title:
            canvas._doc.info.__class__ = _InfoWithoutTitle
        canvas.saveState()
        canvas.setFont("Helvetica", 7.5)
        canvas.drawString(0.9 * inch, 0.5 * inch, self._footer)
        canvas.drawRightString(letter[0] - 0.9 * inch, 0.5 * inch, "Page %d" % self.page)
        canvas.restoreState()


def write_pdf(rel, pages, *, title, footer, set_title=True, subject=""):
    """Write a PDF whose i-th page holds pages[i] (a list of flowables). Checked later."""
    path = HERE / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    kwargs = dict(
        pagesize=letter,
        leftMargin=0.9 * inch,
        rightMargin=0.9 * inch,
        topMargin=0.8 * inch,
        bottomMargin=0.8 * inch,
        invariant=1,
        author=FED,
        creator="samples/make_samples.py",
        subject=subject,
    )
    if set_title:
        kwargs["title"] = title
    doc = _FooterDoc(str(path), footer=footer, drop_title=not set_title, **kwargs)
    story = []
    for i, page in enumerate(pages):
        if i:
            story.append(PageBreak())
        story.extend(page)
    doc.build(story)
    PDF_PAGES[rel] = len(pages)


def money(n: int) -> str:
    return "(%s)" % format(-n, ",") if n < 0 else format(n, ",")


# ---------------------------------------------------------------------------------------------
# Financial audits, fiscal years 2016-2021 (a series)
# ---------------------------------------------------------------------------------------------
MEMBERS = {2015: 27860, 2016: 28310, 2017: 28745, 2018: 29020, 2019: 29480, 2020: 29655, 2021: 30120}
AUDIT_DATES = {2016: "2016-10-12", 2017: "2017-10-11", 2018: "2018-10-17", 2019: "2019-10-09",
               2020: "2020-11-04", 2021: "2021-10-20"}
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]


def long_date(iso: str) -> str:
    y, m, d = (int(x) for x in iso.split("-"))
    return "%s %d, %d" % (MONTHS[m - 1], d, y)


def fiscal(fy: int) -> dict:
    """Plausible, internally consistent figures for one fiscal year (ended June 30, fy)."""
    k = fy - 2015
    m = MEMBERS[fy]
    f = {}
    f["dues"] = m * (441 + 7 * k)
    f["grants"] = [212_400, 236_000, 248_750, 301_500, 342_000, 365_250, 388_900][k]
    f["invest"] = [41_230, 18_960, 63_410, 72_880, 95_140, 51_770, 188_320][k]
    f["fees"] = [96_450, 14_200, 118_730, 16_880, 127_310, 9_450, 41_600][k]
    f["other"] = [22_115, 24_870, 19_305, 27_640, 25_020, 31_480, 18_755][k]
    f["rev"] = f["dues"] + f["grants"] + f["invest"] + f["fees"] + f["other"]
    f["nat_pc"] = m * (228 + 3 * k)
    f["council_pc"] = m * 12
    f["salaries"] = 2_960_000 + 88_500 * k
    f["affiliate"] = 1_254_300 + 61_000 * k + (55_000 if fy == 2020 else 0)
    f["pd"] = [288_400, 301_950, 322_600, 341_120, 366_480, 214_770, 281_905][k]
    f["political"] = [402_300, 512_880, 388_410, 536_200, 421_760, 598_330, 446_150][k]
    f["governance"] = [214_600, 96_300, 231_150, 101_770, 248_900, 88_410, 176_220][k]
    f["comms"] = 148_200 + 4_150 * k
    f["occupancy"] = 236_800 + 5_900 * k
    f["admin"] = 318_450 + 7_320 * k
    f["depr"] = [61_200, 63_750, 66_010, 71_480, 74_900, 78_330, 80_115][k]
    f["strike"] = 125_000 if fy == 2019 else 0
    f["exp"] = sum(f[x] for x in ("nat_pc", "council_pc", "salaries", "affiliate", "pd", "political",
                                   "governance", "comms", "occupancy", "admin", "depr", "strike"))
    f["change"] = f["rev"] - f["exp"]
    f["restricted"] = 286_400 + 14_350 * k  # scholarship fund, with donor restrictions
    f["ppe"] = 1_412_000 - 18_600 * k
    f["investments"] = 2_140_000 + 96_500 * k
    f["receivable"] = 512_300 + 11_870 * k
    f["prepaid"] = 64_150 + 2_210 * k
    f["payable"] = 188_460 + 6_930 * k
    f["accrued"] = 241_700 + 8_420 * k
    f["pc_payable"] = (f["nat_pc"] + f["council_pc"]) // 12
    f["deferred"] = 58_300 + 3_140 * k
    return f


def fiscal_series():
    series = {}
    net_total = 4_812_340
    for fy in range(2015, 2022):
        f = fiscal(fy)
        net_total += f["change"] if fy > 2015 else 0
        f["net_total"] = net_total
        f["liab"] = f["payable"] + f["accrued"] + f["pc_payable"] + f["deferred"]
        f["unrestricted"] = net_total - f["restricted"]
        other_assets = f["ppe"] + f["investments"] + f["receivable"] + f["prepaid"]
        f["assets"] = f["liab"] + net_total
        f["cash"] = f["assets"] - other_assets
        assert f["cash"] > 0, (fy, f["cash"])
        series[fy] = f
    for fy in range(2016, 2022):
        series[fy]["net_begin"] = series[fy - 1]["net_total"]
    return series


def audit_pages(fy: int, s: dict) -> list:
    f, p = s[fy], s[fy - 1]
    yend = "June 30, %d" % fy
    date = long_date(AUDIT_DATES[fy])
    pages = []
    # Page 1: Independent Auditor's Report
    pages.append([
        T("%s" % FED),
        ST("Financial Statements and Independent Auditor's Report for the year ended %s" % yend),
        H("Independent Auditor's Report"),
        P("To the Executive Council of the %s, Hartwell, Riverstate:" % FED),
        HH("Opinion"),
        P("We have audited the accompanying financial statements of the %s (the Federation), which "
          "comprise the statement of financial position as of %s, and the related statement of activities "
          "for the year then ended, and the related notes to the financial statements. In our opinion, the "
          "accompanying financial statements present fairly, in all material respects, the financial position "
          "of the Federation as of %s, and the changes in its net assets for the year then ended in accordance "
          "with accounting principles generally accepted in the United States of America." % (FED, yend, yend)),
        HH("Basis for Opinion"),
        P("We conducted our audit in accordance with auditing standards generally accepted in the United States "
          "of America. Our responsibilities under those standards are further described in the Auditor's "
          "Responsibilities section of our report. We are required to be independent of the Federation and to "
          "meet our other ethical responsibilities in accordance with the relevant ethical requirements relating "
          "to our audit. We believe that the audit evidence we have obtained is sufficient and appropriate to "
          "provide a basis for our audit opinion."),
        HH("Responsibilities of Management for the Financial Statements"),
        P("Management is responsible for the preparation and fair presentation of these financial statements, and "
          "for the design, implementation and maintenance of internal control relevant to the preparation of "
          "financial statements that are free from material misstatement, whether due to fraud or error. The "
          "Secretary-Treasurer and the Executive Council oversee the collection of member dues from affiliated "
          "local unions and the remittance of per capita payments to the national union and to the Riverstate "
          "Labor Council."),
        HH("Auditor's Responsibilities for the Audit of the Financial Statements"),
        P("Our objectives are to obtain reasonable assurance about whether the financial statements as a whole are "
          "free from material misstatement and to issue an auditor's report that includes our opinion. In "
          "performing the audit we examined, on a test basis, dues remittance reports submitted by affiliated "
          "locals, per capita invoices and payments, payroll records, and the scholarship fund held with donor "
          "restrictions. We also evaluated the appropriateness of accounting policies used and the "
          "reasonableness of significant accounting estimates made by management."),
        Spacer(1, 8),
        P("%s, Certified Public Accountants" % AUDITOR),
        P("Westover, Riverstate, %s" % date),
    ])
    # Page 2: Statement of Financial Position
    rows = [
        ["", yend, "June 30, %d" % (fy - 1)],
        ["ASSETS", "", ""],
        ["Cash and cash equivalents", money(f["cash"]), money(p["cash"])],
        ["Investments, at fair value", money(f["investments"]), money(p["investments"])],
        ["Dues receivable from affiliated locals", money(f["receivable"]), money(p["receivable"])],
        ["Prepaid expenses", money(f["prepaid"]), money(p["prepaid"])],
        ["Property and equipment, net", money(f["ppe"]), money(p["ppe"])],
        ["Total assets", money(f["assets"]), money(p["assets"])],
        ["LIABILITIES", "", ""],
        ["Accounts payable", money(f["payable"]), money(p["payable"])],
        ["Accrued payroll and vacation", money(f["accrued"]), money(p["accrued"])],
        ["Per capita payable to national union and labor council", money(f["pc_payable"]), money(p["pc_payable"])],
        ["Deferred convention and workshop revenue", money(f["deferred"]), money(p["deferred"])],
        ["Total liabilities", money(f["liab"]), money(p["liab"])],
        ["NET ASSETS", "", ""],
        ["Without donor restrictions", money(f["unrestricted"]), money(p["unrestricted"])],
        ["With donor restrictions (scholarship fund)", money(f["restricted"]), money(p["restricted"])],
        ["Total net assets", money(f["net_total"]), money(p["net_total"])],
        ["Total liabilities and net assets", money(f["assets"]), money(p["assets"])],
    ]
    pages.append([
        H("Statement of Financial Position"),
        ST("As of %s, with comparative totals for %d (in U.S. dollars)" % (yend, fy - 1)),
        TAB(rows, [3.9, 1.3, 1.3], right_cols=(1, 2)),
        Spacer(1, 10),
        P("Total net assets of the Federation were $%s at %s, compared with $%s one year earlier. Dues "
          "receivable represent amounts withheld by employers and remitted by affiliated local unions after "
          "the close of the fiscal year; substantially all were collected by the end of August. Net assets "
          "with donor restrictions consist of the Federation's scholarship fund, whose earnings support awards "
          "presented to the children of members at each convention." %
          (money(f["net_total"]), yend, money(p["net_total"]))),
        P("The accompanying notes are an integral part of these financial statements."),
    ])
    # Page 3: Statement of Activities
    rows = [
        ["", "Year ended %s" % yend, "Year ended June 30, %d" % (fy - 1)],
        ["REVENUE AND SUPPORT", "", ""],
        ["Member dues", money(f["dues"]), money(p["dues"])],
        ["National union program grants", money(f["grants"]), money(p["grants"])],
        ["Convention and workshop registration fees", money(f["fees"]), money(p["fees"])],
        ["Investment return, net", money(f["invest"]), money(p["invest"])],
        ["Other income", money(f["other"]), money(p["other"])],
        ["Total revenue and support", money(f["rev"]), money(p["rev"])],
        ["EXPENSES", "", ""],
        ["Per capita payments - national union", money(f["nat_pc"]), money(p["nat_pc"])],
        ["Per capita payments - Riverstate Labor Council", money(f["council_pc"]), money(p["council_pc"])],
        ["Salaries, payroll taxes and benefits", money(f["salaries"]), money(p["salaries"])],
        ["Affiliate services, organizing and negotiations support", money(f["affiliate"]), money(p["affiliate"])],
        ["Professional development programs", money(f["pd"]), money(p["pd"])],
        ["Legislative and political action", money(f["political"]), money(p["political"])],
        ["Governance, executive council and convention", money(f["governance"]), money(p["governance"])],
        ["Communications", money(f["comms"]), money(p["comms"])],
        ["Occupancy", money(f["occupancy"]), money(p["occupancy"])],
        ["General and administrative", money(f["admin"]), money(p["admin"])],
        ["Depreciation", money(f["depr"]), money(p["depr"])],
    ]
    if f["strike"] or p["strike"]:
        label = "Juniper Hollow strike relief grant" if f["strike"] else "Strike relief grants to affiliates"
        rows.append([label, money(f["strike"]), money(p["strike"])])
    rows += [
        ["Total expenses", money(f["exp"]), money(p["exp"])],
        ["Change in net assets", money(f["change"]), money(p["change"])],
        ["Net assets, beginning of year", money(f["net_begin"]), money(p.get("net_begin", 4_812_340))],
        ["Net assets, end of year", money(f["net_total"]), money(p["net_total"])],
    ]
    commentary = {
        2016: "Convention costs were lower than in the prior year because the biennial convention falls in "
              "alternate fiscal years; the Federation increased its spending on legislative action ahead of "
              "the state budget debate.",
        2017: "Program grants from the national union supported a volunteer pilot of the Member Organizer "
              "Institute and field work in three newly organized bargaining units.",
        2018: "Legislative and political action spending rose during the statewide election year, offset in "
              "part by stronger investment returns.",
        2019: "During the year the Executive Council authorized a one-time grant from general funds to the "
              "striking members of an affiliated local; it is presented as a separate line so that members and "
              "delegates can follow the decision in the financial record.",
        2020: "Workshops and conferences scheduled after March were cancelled or moved online, reducing "
              "registration fees and professional development costs; affiliate services included emergency "
              "support for locals negotiating remote-work agreements.",
        2021: "Governance costs reflect a virtual convention. Investment return recovered strongly, and "
              "professional development returned to nearly its pre-pandemic level in the spring term.",
    }[fy]
    pages.append([
        H("Statement of Activities"),
        ST("For the year ended %s, with comparative totals for %d (in U.S. dollars)" % (yend, fy - 1)),
        TAB(rows, [3.6, 1.45, 1.45], right_cols=(1, 2)),
        Spacer(1, 8),
        P("Member dues are recognized in the period to which they relate and are shown gross of the per capita "
          "amounts forwarded to the national union and the Riverstate Labor Council. " + commentary),
    ])
    # Page 4: Notes 1-4
    pages.append([
        H("Notes to the Financial Statements"),
        HH("Note 1 - Nature of Activities"),
        P("The %s is a state federation of affiliated local unions representing approximately %s members "
          "at %s: pre-K through grade 12 teachers, paraprofessionals and school-related personnel (PSRP), "
          "registered nurses and health professionals, higher education faculty and professional staff, and "
          "state and municipal public employees. The Federation supports its affiliates in organizing, "
          "contract negotiations, grievance handling and arbitration, provides professional development and "
          "leadership training, and advocates for members before the legislature. The Federation is exempt "
          "from federal income tax as a labor organization under Section 501(c)(5) of the Internal Revenue Code."
          % (FED, format(MEMBERS[fy], ","), yend)),
        HH("Note 2 - Summary of Significant Accounting Policies"),
        P("The financial statements are prepared on the accrual basis of accounting. Net assets are classified "
          "as without donor restrictions, which are available for the general operations of the Federation "
          "under the direction of the Executive Council, and with donor restrictions, which consist of "
          "contributions to the scholarship fund whose use is limited by the donors to awards for members and "
          "their dependents. Investments are reported at fair value based on quoted market prices. Property "
          "and equipment are recorded at cost and depreciated on the straight-line method over estimated "
          "useful lives of three to thirty-nine years."),
        HH("Note 3 - Per Capita Obligations"),
        P("Under the constitution of the national union, the Federation remits a monthly per capita tax for "
          "each member reported by its affiliated locals. Per capita payments to the national union totaled "
          "$%s and payments to the Riverstate Labor Council totaled $%s for the year ended %s. Amounts for "
          "the month of June were paid in July and are reported as per capita payable."
          % (money(f["nat_pc"]), money(f["council_pc"]), yend)),
        HH("Note 4 - Liquidity and Availability of Resources"),
        P("Financial assets available within one year for general expenditure consist of cash, investments and "
          "dues receivable, less the scholarship fund. The Federation manages its liquidity by keeping an "
          "operating reserve of not less than three months of expenses, as required by the bylaws adopted by "
          "the delegates to the biennial convention, and by investing surplus funds in a conservative "
          "portfolio of treasury securities and money market funds."),
    ])
    # Page 5: Notes 5-9
    subsequent = {
        2016: "No events requiring disclosure occurred between the statement date and %s." % date,
        2017: "In August the Executive Council approved a second year of the Member Organizer Institute, to be "
              "funded jointly by the national union, the Federation and participating locals.",
        2018: "In September the Federation renewed its health insurance contract for staff at a premium increase "
              "of 4.1 percent.",
        2019: "In September the Federation received a further program grant from the national union to pay "
              "stipends to a cohort of member organizers.",
        2020: "The COVID-19 pandemic continues to affect workshop and convention activity; management cannot "
              "yet estimate the effect on future dues revenue.",
        2021: "No events requiring disclosure occurred between the statement date and %s." % date,
    }[fy]
    notes5 = [
        HH("Note 5 - Property and Equipment"),
        P("Property and equipment consist of the Federation's headquarters building on Foundry Street in "
          "Hartwell, furniture, computer equipment and the membership database. Depreciation expense was $%s "
          "for the year ended %s." % (money(f["depr"]), yend)),
        HH("Note 6 - Retirement Plan"),
        P("The Federation participates in a multiemployer defined benefit pension plan covering its professional "
          "and clerical staff under collective bargaining agreements with the staff union. Contributions are "
          "negotiated and are included in salaries, payroll taxes and benefits. The Federation also sponsors a "
          "403(b) plan to which it contributes four percent of eligible compensation."),
        HH("Note 7 - Scholarship Fund"),
        P("The scholarship fund awards scholarships each convention year to members and the children of members "
          "who are pursuing post-secondary study. Awards of $%s were released from restriction during the year."
          % money(18_500 + 1_250 * (fy - 2016))),
        HH("Note 8 - Subsequent Events"),
        P("Management has evaluated subsequent events through %s, the date on which the financial statements "
          "were available to be issued. %s" % (date, subsequent)),
    ]
    if fy == 2021:
        notes5 += [
            HH("Note 9 - Lease of the Foundry Street Annex"),
            P("In March 2021 the Federation signed a five-year lease for the two-story building adjoining its "
              "headquarters, to house the training center and the Member Organizer Institute. Annual base rent "
              "is $54,000, escalating two percent per year."),
        ]
    pages.append(notes5)
    return pages


def make_audits():
    s = fiscal_series()
    for fy in range(2016, 2022):
        rel = "audits/%d-financial-audit.pdf" % fy
        title = "Financial Statements and Independent Auditor's Report, Year Ended June 30, %d" % fy
        write_pdf(rel, audit_pages(fy, s), title=title, set_title=rel not in UNTITLED_PDFS,
                  footer="%s - Audited financial statements, fiscal year %d" % (FED, fy),
                  subject="Financial audit")
        record(rel, title, "financial_audit", fy, AUDIT_DATES[fy], "Federation-wide", "members")
    return s


# ---------------------------------------------------------------------------------------------
# Biennial conventions: officers' reports (delegates' material) 2013-2023, plus 2019 awards
# ---------------------------------------------------------------------------------------------
CONVENTIONS = {
    2013: dict(n="42nd", theme="Stronger Together, Local by Local", city="Port Alden", dates="October 18-19, 2013",
               iso="2013-10-18", delegates=312, locals=71,
               pres=["The past two years tested every local in this federation. When the legislature moved to tie "
                     "teacher evaluations to a single test score, our members filled the hearing rooms in Hartwell "
                     "and won amendments that put professional judgment back into the process.",
                     "We also welcomed the nurses and technologists of Fairhaven Falls Memorial Hospital, who voted "
                     "by a margin of more than two to one to join our Healthcare division after a campaign led "
                     "almost entirely by rank-and-file volunteers."],
               resolutions=[("13-01", "Fair Evaluation Standards", "Calls for evaluation plans negotiated with local unions rather than imposed by the state."),
                            ("13-02", "Safe Patient Handling", "Supports legislation requiring lift equipment and training in every acute care hospital."),
                            ("13-03", "Paraprofessional Certification Costs", "Asks districts to pay the cost of required certification tests for paraprofessionals."),
                            ("13-04", "Retiree Health Protection", "Opposes any reduction of health benefits already earned by retired public employees.")]),
    2015: dict(n="43rd", theme="Every Member a Leader", city="Hartwell", dates="October 23-24, 2015",
               iso="2015-10-23", delegates=328, locals=74,
               pres=["This term we set out to make leadership something every member can practice, not a title a "
                     "few of us hold. Our new steward training series reached more than four hundred members, and "
                     "for the first time the majority of participants came from PSRP and Healthcare locals.",
                     "At the bargaining table, locals in Westover, Millbrook and Granby Ridge negotiated "
                     "multi-year agreements with raises above the regional average while protecting health "
                     "benefits, proof that preparation and member involvement pay off."],
               resolutions=[("15-01", "Limit Standardized Testing", "Calls for a statewide cap on instructional time lost to mandated testing."),
                            ("15-02", "Adjunct Faculty Pay Equity", "Supports pro-rata pay and benefits for part-time faculty at state universities."),
                            ("15-03", "Workplace Violence Prevention", "Asks the legislature to require violence prevention plans in hospitals and state facilities."),
                            ("15-04", "Bylaws Amendment on Division Councils", "Amends the bylaws to create an advisory council for each division.")]),
    2017: dict(n="44th", theme="Solidarity Works", city="Granby Ridge", dates="October 20-21, 2017",
               iso="2017-10-20", delegates=341, locals=76,
               pres=["This is my final report to you as president, and I want to spend it on what you built. When "
                     "the state budget impasse threatened layoffs across state agencies and cuts to every school "
                     "district, our members made more than nine thousand calls to legislators in a single month.",
                     "Our volunteer Member Organizer Institute pilot trained its first class of twenty-two members, "
                     "who held one-on-one conversations with more than three thousand coworkers about the union."],
               resolutions=[("17-01", "Protect Public Sector Bargaining", "Commits the federation to defend collective bargaining rights for all public employees."),
                            ("17-02", "Fund the Education Cost Sharing Grant", "Calls for full funding of state aid to local school districts."),
                            ("17-03", "Nurse Staffing Committees", "Supports binding staffing committees with equal numbers of direct-care nurses."),
                            ("17-04", "Bylaws Amendment on Officer Terms", "Aligns officer terms with the biennial convention cycle.")]),
    2019: dict(n="45th", theme="Rooted and Rising", city="Hartwell", dates="October 25-26, 2019",
               iso="2019-10-25", delegates=356, locals=79,
               pres=["Two years ago you trusted me with this office, and I promised that we would organize our way "
                     "forward. We did. Our membership grew to nearly thirty thousand, and the paid cohort of the "
                     "Member Organizer Institute will begin training next month.",
                     "Nothing this term moved me more than the Saltmarsh Valley walkout, when bus monitors, "
                     "custodians and paraprofessionals stood together outside the district office until the board "
                     "returned to the table. Their new contract is the best in the region."],
               resolutions=[("19-01", "Adjunct Faculty Equity", "Supports a path to full-time positions and equal pay per course for adjunct faculty."),
                            ("19-02", "School Climate and Safety", "Calls for counselors, social workers and nurses in every school before more security hardware."),
                            ("19-03", "Student Debt Relief for Public Servants", "Urges simplification of the public service loan forgiveness program."),
                            ("19-04", "Bylaws Amendment on Per Capita Dues", "Sets the state per capita for the next two years after review by the finance committee.")]),
    2021: dict(n="46th", theme="Back Together, Moving Forward", city="Hartwell (hybrid)", dates="October 22-23, 2021",
               iso="2021-10-22", delegates=338, locals=81,
               pres=["No term in our history asked more of our members. Teachers rebuilt their classrooms online in a "
                     "weekend, paraprofessionals kept meals and services reaching students, and our nurses worked "
                     "through surges that exhausted every unit of every hospital we represent.",
                     "Through it all our locals negotiated safety agreements covering ventilation, testing and "
                     "leave, and we secured state funds so that no school employee lost pay during the closures."],
               resolutions=[("21-01", "Recovery Funds for Students", "Directs federal recovery funds toward staffing, mental health and summer programs."),
                            ("21-04", "Hazard Pay for Essential Workers", "Supports hazard pay for public employees who worked in person during the emergency."),
                            ("21-07", "Healthcare Worker Burnout", "Calls for staffing ratios and mental health support for nurses and health professionals."),
                            ("21-09", "Ventilation Audits in Every School", "Requires an independent ventilation audit of every public school building by 2023.")]),
    2023: dict(n="47th", theme="Our Schools, Our Hospitals, Our Communities", city="Port Alden", dates="October 20-21, 2023",
               iso="2023-10-20", delegates=349, locals=83,
               pres=["This term we turned hard lessons into lasting gains. The legislature passed a minimum salary "
                     "for paraprofessionals, a victory that began with testimony from PSRP members who had never "
                     "spoken in public before, and our nurses won enforceable staffing committees.",
                     "We also organized two new higher education units, bringing graduate assistants and "
                     "professional staff at Riverstate State University into our federation."],
               resolutions=[("23-01", "Paraprofessional Living Wage", "Supports a statewide wage floor for paraprofessionals tied to the cost of living."),
                            ("23-02", "Artificial Intelligence in Classrooms", "Calls for educator involvement in any district policy on artificial intelligence tools."),
                            ("23-05", "State Agency Vacancies", "Urges the state to fill vacant positions in agencies serving the public."),
                            ("23-06", "Bylaws Amendment on Retiree Chapter", "Creates a retiree chapter with voting delegates at future conventions.")]),
}


def convention_pages(year: int) -> list:
    c = CONVENTIONS[year]
    pres, sec = president(year), treasurer(year)
    mem = {2013: 26980, 2015: 27860, 2017: 28745, 2019: 29480, 2021: 30120, 2023: 30540}[year]
    pages = []
    pages.append([
        T("%s Biennial Convention" % c["n"]),
        ST("\"%s\" - %s, %s" % (c["theme"], c["city"], c["dates"])),
        H("Officers' Annual Reports and Delegates' Material"),
        P("This book is prepared for the accredited delegates of the %s. The convention is the highest "
          "decision-making body of the federation: between conventions the Executive Council acts for the "
          "membership, but only the delegates may amend the constitution and bylaws, set the per capita, adopt "
          "resolutions that guide our legislative program, and elect officers." % FED),
        H("Call to Convention"),
        P("Each affiliated local union in good standing is entitled to delegates in proportion to the average "
          "per capita paid during the twelve months before the call. Credentials must be signed by the local "
          "president and secretary and returned to the Secretary-Treasurer thirty days before the convention. "
          "The Credentials Committee reports %d delegates seated from %d locals representing all five "
          "divisions of the federation." % (c["delegates"], c["locals"])),
        H("Order of Business"),
        *BL(["Friday morning: call to order, credentials report, adoption of rules and the order of business",
             "Friday afternoon: officers' reports, division caucuses for Teachers, Higher Education, PSRP, "
             "Healthcare and Public Employees",
             "Saturday morning: reports of the Constitution and Bylaws Committee and the Resolutions Committee; "
             "debate and votes",
             "Saturday afternoon: election of officers, scholarship and award presentations, adjournment"]),
        P("Delegates are reminded that debate is limited to three minutes per speaker and that only seated "
          "delegates wearing credentials may be recognized at the microphones."),
    ])
    pages.append([
        H("Report of the President"),
        P("Delegates, sisters and brothers, friends:"),
        P(c["pres"][0]),
        P(c["pres"][1]),
        P("Our strength does not come from the size of our treasury or the length of our contracts. It comes from "
          "members who show up: the steward who files a grievance when a colleague is disciplined without just "
          "cause, the local officer who spends a summer evening preparing for negotiations, the member who "
          "testifies at the Capitol about what a budget cut means in a real classroom, clinic or office."),
        P("Over this term the federation staff supported more than %d sets of contract negotiations and handled "
          "grievances that reached arbitration in %d cases; we won or settled favorably in most of them. Our "
          "professional development program, built on members teaching members, offered workshops in every "
          "region of the state, and our scholarship committee again made awards to the children of members."
          % (28 + (year - 2013), 11 + (year - 2013) // 2)),
        P("The theme of this convention, \"%s,\" was chosen by the members of the Convention Committee, who "
          "asked locals what the last two years had taught them. Their answers were remarkably alike: we win when "
          "teachers and paraprofessionals bargain side by side, when nurses refuse to accept unsafe assignments in "
          "silence, when faculty defend the adjuncts down the hall, and when public employees remind the state "
          "that services do not deliver themselves. That is what a federation is for." % c["theme"]),
        P("I ask each of you to carry the work of this convention home. Report to your members what we decided "
          "here, invite a new member to your next meeting, and hold your elected officials accountable for the "
          "promises they made. Thank you for the honor of serving as your president."),
        P("- %s, President" % pres),
    ])
    pages.append([
        H("Report of the Secretary-Treasurer"),
        P("It is my responsibility to report on the finances and the membership of the federation. Average "
          "membership for the last twelve months on which per capita was paid stands at %s, an increase over "
          "the figure reported to the previous convention. Every affiliated local in good standing is current "
          "on its per capita payments." % format(mem, ",")),
        P("The most recent audited financial statements, prepared by %s, received an unmodified opinion; they "
          "are included in the delegates' packet and copies are available at the credentials desk. The "
          "auditors found no material weaknesses in internal control. The Finance Committee reviewed the budget "
          "quarterly and the Executive Council approved every transfer between budget lines." % AUDITOR),
        P("Dues revenue grew with membership, while per capita payments to the national union increased as "
          "scheduled under its constitution. Costs for legal representation in arbitration rose during the "
          "term, reflecting several complex discipline cases and a contract interpretation dispute that went "
          "to a full hearing. The operating reserve remains above the three-month minimum required by our "
          "bylaws, and the scholarship fund continues to grow through member contributions."),
        P("The Constitution and Bylaws Committee will present its recommendation on the state per capita for the "
          "coming term. Any change must be adopted by a two-thirds vote of the delegates. Locals are reminded "
          "that monthly membership reports are due on the fifteenth of the following month and that accurate "
          "reports are essential for the allocation of delegates at future conventions."),
        P("- %s, Secretary-Treasurer" % sec),
    ])
    pages.append([
        H("Reports of the Division Vice Presidents"),
        HH("Teachers - %s" % VP["Teachers"]),
        P("Pre-K through grade 12 locals negotiated successor agreements in most of the districts whose contracts "
          "expired this term. Class size, planning time and evaluation procedures remained the issues members "
          "raised most often in our bargaining surveys."),
        HH("Higher Education - %s" % VP["Higher Education"]),
        P("Faculty and professional staff at the state universities and community colleges defended shared "
          "governance during the system consolidation debate, and adjunct faculty gained access to office space "
          "and earlier notice of course assignments."),
        HH("Paraprofessionals and School-Related Personnel (PSRP) - %s" % VP["PSRP"]),
        P("PSRP members - paraprofessionals, secretaries, custodians, bus monitors and school nurses - led "
          "campaigns for fair pay and paid training time. Our annual paraeducator appreciation day at the "
          "Capitol drew members from more than thirty districts."),
        HH("Healthcare - %s" % VP["Healthcare"]),
        P("Nurses and health professionals pressed for safe staffing, workplace violence prevention and "
          "protection from mandatory overtime, and several hospital locals settled contracts with new staffing "
          "language enforceable through the grievance procedure."),
        HH("Public Employees - %s" % VP["Public Employees"]),
        P("State and municipal employees worked with the coalition of state employee unions on pension and "
          "health care negotiations, and our judicial and corrections locals won new safety committees."),
    ])
    res_rows = [["No.", "Title", "Summary"]]
    for num, title, summary in c["resolutions"]:
        res_rows.append([num, Paragraph(esc(title), CELL), Paragraph(esc(summary), CELL)])
    pages.append([
        H("Resolutions Adopted by the Delegates"),
        P("The Resolutions Committee received proposals from locals, divisions and the Executive Council. The "
          "following resolutions were adopted by the delegates and, together with resolutions of previous "
          "conventions still in force, will guide the legislative and organizing program of the federation."),
        TAB(res_rows, [0.6, 2.0, 4.1]),
        Spacer(1, 8),
    ] + [P("Resolution %s: %s" % (num, title)) for num, title, _ in c["resolutions"]] + [
        P("Resolutions referred to the Executive Council for further study will be reported to the next "
          "convention. The full text of each resolution, with its whereas clauses, is available from the "
          "federation office."),
    ])
    winners = {2013: ("Westover Federation of Teachers, Local 1877", "Ana Sobieski", "Caleb Marchetti"),
               2015: ("Millbrook Federation of Paraprofessionals, Local 4102", "Deborah Quint", "Ines Halvorsen"),
               2017: ("Port Alden Federation of Nurses and Health Professionals, Local 5061", "Rafael Okonkwo", "Lena Brightwater"),
               2019: ("Saltmarsh Valley School Employees, Local 4417", "Joan Pettibone", "Marcus Delacroix-Hale"),
               2021: ("Riverstate State University Faculty Federation, Local 3390", "Yusuf Abernathy", "Greta Villanueva"),
               2023: ("Riverstate Judicial Employees Federation, Local 6120", "Harriet Osei", "Noah Lindqvist-Baptiste")}[year]
    elected_pres = president(year + 1)
    elected_sec = treasurer(year + 1)
    pages.append([
        H("Elections, Scholarships and Awards"),
        HH("Officers elected for the coming term"),
        *BL(["President: %s" % elected_pres, "Secretary-Treasurer: %s" % elected_sec] +
            ["Vice President, %s: %s" % (d, VP[d]) for d in VP]),
        HH("Awards"),
        P("Local of the Year: %s. Rank-and-File Activist Award: %s. Community Partner Citation: the %s Public "
          "Library Foundation." % (winners[0], winners[1], c["city"].replace(" (hybrid)", ""))),
        HH("Scholarships"),
        P("The scholarship committee selected %d recipients from %d applications. The top award, named for a "
          "founding officer of the federation, went to %s, the child of a member. Scholarship awards are paid "
          "from the restricted scholarship fund and from proceeds of the convention raffle."
          % (8 + (year - 2013) // 2, 60 + 7 * (year - 2013) // 2, winners[2])),
        P("The convention adjourned sine die on Saturday afternoon. The next convention will be held in the fall "
          "of %d; the call to convention will be mailed to locals in the spring." % (year + 2)),
    ])
    return pages


def make_conventions():
    for year in sorted(CONVENTIONS):
        c = CONVENTIONS[year]
        rel = "conventions/%d-convention-officers-reports.pdf" % year
        title = "%s Biennial Convention: Officers' Annual Reports and Delegates' Material (%d)" % (c["n"], year)
        write_pdf(rel, convention_pages(year), title=title,
                  footer="%s - %s Biennial Convention, %s" % (FED_SHORT, c["n"], c["dates"]),
                  subject="Convention report")
        record(rel, title, "convention_report", year, c["iso"], "Federation-wide", "members")

    # A public recap of the 2019 convention awards and scholarships.
    rel = "conventions/2019-convention-scholarships-and-awards.pdf"
    title = "2019 Convention Scholarships, Citations and Awards"
    pages = [[
        T(title),
        ST("45th Biennial Convention, \"Rooted and Rising\", Hartwell, October 25-26, 2019"),
        P("Each convention the federation honors members, locals and community partners whose work strengthened "
          "our union over the past two years, and presents scholarships to members and the children of members. "
          "This recap is published for all members; the full delegates' material remains available to local "
          "officers."),
        H("Scholarship Recipients"),
        TAB([["Recipient", "Division of parent member", "Award"],
             ["Marcus Delacroix-Hale", "PSRP", "$2,500 Founders Scholarship"],
             ["Abigail Osterman", "Teachers", "$1,500"],
             ["Tomasz Wierzbicki", "Healthcare", "$1,500"],
             ["Shreya Narayanan", "Higher Education", "$1,500"],
             ["Dorian Achebe", "Public Employees", "$1,000"],
             ["Lucia Fontaine", "Teachers", "$1,000"],
             ["Evan McCready", "PSRP", "$1,000"],
             ["Rosalind Ng", "Healthcare", "$1,000"],
             ["Kwame Asante-Reid", "Federation-wide (member)", "$1,000"]],
            [2.3, 2.2, 2.2]),
        Spacer(1, 8),
        P("Scholarships are funded by member contributions to the scholarship fund and by the convention raffle. "
          "Applications for the next cycle open in the spring."),
    ], [
        H("Citations and Awards"),
        HH("Local of the Year"),
        P("Saltmarsh Valley School Employees, Local 4417, for a contract campaign in which every job title in the "
          "bargaining unit - paraprofessionals, bus monitors, custodians and secretaries - acted together and won "
          "the first step increases the unit had seen in six years."),
        HH("Rank-and-File Activist Award"),
        P("Joan Pettibone, a special education paraprofessional, who recruited more than sixty coworkers to the "
          "Member Organizer Institute pilot and testified three times before the legislature's education "
          "committee."),
        HH("Community Partner Citation"),
        P("The Hartwell Public Library Foundation, for hosting free homework help staffed by retired teachers, and "
          "the Fairhaven Falls Tenants Union, for standing with our nurses during their informational picket."),
        HH("Lifetime Achievement"),
        P("Gregory Fenwick, who retires after eight years as Secretary-Treasurer and twenty-two years as an "
          "officer of the Granby Ridge Federation of Teachers."),
    ]]
    write_pdf(rel, pages, title=title, footer="%s - 2019 Convention awards recap" % FED_SHORT,
              subject="Convention report")
    record(rel, title, "convention_report", 2019, "2019-11-05", "Federation-wide", "public")


# ---------------------------------------------------------------------------------------------
# Professional development catalogs 2016, 2018, 2020, 2022 (a series)
# ---------------------------------------------------------------------------------------------
LEADERSHIP = [
    ("Stewards 101: Your Rights on the Job", "An introduction for new building and unit stewards: reading the contract, "
     "Weingarten rights in investigatory meetings, and keeping accurate notes from the first day."),
    ("Grievance Handling from Step One to Arbitration", "Participants follow a sample grievance through every step, "
     "draft a written grievance and practice presenting a case to a hearing officer."),
    ("Preparing for Contract Negotiations", "How a bargaining team surveys members, costs proposals, reads a "
     "district or hospital budget and communicates with members throughout negotiations."),
    ("Running Effective Union Meetings", "Agendas, parliamentary procedure, bylaws basics and ways to make sure "
     "new members speak and return."),
    ("Treasurer Training and Financial Reporting", "Required for new local treasurers: budgets, per capita "
     "reports, audits, and federal LM reporting for private sector locals."),
    ("One-on-One Conversations that Build Power", "The core skill of the Member Organizer Institute, practiced in "
     "pairs with coaching from experienced organizers."),
    ("Political Action for Local Leaders", "How to interview candidates, run a member-to-member endorsement "
     "process and testify effectively at the Capitol."),
    ("Communicating with Members in a Digital Age", "Text banking, social media policies and writing a one-page "
     "bargaining update members will actually read."),
]
PRACTICE = [
    ("Classroom Management for New Teachers", "Routines, relationships and de-escalation strategies for educators in "
     "their first three years, led by veteran members of the Teachers division."),
    ("Supporting Students with Disabilities: A Team Approach", "Teachers and paraprofessionals learn together how to "
     "plan, communicate and divide responsibilities under an individualized education program."),
    ("Trauma-Informed Practice in Schools", "Recognizing the effects of trauma on learning and behavior and "
     "responding in ways that keep students and staff safe."),
    ("Teacher Evaluation: Knowing the Plan", "What your district evaluation plan requires, how to set goals, and "
     "how to respond in writing to an observation you disagree with."),
    ("Google Classroom and Beyond", "Hands-on practice with the digital tools most districts adopted during remote "
     "instruction, with attention to student privacy."),
    ("Culturally Responsive Teaching", "Practical ways to draw on students' languages, families and communities "
     "in everyday lessons."),
    ("Paraprofessional Pathways to Certification", "Information on tuition assistance, alternate routes and "
     "scholarships for paraprofessionals who want to become certified teachers."),
]
SECTOR = [
    ("Safe Patient Handling and Mobility", "Healthcare: lift equipment, team protocols and how to report unsafe "
     "conditions through the staffing committee and the grievance procedure."),
    ("Workplace Violence Prevention for Health Professionals", "Healthcare: risk assessment, incident reporting and "
     "the employer's legal duties."),
    ("Academic Freedom and Shared Governance", "Higher Education: the history and contract language protecting "
     "faculty speech, curriculum and participation in governance."),
    ("Navigating Promotion and Tenure", "Higher Education: building a portfolio and understanding the timelines "
     "and appeal rights in the collective bargaining agreement."),
    ("Bloodborne Pathogens and Health Procedures for PSRP", "PSRP: required safety training for paraprofessionals "
     "and school nurses who assist students with health needs."),
    ("Know Your Pension: State Employees Retirement", "Public Employees: tiers, purchase of service credit and "
     "planning ahead with a retirement counselor."),
    ("Preparing for Retirement: Teachers' Retirement System", "Teachers: eligibility, benefit options and health "
     "coverage after retirement."),
]
CATALOG_EXTRA = {
    2016: [("Understanding the New State Budget", "A briefing on what the state budget means for school districts, "
            "hospitals and state agencies, and how locals can respond.")],
    2018: [("After the Supreme Court: Membership Matters", "How locals can sign up and re-commit members and "
            "defend fair share rights in a changed legal landscape.")],
    2020: [("Restorative Circles for the Middle School Hallway", "A practical session on using restorative "
            "circles to resolve conflicts between students before they become discipline referrals."),
           ("Teaching Online Without Burning Out", "Boundaries, workload and contract rights for educators "
            "teaching remotely or in hybrid models.")],
    2022: [("Recovering Learning, Protecting Educators", "Using federal recovery funds for tutoring and "
            "summer programs without adding unpaid work."),
           ("Bargaining Over Staffing Shortages", "Contract language on vacancies, coverage pay and "
            "workload when positions go unfilled.")],
}


def pick(pool, year, n):
    start = (year * 3) % len(pool)
    return [pool[(start + i) % len(pool)] for i in range(n)]


def workshop_list(items):
    out = []
    for title, desc in items:
        out.append(HH(title))
        out.append(P(desc))
    return out


def catalog_pages(year: int) -> list:
    extra = CATALOG_EXTRA[year]
    season = "Fall %d - Spring %d" % (year, year + 1)
    pages = [[
        T("Professional Development Catalog %s" % season),
        ST("%s - Members teaching members" % FED),
        H("About This Catalog"),
        P("Our professional development program is built on a simple idea: the best teacher of a skill is a "
          "colleague who uses it every day. Every workshop in this catalog is led by members or staff of the "
          "federation and its locals, and every workshop is free to members of affiliated locals. Workshops can "
          "be scheduled at your worksite, at the federation training center in Hartwell, or online."),
        P("Courses are organized in three strands: labor leadership, professional practice, and sector-specific "
          "training for our Higher Education, PSRP, Healthcare and Public Employees divisions. Where approved, "
          "workshops carry continuing education units (CEUs) for teacher certification or nursing contact hours."),
        H("How to Register"),
        P("Ask your local president or professional development chair to request a workshop at least four weeks "
          "in advance. A minimum of twelve participants is required for on-site sessions. Members may also "
          "register individually for regional sessions listed on the calendar at the end of this catalog."),
        H("Become a Presenter"),
        P("Members with expertise to share are invited to join our presenter cohort. Presenters receive training, "
          "materials and a stipend, and they help shape future course offerings based on member feedback from "
          "all divisions."),
    ], [
        H("Labor Leadership Workshops"),
        P("These workshops prepare stewards, local officers, bargaining team members and activists to represent "
          "coworkers, enforce the contract and build a stronger union."),
    ] + workshop_list(pick(LEADERSHIP, year, 5)), [
        H("Professional Practice Workshops"),
        P("Workshops in this strand address the daily work of educators and school staff. Many are co-taught by a "
          "teacher and a paraprofessional."),
    ] + workshop_list(pick(PRACTICE, year, 4) + extra), [
        H("Sector and Division Workshops"),
        P("These sessions are designed with the advisory councils of our divisions and address the conditions and "
          "rights specific to each group of members."),
    ] + workshop_list(pick(SECTOR, year, 5))]
    cal = [["Date", "Workshop", "Location"]]
    towns = ["Hartwell", "Port Alden", "Westover", "Millbrook", "Granby Ridge", "Fairhaven Falls", "Online"]
    chosen = pick(LEADERSHIP, year, 3) + pick(PRACTICE, year, 2) + pick(SECTOR, year, 3)
    for i, (t, _) in enumerate(chosen):
        month = ["September", "October", "November", "January", "February", "March", "April", "May"][i]
        y = year if i < 3 else year + 1
        cal.append(["%s %d, %d" % (month, 6 + (i * 5 + year) % 20, y), Paragraph(esc(t), CELL), towns[(i + year) % 7]])
    pages.append([
        H("Regional Calendar %s" % season),
        P("Regional sessions run from 4:30 to 7:00 p.m. unless noted. Dinner is provided at in-person sessions."),
        TAB(cal, [1.6, 3.6, 1.5]),
        Spacer(1, 10),
        P("Questions? Contact the professional development coordinator at the federation office, %s." % HQ),
    ])
    return pages


def make_catalogs():
    for year in (2016, 2018, 2020, 2022):
        rel = "catalogs/%d-professional-development-catalog.pdf" % year
        title = "Professional Development Catalog, Fall %d - Spring %d" % (year, year + 1)
        write_pdf(rel, catalog_pages(year), title=title,
                  footer="%s - Professional Development Catalog %d-%d" % (FED_SHORT, year, year + 1),
                  subject="Course catalog")
        record(rel, title, "catalog", year, "%d-08-25" % year, "Federation-wide", "public")


# ---------------------------------------------------------------------------------------------
# Collective bargaining agreements
# ---------------------------------------------------------------------------------------------
def grievance_article(num: int, employer_rep: str, days: tuple) -> list:
    return [
        H("Article %d - Grievance Procedure" % num),
        P("Section 1. Definition. A grievance is a claim by an employee, a group of employees or the Union that "
          "there has been a violation, misinterpretation or misapplication of a specific provision of this "
          "Agreement. The purpose of this procedure is to secure, at the lowest possible level, equitable "
          "solutions to problems that arise during the term of the Agreement."),
        P("Section 2. Informal Resolution. An employee and a Union representative shall first attempt to resolve "
          "a grievance informally with the immediate supervisor within %d working days of the event giving rise "
          "to it." % days[0]),
        P("Section 3. Level One. If the grievance is not resolved informally, it shall be reduced to writing on "
          "the form in Appendix B and presented to the supervisor, who shall meet with the grievant and the Union "
          "representative and answer in writing within %d working days." % days[1]),
        P("Section 4. Level Two. If the grievant is not satisfied, the Union may appeal in writing to the %s "
          "within ten working days. A hearing shall be held within ten working days of the appeal, and a written "
          "decision issued within ten working days of the hearing." % employer_rep),
        P("Section 5. Arbitration. If the Union is not satisfied with the Level Two decision, it may submit the "
          "grievance to binding arbitration by written notice within %d working days. The arbitrator shall be "
          "selected under the labor arbitration rules of the American Arbitration Association. The decision of "
          "the arbitrator shall be final and binding on both parties; the arbitrator shall have no power to add "
          "to, subtract from or modify the terms of this Agreement. The fees and expenses of the arbitrator shall "
          "be shared equally." % days[2]),
        P("Section 6. No Reprisals. No reprisal of any kind shall be taken against any employee or Union "
          "representative because of participation in the grievance procedure. Grievance meetings held during "
          "the workday shall be scheduled so that participants suffer no loss of pay."),
    ]


def seniority_article(num: int, unit: str) -> list:
    return [
        H("Article %d - Seniority" % num),
        P("Section 1. Seniority shall be defined as continuous length of service in the bargaining unit from the "
          "most recent date of hire. Approved leaves of absence shall not interrupt seniority. Ties shall be "
          "broken by lot in the presence of a Union representative."),
        P("Section 2. A seniority list showing each employee's name, position, date of hire and seniority shall be "
          "posted in each work location and provided to the Union by October 1 of each year. Objections shall be "
          "raised within thirty days, after which the list shall be final."),
        H("Article %d - Layoff and Recall" % (num + 1)),
        P("Section 1. If the Employer determines that a reduction in the number of %s is necessary, the Union "
          "shall be notified at least forty-five calendar days in advance, and the parties shall meet to discuss "
          "alternatives to layoff." % unit),
        P("Section 2. Layoffs shall be made in inverse order of seniority within job classification, provided the "
          "remaining employees are qualified to perform the available work. A laid-off employee may displace the "
          "least senior employee in an equal or lower classification for which the employee is qualified."),
        P("Section 3. Laid-off employees shall be placed on a recall list for twenty-four months and shall be "
          "recalled in order of seniority. Notice of recall shall be sent by certified mail and electronic mail; "
          "an employee who fails to respond within ten calendar days forfeits recall rights."),
        P("Section 4. Health insurance shall continue at the Employer's expense through the end of the month "
          "following the effective date of layoff."),
    ]


def millbrook_pages(start: int) -> list:
    end = start + 3
    local = "Millbrook Federation of Paraprofessionals, Local 4102"
    base = {2015: [17.42, 17.96, 18.51, 19.07, 19.64, 20.23, 20.84, 21.47, 22.11],
            2018: [18.38, 18.95, 19.52, 20.11, 20.71, 21.33, 21.97, 22.63, 23.31]}[start]
    raise_pct = {2015: (1.75, 2.0, 2.25), 2018: (2.5, 2.5, 2.75)}[start]
    title_block = [
        T("Agreement between the Millbrook Board of Education and the %s" % local),
        ST("July 1, %d through June 30, %d" % (start, end)),
        H("Preamble"),
        P("This Agreement is entered into by the Millbrook Board of Education (the Board) and the Millbrook "
          "Federation of Paraprofessionals, Local 4102, affiliated with the %s (the Union), and is the product "
          "of good faith negotiations conducted under the state Teacher Negotiation Act and the Municipal "
          "Employee Relations Act as they apply to school paraprofessionals." % FED),
        H("Article 1 - Recognition"),
        P("The Board recognizes the Union as the exclusive bargaining representative for all full-time and "
          "regular part-time paraprofessionals, instructional assistants, library aides, behavior technicians "
          "and tutors employed by the Board, excluding substitutes, student workers and confidential employees."),
        H("Article 2 - Board Rights"),
        P("Except as specifically limited by this Agreement, the Board retains the right to direct its employees, "
          "determine the methods and means of instruction, and establish reasonable work rules, provided that "
          "changes in work rules affecting terms and conditions of employment shall be negotiated with the Union."),
        H("Article 3 - Union Rights"),
        P("The Union shall be given time at new employee orientation to meet with paraprofessionals. Union "
          "representatives shall have reasonable access to work locations to investigate grievances, and the "
          "Board shall deduct Union dues from the pay of employees who authorize such deductions in writing."),
    ]
    grievance = grievance_article(4, "Superintendent of Schools or designee", (10, 5, 15) if start == 2015 else (15, 5, 20))
    if start == 2018:
        grievance.append(P("Section 7. Expedited Arbitration. Grievances concerning the assignment of paid "
                           "training hours may, by mutual agreement, be heard by a single arbitrator in an "
                           "expedited hearing without written briefs."))
    seniority = seniority_article(5, "paraprofessionals")
    hours = [
        H("Article 7 - Hours of Work"),
        P("Section 1. The regular work day shall not exceed six and one-half hours, inclusive of a thirty-minute "
          "duty-free, unpaid lunch. Paraprofessionals required to work through lunch shall be paid for the period "
          "at the overtime rate."),
        P("Section 2. Paraprofessionals assigned to accompany students on field trips or extended-day programs "
          "beyond the regular work day shall be compensated at their hourly rate for all hours worked."),
        H("Article 8 - Professional Development"),
        P("The Board shall provide no fewer than %d hours of paid professional development each school year, "
          "planned jointly with the Union's professional development committee. Paraprofessionals who complete "
          "coursework toward teacher certification may apply for tuition reimbursement of up to $%s per year."
          % ((12, "1,200") if start == 2015 else (18, "1,800"))),
        H("Article 9 - Leaves of Absence"),
        P("Each paraprofessional shall be granted fifteen days of sick leave per year, cumulative to one hundred "
          "eighty days, three days of personal leave, and up to five days of bereavement leave per occurrence. "
          "Unpaid child-rearing leave of up to one year shall be granted upon request."),
        H("Article 10 - Health Insurance"),
        P("The Board shall offer the same medical plans offered to certified staff. The employee premium share "
          "shall be %s of the premium cost in each year of this Agreement." %
          ("16 percent, 17 percent and 18 percent" if start == 2015 else "17.5 percent, 18 percent and 18 percent")),
    ]
    rows = [["Step"] + ["%d-%02d" % (start + i, (start + i + 1) % 100) for i in range(3)]]
    for i, rate in enumerate(base, start=1):
        r1 = rate
        r2 = round(r1 * (1 + raise_pct[1] / 100), 2)
        r3 = round(r2 * (1 + raise_pct[2] / 100), 2)
        rows.append(["Step %d" % i, "$%.2f" % r1, "$%.2f" % r2, "$%.2f" % r3])
    salary = [
        H("Article 11 - Salary Schedule"),
        P("Section 1. Paraprofessionals shall be paid hourly according to the following schedule. Each employee "
          "shall advance one step on July 1 of each year of this Agreement, provided the employee worked at least "
          "ninety working days in the preceding year. The general wage increases are %.2f percent, %.2f percent "
          "and %.2f percent." % raise_pct),
        TAB(rows, [1.6, 1.6, 1.6, 1.6], right_cols=(1, 2, 3)),
        Spacer(1, 8),
        P("Section 2. Paraprofessionals holding a bachelor's degree shall receive an additional $0.85 per hour; "
          "those holding an associate degree or passing the state paraprofessional assessment shall receive an "
          "additional $0.45 per hour."),
        P("Section 3. Longevity. Employees with fifteen or more years of service shall receive an annual longevity "
          "payment of $%s, paid in the first pay period of December." % ("650" if start == 2015 else "800")),
    ]
    if start == 2018:
        salary.append(P("Section 4. Step 9 longevity differential. Employees who have been at Step 9 for three or "
                        "more years shall receive an additional $0.40 per hour."))
    duration = [
        H("Article 12 - Duration"),
        P("This Agreement shall be effective July 1, %d and shall remain in full force and effect through June 30, "
          "%d. Negotiations for a successor agreement shall begin no later than the date prescribed by statute, "
          "upon written request of either party." % (start, end)),
        P("In witness whereof, the parties have caused this Agreement to be signed by their authorized "
          "representatives on the dates below, following ratification by the membership of the Union and "
          "approval by the Board."),
        Spacer(1, 12),
        P("For the Millbrook Board of Education: Raymond Tolliver, Chair; Dr. Sandra Weekes, Superintendent of "
          "Schools."),
        P("For the Millbrook Federation of Paraprofessionals, Local 4102: %s, President; Leon Ashby, Chief "
          "Negotiator; %s, Vice President, PSRP Division, %s."
          % ("Deborah Quint" if start == 2015 else "Maribel Santos", VP["PSRP"], FED)),
        H("Appendix B - Grievance Form"),
        P("Name of grievant; school; date of occurrence; article and section violated; statement of the "
          "grievance; relief sought; signature of grievant and Union representative; date submitted."),
    ]
    return [title_block, grievance, seniority, hours, salary, duration]


def nurses_pages() -> list:
    local = "Port Alden Federation of Nurses and Health Professionals, Local 5061"
    rows = [["Years of experience", "July 1, 2020", "July 1, 2021", "July 1, 2022"]]
    for i, yrs in enumerate([0, 1, 3, 5, 8, 10, 15, 20, 25]):
        r = 36.80 + 1.42 * i + (0.9 if yrs >= 15 else 0)
        rows.append([str(yrs), "$%.2f" % r, "$%.2f" % (r * 1.03), "$%.2f" % (r * 1.03 * 1.0325)])
    return [[
        T("Agreement between Port Alden General Hospital and the %s" % local),
        ST("July 1, 2020 through June 30, 2023"),
        H("Article 1 - Recognition"),
        P("The Hospital recognizes the Union as the sole and exclusive bargaining agent for all registered nurses, "
          "licensed practical nurses, respiratory therapists and surgical technologists employed by the Hospital "
          "at its Port Alden campus, excluding managers, supervisors and per diem staff working fewer than eight "
          "shifts per quarter, as certified by the National Labor Relations Board."),
        H("Article 2 - Union Security and Dues"),
        P("The Hospital shall deduct Union dues from the wages of employees who so authorize and remit them monthly "
          "to the Union, together with a list of employees from whom deductions were made. The Union shall "
          "forward the per capita on these members to the %s." % FED),
        H("Article 3 - Non-Discrimination"),
        P("Neither party shall discriminate against any employee on account of race, color, religion, sex, sexual "
          "orientation, gender identity, national origin, age, disability or Union activity."),
    ], [
        H("Article 4 - Staffing and Patient Care"),
        P("Section 1. The parties agree that safe staffing is essential to quality patient care. A Staffing "
          "Committee composed of six direct-care nurses selected by the Union and six representatives of the "
          "Hospital shall develop a staffing plan for each inpatient unit, reviewed at least twice a year."),
        P("Section 2. No nurse shall be assigned more than five patients on a medical-surgical unit, three patients "
          "in step-down units, or two patients in intensive care, except in a declared emergency."),
        P("Section 3. Mandatory overtime shall not be used as a staffing practice. A nurse may decline overtime "
          "without discipline. Assignment despite objection forms may be filed by any nurse who believes an "
          "assignment is unsafe, and shall be reviewed by the Staffing Committee."),
        P("Section 4. Violations of the staffing plan may be grieved under Article 5 and, if unresolved, submitted "
          "to expedited arbitration."),
    ], grievance_article(5, "Chief Nursing Officer", (10, 7, 30)), [
        H("Article 6 - Seniority and Scheduling"),
        P("Bargaining unit seniority shall govern vacation selection, shift bids and layoff within each unit. "
          "Schedules shall be posted four weeks in advance, and no nurse shall be required to rotate between day "
          "and night shifts without consent. Holiday work shall be rotated equitably."),
        H("Article 7 - Health and Safety"),
        P("The Hospital shall maintain a workplace violence prevention program developed with the Union, provide "
          "safe patient handling equipment on every inpatient unit, and supply personal protective equipment "
          "appropriate to the hazard, including fitted respirators during a declared public health emergency."),
        H("Article 8 - Education"),
        P("Each full-time nurse shall receive twenty-four hours of paid education time and $1,000 per year for "
          "continuing education, certification fees or conference registration."),
    ], [
        H("Article 9 - Wages"),
        P("Nurses shall be placed on the wage scale according to years of licensed experience. The scale shall "
          "increase by 3.0 percent on July 1, 2021 and 3.25 percent on July 1, 2022."),
        TAB(rows, [1.9, 1.5, 1.5, 1.5], right_cols=(1, 2, 3)),
        Spacer(1, 8),
        P("Shift differentials: evenings $3.25 per hour; nights $4.75 per hour; weekends $2.50 per hour. Charge "
          "nurse differential $2.00 per hour. Certified nurses shall receive $1.50 per hour."),
        H("Article 10 - Duration"),
        P("This Agreement shall remain in effect from July 1, 2020 through June 30, 2023. Either party may give "
          "notice of intent to open negotiations no later than ninety days before expiration. Signed for the "
          "Hospital by Gordon Whitlock, President and Chief Executive Officer, and for the Union by Teresa "
          "Falcone, RN, President of Local 5061."),
    ]]


def faculty_pages() -> list:
    rows = [["Rank", "Minimum, Fall 2022", "Minimum, Fall 2024"]]
    for rank, base in [("Instructor", 54_200), ("Assistant Professor", 63_850), ("Associate Professor", 76_400),
                       ("Professor", 94_150)]:
        rows.append([rank, "$%s" % format(base, ","), "$%s" % format(round(base * 1.0612), ",")])
    return [[
        T("Agreement between the Board of Regents for Riverstate State University and the Riverstate State "
          "University Faculty Federation, Local 3390"),
        ST("August 23, 2022 through August 22, 2026"),
        H("Article 1 - Recognition"),
        P("The Board of Regents recognizes the Union as the exclusive representative of all full-time teaching "
          "faculty, librarians, counselors and coaches holding faculty rank at the four campuses of Riverstate "
          "State University, and of part-time (adjunct) faculty who have taught at least six credits in each of "
          "two consecutive semesters."),
        H("Article 2 - Academic Freedom"),
        P("The parties affirm that academic freedom is essential to the mission of the University. Faculty are "
          "entitled to freedom in research and publication, in the classroom in discussing their subject, and in "
          "speaking as citizens, and no faculty member shall be disciplined for the exercise of these freedoms."),
    ], [
        H("Article 3 - Workload"),
        P("The normal teaching load for full-time faculty shall be twenty-four credit hours per academic year, "
          "with reassigned time available for research, curriculum development and service as department chair. "
          "Adjunct faculty shall be offered course assignments no later than six weeks before the start of the "
          "semester, and shall be paid a cancellation fee if a course is cancelled within two weeks of its start."),
        H("Article 4 - Tenure and Promotion"),
        P("Candidates for tenure shall be evaluated in their sixth year on teaching, scholarship and service by a "
          "department committee, a university committee and the provost, each of which shall state its "
          "recommendation and reasons in writing. Candidates may respond in writing at each level and may appeal "
          "a negative decision on procedural grounds through the grievance procedure."),
    ], grievance_article(5, "Provost or the Provost's designee", (20, 10, 30)), [
        H("Article 6 - Salary"),
        P("Salaries shall increase by 2.5 percent in each year of the Agreement, with an additional step increase "
          "for eligible faculty. Minimum salaries by rank shall be as follows. Adjunct faculty shall be paid not "
          "less than $1,525 per credit hour in 2022-23, rising to $1,640 per credit hour by 2025-26."),
        TAB(rows, [2.6, 2.0, 2.0], right_cols=(1, 2)),
        Spacer(1, 8),
        H("Article 7 - Duration"),
        P("This Agreement shall be effective upon ratification and approval by the legislature and shall remain in "
          "effect through August 22, 2026. Signed for the Board of Regents by Chancellor Miriam Osgood and for the "
          "Union by Professor Alan Ruiz-Whitford, President of Local 3390, with %s, Vice President for Higher "
          "Education of the %s." % (VP["Higher Education"], FED)),
    ]]


def make_contracts():
    for start in (2015, 2018):
        rel = "contracts/%d-%d-millbrook-paraprofessionals-agreement.pdf" % (start, start + 3)
        title = ("Agreement between the Millbrook Board of Education and the Millbrook Federation of "
                 "Paraprofessionals, Local 4102, %d-%d" % (start, start + 3))
        write_pdf(rel, millbrook_pages(start), title=title,
                  footer="Millbrook Board of Education / Local 4102 Agreement %d-%d" % (start, start + 3),
                  subject="Collective bargaining agreement")
        record(rel, title, "contract", start, "%d-07-01" % start, "PSRP", "members")
    rel = "contracts/2020-2023-port-alden-nurses-agreement.pdf"
    title = ("Agreement between Port Alden General Hospital and the Port Alden Federation of Nurses and Health "
             "Professionals, Local 5061, 2020-2023")
    write_pdf(rel, nurses_pages(), title=title, footer="Port Alden General Hospital / Local 5061 Agreement 2020-2023",
              subject="Collective bargaining agreement")
    record(rel, title, "contract", 2020, "2020-07-01", "Healthcare", "members")
    rel = "contracts/2022-2026-riverstate-state-university-faculty-agreement.pdf"
    title = "Agreement between the Board of Regents and the Riverstate State University Faculty Federation, Local 3390, 2022-2026"
    write_pdf(rel, faculty_pages(), title=title, footer="Board of Regents / Local 3390 Agreement 2022-2026",
              subject="Collective bargaining agreement")
    record(rel, title, "contract", 2022, "2022-08-23", "Higher Education", "members")


# ---------------------------------------------------------------------------------------------
# Fact sheets
# ---------------------------------------------------------------------------------------------
def moi_pages(year: int) -> list:
    if year == 2017:
        model = ("The pilot is volunteer-based: participants give about six hours a month outside their working time, "
                 "and the federation covers travel, meals and child care for every training day.")
        cohort = "twenty-two members from nine locals"
        pay = ("Volunteers are not paid a stipend in the pilot year. Release time for training days is negotiated "
               "with employers where the contract allows it.")
    elif year == 2019:
        model = ("Building on two volunteer years, the Institute now offers paid positions: each organizer commits "
                 "ten hours a week for one semester, jointly funded by the national union, the federation and the "
                 "participating local.")
        cohort = "a paid cohort of up to thirty members, with training beginning in late September"
        pay = ("Each organizer receives a stipend of $1,850 per cohort member per semester, paid in three "
               "installments, plus mileage at the federal rate. Stipends are taxable income.")
    else:
        model = ("The Institute resumes in person after a year of remote organizing. Organizers commit eight hours "
                 "a week for the fall semester and may continue into the spring as mentors to new organizers.")
        cohort = "twenty-four members, including the first cohort drawn from Healthcare and Higher Education locals"
        pay = ("Organizers are paid for their hours at a rate negotiated with the staff union and agreed by the "
               "participating local; mentors receive an additional semester payment.")
    return [[
        T("Member Organizer Institute %s" % ("Pilot" if year == 2017 else "%d-%d" % (year, year + 1))),
        ST("Fact sheet - %s" % FED),
        H("What is the Member Organizer Institute?"),
        P("The Member Organizer Institute (MOI) trains rank-and-file members to organize their own coworkers. "
          "Instead of relying on staff, the Institute puts active members in the lead: they learn to hold "
          "one-on-one conversations, map their worksites, identify leaders and build campaigns around the issues "
          "coworkers care about most, from staffing to salary schedules."),
        H("How it works"),
        P(model),
        H("Who should apply"),
        P("Any member in good standing of an affiliated local in any division - Teachers, Higher Education, PSRP, "
          "Healthcare or Public Employees - who has the support of their local president. No prior organizing "
          "experience is needed; curiosity about your coworkers and a willingness to listen are essential."),
    ], [
        H("Program details"),
        *BL(["Cohort: %s." % cohort,
             "Training: an opening weekend retreat, followed by evening sessions every other week.",
             "Field work: conversations at the organizer's own worksite and, with coaching, at a neighboring local.",
             "Support: every organizer is matched with an experienced staff or member coach."]),
        H("Compensation"),
        P(pay),
        H("Results so far"),
        P({2017: "This is the first year of the program; results will be reported to the delegates at the 2017 "
                 "convention.",
           2019: "Volunteer organizers in the first two years held more than five thousand conversations and "
                 "signed up over eight hundred new members and recommitted members.",
           2021: "Despite the pandemic, remote organizers reached every affiliated local and helped three new units "
                 "win recognition."}[year]),
        H("How to apply"),
        P("Submit the one-page application, signed by your local president, to the federation's organizing "
          "department at %s. Applications are reviewed on a rolling basis until the cohort is full." % HQ),
    ]]


def make_fact_sheets():
    dates = {2017: "2017-03-14", 2019: "2019-08-20", 2021: "2021-08-17"}
    for year in (2017, 2019, 2021):
        rel = "fact-sheets/%d-member-organizer-institute-fact-sheet.pdf" % year
        title = "Member Organizer Institute Fact Sheet (%d)" % year
        write_pdf(rel, moi_pages(year), title=title, footer="%s - MOI fact sheet %d" % (FED_SHORT, year),
                  subject="Fact sheet")
        record(rel, title, "fact_sheet", year, dates[year], "Federation-wide", "public")

    rel = "fact-sheets/2014-paraeducator-appreciation-day-fact-sheet.pdf"
    title = "National Paraeducator Appreciation Day 2014 Fact Sheet"
    pages = [[
        T(title),
        ST("PSRP Division - %s" % FED),
        H("Why we celebrate paraeducators"),
        P("Paraeducators work side by side with teachers in nearly every school in the state. They support "
          "students with disabilities, lead small reading groups, supervise lunchrooms and buses, and often know "
          "families better than anyone else in the building. Yet many earn less than a living wage and receive "
          "little paid training."),
        H("Facts at a glance"),
        *BL(["About 4,800 paraprofessionals are represented by locals affiliated with our federation.",
             "The median paraprofessional earns about $21,400 a year for a school-year position.",
             "More than half of paraprofessionals hold a second job during the school year or summer.",
             "Only a minority of district contracts guarantee paid professional development for paraprofessionals."]),
    ], [
        H("Appreciation Day at the State Capitol"),
        P("On Wednesday, April 2, 2014, PSRP members from across the state will gather in the Hall of Flags at the "
          "Capitol in Hartwell. The governor has been invited to sign a proclamation recognizing the contributions "
          "of paraeducators, and legislators will hear from members about pay, training and safety."),
        H("What locals can do"),
        *BL(["Organize a breakfast or recognition event in each school building.",
             "Ask the board of education to adopt its own resolution of appreciation.",
             "Invite paraprofessionals who are not yet members to join the union.",
             "Share photos and stories with the federation's communications department."]),
        P("Contact %s, Vice President for the PSRP division, for a sample proclamation and talking points." % VP["PSRP"]),
    ]]
    write_pdf(rel, pages, title=title, footer="%s - PSRP Division" % FED_SHORT, subject="Fact sheet")
    record(rel, title, "fact_sheet", 2014, "2014-03-20", "PSRP", "public")

    rel = "fact-sheets/2022-safe-staffing-fact-sheet.txt"
    text = """SAFE STAFFING SAVES LIVES
Fact sheet - Healthcare Division, {fed}
September 2022

THE PROBLEM
Nurses and health professionals in our hospitals are caring for more patients than ever,
with fewer colleagues on each shift. After two years of pandemic surges, many experienced
nurses have left the bedside. Those who remain are asked to work mandatory overtime and to
take assignments that they know are unsafe.

WHAT THE RESEARCH SHOWS
* Each additional patient assigned to a nurse raises the risk of patient death within
  thirty days of admission.
* Units with enforceable staffing plans have lower turnover and fewer workplace injuries.
* Hospitals spend heavily on travel nurses instead of retaining their own staff.

WHAT WE ARE ASKING FOR
1. Staffing committees in every hospital, with at least half of members direct-care nurses
   chosen by their union.
2. Enforceable nurse-to-patient limits, with violations subject to the grievance procedure
   and arbitration.
3. An end to mandatory overtime except in a declared emergency.
4. Public reporting of staffing levels by unit, so patients can see the facts.

WHAT YOU CAN DO
- File an assignment-despite-objection form every time an assignment is unsafe.
- Tell your story at the legislative hearing on the staffing bill in February.
- Ask coworkers who are not yet members to join the union.

Contact: {vp}, Vice President, Healthcare Division
{hq}
""".format(fed=FED, vp=VP["Healthcare"], hq=HQ)
    write_text(rel, text, "utf-8")
    record(rel, "Safe Staffing Saves Lives: Healthcare Division Fact Sheet", "fact_sheet", 2022, "2022-09-12",
           "Healthcare", "public")


def write_text(rel, text, encoding):
    path = HERE / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))


# ---------------------------------------------------------------------------------------------
# Resolutions
# ---------------------------------------------------------------------------------------------
def resolution_pages(year, number, title, whereas, resolved, background, adopted):
    return [[
        T("Resolution %s: %s" % (number, title)),
        ST("Adopted by the delegates to the %s Biennial Convention of the %s" % (CONVENTIONS[year]["n"], FED)),
        *[P("WHEREAS, " + w) for w in whereas],
    ], [
        *[P("RESOLVED, " + r) for r in resolved],
        H("Background"),
        P(background),
        P("Submitted by the Resolutions Committee. Adopted by the delegates on %s." % long_date(adopted)),
    ]]


def make_resolutions():
    rel = "resolutions/2015-resolution-on-standardized-testing.pdf"
    title = "Resolution 15-01: Limit Standardized Testing"
    pages = resolution_pages(2015, "15-01", "Limit Standardized Testing", [
        "students in our public schools now spend as many as twenty instructional days each year taking or "
        "preparing for mandated standardized tests; and",
        "the results of these tests arrive too late in the year to inform instruction for the students who took "
        "them; and",
        "teachers and paraprofessionals report that test preparation has crowded out art, music, recess and "
        "hands-on learning, especially in schools serving low-income students; and",
        "decisions about student learning are best made by educators who know their students; therefore be it",
    ], [
        "that the %s calls on the state to cap the instructional time lost to mandated testing at no more than "
        "one percent of the school year; and be it further" % FED,
        "that the federation will support local unions that seek to negotiate limits on district-mandated testing "
        "and on the use of test scores in evaluation; and be it further",
        "that the federation will work with parents, students and school boards to promote assessments designed by "
        "teachers that inform instruction.",
    ], "The Teachers division advisory council surveyed members in the spring of 2015. More than eight in ten "
       "respondents said the amount of testing had increased over five years, and most said it had reduced time "
       "for instruction in subjects that are not tested.", "2015-10-24")
    write_pdf(rel, pages, title=title, footer="%s - Resolution 15-01" % FED_SHORT, subject="Resolution")
    record(rel, title, "resolution", 2015, "2015-10-24", "Teachers", "public")

    rel = "resolutions/2019-resolution-on-adjunct-faculty-equity.pdf"
    title = "Resolution 19-01: Adjunct Faculty Equity"
    pages = resolution_pages(2019, "19-01", "Adjunct Faculty Equity", [
        "more than half of the courses at the state's community colleges are taught by part-time adjunct faculty "
        "who are paid per course, without job security or health benefits; and",
        "many adjunct faculty teach at several campuses to assemble a living, with little time for students "
        "outside of class; and",
        "the quality of higher education depends on faculty who are supported, fairly paid and free to teach; "
        "therefore be it",
    ], [
        "that the %s supports equal pay per course for adjunct and full-time faculty, pro-rata benefits, and a "
        "path to full-time positions for long-serving adjuncts; and be it further" % FED,
        "that the federation will support Higher Education locals in negotiations to secure earlier notice of "
        "course assignments, cancellation fees and seniority for adjunct faculty.",
    ], "The Higher Education division reports that the average adjunct at a community college teaches at 2.3 "
       "institutions. The resolution was adopted without amendment after debate by delegates from the division.", "2019-10-26")
    write_pdf(rel, pages, title=title, footer="%s - Resolution 19-01" % FED_SHORT, subject="Resolution")
    record(rel, title, "resolution", 2019, "2019-10-26", "Higher Education", "public")

    rel = "resolutions/2021-resolution-on-recovery-funds-for-students.pdf"
    title = "Resolution 21-01: Recovery Funds for Students"
    pages = resolution_pages(2021, "21-01", "Recovery Funds for Students", [
        "the federal government has provided the largest investment in public schools in a generation to help "
        "students recover from the disruption of the pandemic; and",
        "the people who know best what students need are the teachers, paraprofessionals, nurses and school staff "
        "who work with them every day; and",
        "recovery funds spent on short-term consultants and software will not be there when students need them; "
        "therefore be it",
    ], [
        "that the %s calls on every school district to involve its local unions in deciding how recovery funds "
        "are spent; and be it further" % FED,
        "that the federation supports spending recovery funds on additional staff, school nurses, counselors, "
        "mental health services, tutoring by certified staff and summer programs; and be it further",
        "that the federation will track and publish how districts spend these funds.",
    ], "Delegates from all divisions spoke in support. The federation has asked every local to request its "
       "district's spending plan and to report back by the end of the school year.", "2021-10-23")
    write_pdf(rel, pages, title=title, footer="%s - Resolution 21-01" % FED_SHORT, subject="Resolution")
    record(rel, title, "resolution", 2021, "2021-10-23", "Federation-wide", "public")

    rel = "resolutions/2023-resolution-on-paraprofessional-living-wage.txt"
    text = """RESOLUTION 23-01: PARAPROFESSIONAL LIVING WAGE
Adopted by the delegates to the 47th Biennial Convention
{fed}
Port Alden, October 21, 2023

WHEREAS, paraprofessionals support students with the greatest needs in every public school
in the state, often as the adult who knows a student best; and

WHEREAS, the average paraprofessional in the state earns less than the cost of living for a
single adult in every county, and many hold second jobs to make ends meet; and

WHEREAS, districts across the state report that they cannot fill paraprofessional vacancies,
leaving students without the support their individualized education programs require; and

WHEREAS, the minimum salary law won by PSRP members in 2023 is a first step, but does not keep
pace with rising costs; therefore be it

RESOLVED, that the federation supports a statewide wage floor for paraprofessionals that is
indexed to the cost of living and adjusted each year; and be it further

RESOLVED, that the federation will support PSRP locals in negotiations to bring salary
schedules above the statutory floor and to win paid professional development time; and be it
further

RESOLVED, that the federation will seek state funding so that raising paraprofessional pay does
not force cuts to other school staff.

Submitted by the PSRP Division Advisory Council.
""".format(fed=FED)
    write_text(rel, text, "utf-8")
    record(rel, "Resolution 23-01: Paraprofessional Living Wage", "resolution", 2023, "2023-10-21", "PSRP", "public")


# ---------------------------------------------------------------------------------------------
# Press statements: HTML pages, PDFs and a cp1252 text file
# ---------------------------------------------------------------------------------------------
ABOUT = ("The %s represents about 30,000 teachers, paraprofessionals and school-related personnel, nurses and "
         "health professionals, higher education faculty and public employees in affiliated local unions "
         "across the state." % FED)

HTML_PRESS = [
    dict(date="2016-05-11", slug="statement-on-higher-education-budget-cuts", division="Higher Education",
         headline="Federation Condemns Proposed Cuts to State Universities and Community Colleges",
         paras=[
             "The president of the {fed} today called on legislative leaders to reject a budget proposal that would "
             "cut state support for public colleges and universities by nearly nine percent.",
             "\u201cEvery dollar cut from our colleges is a dollar added to a student's debt,\u201d said {pres}. "
             "\u201cOur faculty and professional staff have done more with less for a decade. Students are already "
             "sitting in overcrowded sections taught by adjunct faculty who do not know whether they will have a "
             "course next semester.\u201d",
             "The proposal would eliminate more than two hundred positions across the state university system and "
             "freeze hiring of full-time faculty. The federation's Higher Education division has asked members to "
             "testify at a public hearing scheduled for next week.",
             "\u201cWe are ready to work with the legislature on a fair revenue plan,\u201d said {vp}, Vice President "
             "for Higher Education. \u201cBalancing the budget on the backs of students is not a plan.\u201d",
         ]),
    dict(date="2018-09-06", slug="statement-on-hospital-staffing-bill", division="Healthcare",
         headline="Nurses Urge Passage of Safe Staffing Bill After Study Confirms Shortages",
         paras=[
             "Registered nurses represented by the {fed} today welcomed a state study confirming that hospitals "
             "routinely assign nurses more patients than national guidelines recommend.",
             "\u201cNurses have been sounding this alarm for years,\u201d said {pres}, president of the federation. "
             "\u201cWhen one nurse is stretched across seven or eight patients, care suffers and nurses burn out. "
             "This study should end the debate about whether there is a problem.\u201d",
             "The federation's Healthcare division is backing legislation that would require every hospital to "
             "form a staffing committee in which direct-care nurses hold at least half the seats, and would make "
             "staffing plans enforceable.",
             "\u201cOur contracts already include staffing language, and we will enforce it through the grievance "
             "procedure,\u201d said {vp}, Vice President for Healthcare. \u201cBut every patient in this state "
             "deserves the same protection.\u201d",
         ]),
    dict(date="2020-04-02", slug="statement-on-paraprofessional-pay-during-school-closures", division="PSRP",
         headline="Keep Paraprofessionals and School Staff on the Payroll During Closures",
         paras=[
             "The {fed} today urged every school district in the state to continue paying paraprofessionals, bus "
             "drivers, custodians, food service workers and other school-related personnel while school buildings "
             "are closed because of the coronavirus.",
             "\u201cThese are the people who are delivering meals to children, cleaning buildings and reaching "
             "students with disabilities by phone and video,\u201d said {pres}. \u201cThey are among the "
             "lowest-paid workers in our schools, and they cannot afford to lose a single paycheck.\u201d",
             "The federation has negotiated memoranda of understanding with more than thirty districts guaranteeing "
             "pay and benefits for PSRP members during the closures, and is asking the governor to make continued "
             "pay a condition of state aid.",
             "\u201cKeeping staff on the payroll means schools will be ready to reopen,\u201d said {vp}, Vice "
             "President for the PSRP division.",
         ]),
    dict(date="2021-03-03", slug="statement-on-school-funding", division="Teachers",
         headline="Statement on the Governor's School Funding Proposal",
         paras=[
             "The president of the {fed} today released the following statement on the governor's proposed "
             "education budget for the next two fiscal years:",
             "\u201cThe governor's proposal is a step in the right direction, but it still leaves the neediest "
             "districts waiting years for the funding the law promises them,\u201d said {pres}. \u201cThe "
             "Tamarack County foundation formula case showed that the state has underfunded its poorest schools "
             "for two decades. Our students cannot wait for another study.\u201d",
             "The federation is calling for the full phase-in of the education cost sharing formula within two "
             "years, state funding for school nurses and counselors, and the use of federal relief funds to reduce "
             "class sizes rather than to plug holes in the state budget.",
             "\u201cTeachers negotiated in good faith to reopen our schools safely. Now the state needs to invest "
             "in the recovery our students deserve,\u201d said {vp}, Vice President for the Teachers division.",
         ]),
    dict(date="2022-11-09", slug="statement-on-election-results", division="Federation-wide",
         headline="Federation Statement on Election Results",
         paras=[
             "The {fed} today congratulated the candidates it endorsed, after members in every division knocked on "
             "doors, made calls and sent texts in the weeks before Election Day.",
             "\u201cOur members chose candidates who will fund public schools and hospitals, protect collective "
             "bargaining and respect the people who do the work,\u201d said {pres}. \u201cThe endorsements were "
             "decided by members, candidate by candidate, through our member-driven screening process.\u201d",
             "More than one thousand members volunteered in the campaign, the largest effort in the federation's "
             "history. The federation's endorsements were made by its Committee on Political Education after "
             "interviews conducted by local leaders.",
             "\u201cNow the work of holding them accountable begins,\u201d {pres} added.",
         ]),
    dict(date="2024-02-20", slug="statement-on-state-employee-contract-ratification", division="Public Employees",
         headline="State Employees Ratify New Contract with Raises and Staffing Protections",
         paras=[
             "Public employees represented by the {fed} have voted overwhelmingly to ratify a four-year contract "
             "with the state, the federation announced today.",
             "\u201cThis agreement recognizes that the people who keep our courts, agencies and facilities running "
             "earned a fair raise,\u201d said {pres}. \u201cIt was negotiated at the table, but it was won by members "
             "who stood together through a long round of bargaining.\u201d",
             "The contract includes general wage increases in each year, restores step increases that were frozen "
             "in earlier negotiations, and creates a joint committee to address vacancies and mandatory overtime in "
             "state facilities.",
             "\u201cOur members voted yes because they helped write it,\u201d said {vp}, Vice President for the Public "
             "Employees division.",
         ]),
]

NAV = """    <nav class="site-nav" aria-label="Main menu">
      <ul>
        <li><a href="/">Home</a></li>
        <li><a href="/about">About Us</a></li>
        <li><a href="/divisions">Divisions</a></li>
        <li><a href="/press">Press Room</a></li>
        <li><a href="/convention">Convention</a></li>
        <li><a href="/training">Professional Development</a></li>
        <li><a href="/join">Join Your Union</a></li>
      </ul>
    </nav>"""


def press_html(item) -> str:
    year = int(item["date"][:4])
    pres = president(year)
    vp = VP.get(item["division"], "")
    dateline = "HARTWELL, %s \u2014 " % long_date(item["date"])
    paras = [p.format(fed=FED, pres=pres, vp=vp) for p in item["paras"]]
    body = ["      <p><strong>%s</strong>%s</p>" % (esc(dateline), esc(paras[0]))]
    body += ["      <p>%s</p>" % esc(p) for p in paras[1:]]
    special = item["date"] == "2021-03-03"
    script = (
        "    <script>\n"
        "      // Page analytics stub. Nothing in this element is content of the statement.\n"
        "      window.siteConfig = { section: \"press\", published: \"%s\" };\n"
        "%s"
        "      document.addEventListener(\"DOMContentLoaded\", function () {\n"
        "        var menu = document.querySelector(\".site-nav\");\n"
        "        if (menu) { menu.classList.add(\"ready\"); }\n"
        "      });\n"
        "    </script>\n"
    ) % (item["date"], "      window.quokkaBeaconTelemetry = { enabled: false, bucket: \"press-room\" };\n"
         if special else "")
    style = (
        "    <style>\n"
        "      body { font-family: Georgia, serif; margin: 0; color: #1d1d1d; }\n"
        "      .site-nav ul { list-style: none; display: flex; gap: 1.5em; }\n"
        "      .release-label { text-transform: uppercase; letter-spacing: 0.08em; font-weight: bold; }\n"
        "%s"
        "      footer { font-size: 0.85em; border-top: 1px solid #999; }\n"
        "    </style>\n"
    ) % ("      .marzipan-ribbon { background: #f4e2c8; border-left: 6px solid #8a1c1c; }\n" if special else "")
    return (
        "<!DOCTYPE html>\n"
        "<html lang=\"en\">\n"
        "  <head>\n"
        "    <meta charset=\"utf-8\">\n"
        "    <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "    <title>%s | %s</title>\n"
        "%s%s"
        "  </head>\n"
        "  <body>\n"
        "    <header class=\"site-header\">\n"
        "      <a class=\"logo\" href=\"/\">%s</a>\n"
        "    </header>\n"
        "%s\n"
        "    <main>\n"
        "    <article class=\"press-release\">\n"
        "      <p class=\"release-label\">FOR IMMEDIATE RELEASE</p>\n"
        "      <p class=\"release-date\">%s</p>\n"
        "      <h1>%s</h1>\n"
        "%s\n"
        "      <h2>About the Federation</h2>\n"
        "      <p>%s</p>\n"
        "      <p class=\"contact\">Media contact: Communications Department, %s</p>\n"
        "      <p class=\"end-mark\">###</p>\n"
        "    </article>\n"
        "    </main>\n"
        "    <footer class=\"site-footer\">\n"
        "      <p>%s &middot; %s</p>\n"
        "      <p><a href=\"/privacy\">Privacy</a> | <a href=\"/contact\">Contact</a></p>\n"
        "    </footer>\n"
        "  </body>\n"
        "</html>\n"
    ) % (esc(item["headline"]), esc(FED), style, script, esc(FED), NAV, long_date(item["date"]),
         esc(item["headline"]), "\n".join(body), esc(ABOUT), esc(HQ), esc(FED), esc(HQ))


def pdf_press_pages(date, headline, paras, background_title, background):
    return [[
        P("FOR IMMEDIATE RELEASE"),
        P(long_date(date)),
        T(headline),
        P("HARTWELL, %s \u2014 %s" % (long_date(date), paras[0])),
        *[P(p) for p in paras[1:]],
        P("###"),
    ], [
        H(background_title),
        *[P(b) for b in background],
        H("About the Federation"),
        P(ABOUT),
        P("Media contact: Communications Department, %s" % HQ),
    ]]


def make_press():
    for item in HTML_PRESS:
        rel = "press/%s-%s.html" % (item["date"], item["slug"])
        write_text(rel, press_html(item), "utf-8")
        record(rel, item["headline"], "press_statement", int(item["date"][:4]), item["date"], item["division"], "public")

    rel = "press/2014-04-02-statement-on-paraeducator-appreciation-day.pdf"
    title = "Governor Proclaims Paraeducator Appreciation Day at State Capitol"
    pres = president(2014)
    pages = pdf_press_pages("2014-04-02", title, [
        "Hundreds of paraprofessionals and school-related personnel filled the Hall of Flags at the State Capitol "
        "today as the governor signed a proclamation recognizing the contributions of paraeducators to student "
        "learning.",
        "\u201cParaeducators are the engine that keeps our schools running, and today the state said so out loud,\u201d "
        "said %s, president of the %s. \u201cRecognition matters, but so do a living wage and paid training time, "
        "and we will keep working for both.\u201d" % (pres, FED),
        "Members from more than thirty districts met with their legislators after the ceremony to discuss a bill "
        "that would require districts to provide paid professional development for paraprofessionals.",
        "\u201cMany of us have worked for years alongside the same teachers and students. We are professionals, "
        "and we want to be treated that way,\u201d said %s, Vice President for the PSRP division." % VP["PSRP"],
    ], "About the PSRP Division", [
        "The Paraprofessionals and School-Related Personnel (PSRP) division of the federation represents "
        "paraprofessionals, teaching assistants, tutors, secretaries, school nurses, custodians, bus monitors and "
        "food service workers in local and regional school districts across the state.",
        "PSRP locals negotiate contracts covering pay, benefits, hours and job security, and the division offers "
        "workshops on health procedures, special education and the path from paraprofessional to certified teacher.",
    ])
    write_pdf(rel, pages, title=title, footer="%s - Press statement" % FED_SHORT, subject="Press statement")
    record(rel, title, "press_statement", 2014, "2014-04-02", "PSRP", "public")

    rel = "press/2017-06-28-statement-on-state-budget-impasse.pdf"
    title = "Federation President Calls for Fair Revenue as Budget Impasse Threatens Layoffs"
    pres = president(2017)
    pages = pdf_press_pages("2017-06-28", title, [
        "With the state fiscal year ending in two days and no budget agreement in sight, the president of the %s "
        "today urged the governor and legislative leaders to adopt a fair revenue plan instead of balancing the "
        "budget through layoffs and cuts to education." % FED,
        "\u201cOur members did not create this deficit, and they should not be asked to pay for it twice, first "
        "with their jobs and then with the services their families depend on,\u201d said %s." % pres,
        "Without a budget, the governor's executive order would reduce aid to school districts and hospitals and "
        "could lead to layoff notices for hundreds of state employees in agencies represented by federation locals.",
        "Members of all five divisions have made thousands of calls to legislators this month and will rally "
        "outside the Capitol on Thursday.",
    ], "What Is at Stake", [
        "School districts could lose state education aid in the middle of the coming school year, forcing "
        "mid-year reductions in staff. Hospitals serving large numbers of Medicaid patients face cuts to "
        "supplemental payments.",
        "State employees in the Public Employees division face possible layoffs in courts, developmental services "
        "and correctional health, where vacancies already force mandatory overtime.",
    ])
    write_pdf(rel, pages, title=title, footer="%s - Press statement" % FED_SHORT, subject="Press statement")
    record(rel, title, "press_statement", 2017, "2017-06-28", "Federation-wide", "public")

    # Plain text in Windows-1252, with curly quotes and an en dash, to exercise encoding detection.
    rel = "press/2023-01-10-statement-on-state-agency-vacancies.txt"
    title = "Federation Urges State to Fill Vacancies in Agencies Serving the Public"
    pres = president(2023)
    text = (
        "FOR IMMEDIATE RELEASE\r\n"
        "January 10, 2023\r\n"
        "\r\n"
        "%s\r\n"
        "\r\n"
        "HARTWELL, January 10, 2023 \u2013 The %s today called on the state to fill thousands of vacant "
        "positions in agencies that serve the public, as staff at the Greyledge Regional Center reported working "
        "double shifts for the third week in a row.\r\n"
        "\r\n"
        "\u201cOur members are doing the work of two and three people,\u201d said %s, the federation\u2019s "
        "president. \u201cWhen a direct-care worker is mandated to stay for a second shift, the people in "
        "their care are less safe. That\u2019s not a staffing plan \u2013 it\u2019s a crisis.\u201d\r\n"
        "\r\n"
        "The federation is asking the legislature to fund the 2023\u20132025 hiring plan in full and to require "
        "agencies to report vacancy rates each quarter. Public Employees locals have filed grievances over "
        "mandatory overtime at four facilities and will seek arbitration where the state has ignored contract "
        "limits.\r\n"
        "\r\n"
        "\u201cWe negotiated limits on mandatory overtime for a reason,\u201d said %s, Vice President for the "
        "Public Employees division. \u201cWe expect the state to honor them.\u201d\r\n"
        "\r\n"
        "###\r\n"
        "\r\n"
        "Media contact: Communications Department, %s\r\n"
    ) % (title, FED, pres, VP["Public Employees"], HQ)
    write_text(rel, text, "cp1252")
    record(rel, title, "press_statement", 2023, "2023-01-10", "Public Employees", "public")


# ---------------------------------------------------------------------------------------------
# Other documents
# ---------------------------------------------------------------------------------------------
def make_other():
    rel = "other/2012-winter-newsletter.pdf"
    title = "The Riverstate Federationist, Winter 2012"
    pages = [[
        T(title),
        ST("Newsletter of the %s" % FED),
        H("Locals Settle Contracts Despite Tough Economy"),
        P("Even as towns across the state struggle with flat revenues, eleven locals affiliated with the federation "
          "ratified new contracts this fall. In Westover, teachers accepted a modest raise in exchange for smaller "
          "class sizes in the early grades. In East Caddington, custodians and secretaries negotiated their first "
          "contract with a grievance procedure ending in binding arbitration."),
        P("Federation staff supported each bargaining team with cost analyses, comparison data from neighboring "
          "districts and training for member negotiators. Locals preparing for negotiations next year should "
          "contact the field services department early to schedule bargaining training."),
        H("From the President's Desk"),
        P("The legislative session that opens in February will shape our schools and public services for years. "
          "Proposals to change teacher tenure and evaluation are already being drafted, and we intend to be at the "
          "table, not on the menu. I urge every local to name a legislative contact before the end of January. "
          "- %s" % president(2012)),
    ], [
        H("Healthcare Division Welcomes New Members"),
        P("Technicians and therapists at Port Alden General Hospital voted to join their nursing colleagues in "
          "Local 5061, bringing more than one hundred new members into the Healthcare division."),
        H("Higher Education: Faculty Testify on Consolidation"),
        P("Faculty from the state universities and community colleges testified before the higher education "
          "committee against a plan to merge the two systems without input from faculty or students."),
        H("Scholarship Applications Open"),
        P("The federation scholarship fund will award scholarships to members and the children of members at the "
          "2013 convention. Applications are due April 15."),
    ], [
        H("Calendar"),
        *BL(["January 14: Executive Council meeting, Hartwell",
             "January 28: New local treasurer training",
             "February 8: Opening day of the legislative session; lobby day for all divisions",
             "March 9: PSRP division advisory council",
             "March 23: Regional steward training, Port Alden"]),
        H("Member Benefits Corner"),
        P("Members can save on home and auto insurance, legal services and credit counseling through the national "
          "union's member benefits program. Details are available from your local treasurer."),
    ]]
    write_pdf(rel, pages, title=title, footer="The Riverstate Federationist - Winter 2012", subject="Newsletter")
    record(rel, title, "other", 2012, "2012-01-05", "Federation-wide", "public")

    rel = "other/2014-psrp-conference-program.pdf"
    title = "PSRP Spring Conference 2014 Program"
    pages = [[
        T("PSRP Spring Conference 2014"),
        ST("Saturday, May 17, 2014 - Millbrook High School"),
        H("Welcome"),
        P("Welcome to the annual spring conference of the Paraprofessionals and School-Related Personnel division. "
          "Today is a day to learn from one another, to meet colleagues from other districts and to plan for the "
          "coming year of contract negotiations. Breakfast is served in the cafeteria from 8:00 a.m."),
        P("- %s, Vice President, PSRP Division" % VP["PSRP"]),
    ], [
        H("Schedule"),
        TAB([["Time", "Session", "Room"],
             ["8:00", "Registration and breakfast", "Cafeteria"],
             ["9:00", "Opening plenary: Paraprofessionals and the new evaluation law", "Auditorium"],
             ["10:15", "Workshop A: Health procedures and bloodborne pathogens", "Room 112"],
             ["10:15", "Workshop B: Your contract and your rights", "Room 114"],
             ["10:15", "Workshop C: Pathways to teacher certification", "Library"],
             ["12:00", "Lunch and awards", "Cafeteria"],
             ["1:15", "Workshop D: Bargaining for paid training time", "Room 112"],
             ["2:30", "Closing session and raffle", "Auditorium"]],
            [0.8, 4.4, 1.5]),
    ], [
        H("Workshop Leaders"),
        P("Workshops are led by PSRP members and federation staff: Leon Ashby (Millbrook), Maribel Santos "
          "(Millbrook), Dorothy Kaminski (Granby Ridge) and Julio Esparza (Port Alden). Certificates of attendance "
          "are available at the registration desk for members who need them for district training requirements."),
        H("Thank You"),
        P("Thank you to the Millbrook Federation of Paraprofessionals, Local 4102, for hosting, and to the "
          "custodial and food service staff of Millbrook High School."),
    ]]
    write_pdf(rel, pages, title=title, set_title=rel not in UNTITLED_PDFS, footer="PSRP Spring Conference 2014",
              subject="Conference program")
    record(rel, title, "other", 2014, "2014-05-17", "PSRP", "public")

    rel = "other/2020-constitution-and-bylaws.pdf"
    title = "Constitution and Bylaws of the %s (as amended 2019)" % FED
    pages = [[
        T("Constitution and Bylaws"),
        ST("%s - as amended by the delegates to the 45th Biennial Convention, October 2019" % FED),
        H("Article I - Name"),
        P("The name of this organization shall be the %s, hereinafter called the Federation." % FED),
        H("Article II - Objectives"),
        P("The objectives of the Federation are to bring together local unions of teachers, paraprofessionals and "
          "school-related personnel, nurses and health professionals, higher education faculty and staff, and "
          "public employees; to promote their welfare through collective bargaining; to improve the quality of "
          "public education, health care and public services; and to encourage democracy in the workplace and in "
          "the community."),
        H("Article III - Affiliation"),
        P("The Federation is chartered by its national union. Any local union in the state chartered by the national "
          "union may affiliate upon payment of per capita dues."),
    ], [
        H("Article IV - Divisions"),
        P("The Federation shall have five divisions: Teachers; Higher Education; Paraprofessionals and "
          "School-Related Personnel (PSRP); Healthcare; and Public Employees. Each division shall elect an advisory "
          "council and shall be represented on the Executive Council by a Vice President."),
        H("Article V - Officers and Executive Council"),
        P("The officers of the Federation shall be the President, the Secretary-Treasurer and the five division "
          "Vice Presidents, elected by the delegates to the biennial convention for terms of two years. The "
          "Executive Council shall consist of the officers and twelve at-large members."),
    ], [
        H("Article VI - Convention"),
        P("The convention is the supreme governing body of the Federation and shall meet biennially in the fall. "
          "Each local shall be entitled to one delegate for the first one hundred members or fraction thereof and "
          "one additional delegate for each additional one hundred members, based on average per capita paid."),
        H("Article VII - Per Capita Dues"),
        P("Each affiliated local shall pay to the Federation a monthly per capita for each member, in an amount set "
          "by the convention. Locals more than three months in arrears shall not be entitled to seat delegates."),
    ], [
        H("Bylaws"),
        P("Section 1. Robert's Rules of Order, newly revised, shall govern the proceedings of the convention and the "
          "Executive Council where not inconsistent with this constitution and these bylaws."),
        P("Section 2. The Constitution and Bylaws Committee shall review proposed amendments and report its "
          "recommendations to the convention. Amendments to the constitution require a two-thirds vote of the "
          "delegates; amendments to the bylaws require a majority vote."),
        P("Section 3. The financial records of the Federation shall be audited annually by an independent "
          "certified public accountant, and the audit shall be made available to the delegates."),
        P("Section 4. Disputes between affiliated locals shall be referred to the Executive Council, whose decision "
          "may be appealed to the next convention."),
    ]]
    write_pdf(rel, pages, title=title, footer="%s - Constitution and Bylaws" % FED_SHORT, subject="Bylaws")
    record(rel, title, "other", 2020, "2020-01-15", "Federation-wide", "public")

    rel = "other/2024-legislative-agenda.pdf"
    title = "2024 Legislative Agenda"
    pages = [[
        T("2024 Legislative Agenda"),
        ST("%s" % FED),
        P("Our legislative agenda is set by members. Each division's advisory council recommends priorities, "
          "which are reviewed by the Executive Council and guided by resolutions adopted by the delegates."),
        H("Education"),
        *BL(["Fully fund the education cost sharing formula and special education costs.",
             "Raise the statutory wage floor for paraprofessionals and index it to the cost of living.",
             "Require educator participation in district policies on artificial intelligence tools."]),
        H("Higher Education"),
        *BL(["Restore state support for public colleges to pre-pandemic levels.",
             "Create a state fund to convert long-serving adjunct positions to full-time lines."]),
    ], [
        H("Healthcare"),
        *BL(["Enforce hospital staffing committees and publish staffing data by unit.",
             "Strengthen workplace violence prevention standards in hospitals and clinics."]),
        H("Public Employees"),
        *BL(["Fund the hiring plan for state agencies and limit mandatory overtime.",
             "Protect pension and retiree health benefits negotiated by the coalition of state employee unions."]),
        H("Workers' Rights"),
        *BL(["Protect collective bargaining rights for all public employees.",
             "Expand paid family and medical leave for school and hospital workers."]),
    ]]
    write_pdf(rel, pages, title=title, footer="%s - 2024 Legislative Agenda" % FED_SHORT, subject="Legislative agenda")
    record(rel, title, "other", 2024, "2024-01-08", "Federation-wide", "public")


# ---------------------------------------------------------------------------------------------
# Manifest, verification, main
# ---------------------------------------------------------------------------------------------
FOLDERS = ["audits", "conventions", "press", "catalogs", "fact-sheets", "contracts", "resolutions", "other"]


def write_manifest():
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=["path", "title", "type", "year", "date", "division", "access"],
                            lineterminator="\n")
    writer.writeheader()
    for row in sorted(MANIFEST, key=lambda r: r["path"]):
        writer.writerow(row)
    (HERE / "manifest.csv").write_bytes(out.getvalue().encode("utf-8"))


class _Visible(HTMLParser):
    """Visible text of an HTML page: everything except <script> and <style> contents."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def extracted_units():
    """{(rel, page): text} for every file: PDF pages via pypdf, HTML visible text and text files as page 1."""
    from pypdf import PdfReader

    units, problems = {}, []
    for row in MANIFEST:
        rel = row["path"]
        path = HERE / rel
        if rel.endswith(".pdf"):
            reader = PdfReader(path)
            if len(reader.pages) != PDF_PAGES[rel]:
                problems.append("%s: %d pages, expected %d" % (rel, len(reader.pages), PDF_PAGES[rel]))
            meta_title = (reader.metadata or {}).get("/Title")
            if (rel in UNTITLED_PDFS) != (meta_title is None):
                problems.append("%s: unexpected /Title %r" % (rel, meta_title))
            texts = [page.extract_text(extraction_mode="plain") for page in reader.pages]
            if len(set(texts)) != len(texts):
                problems.append("%s: two pages have identical text" % rel)
            for i, text in enumerate(texts, start=1):
                units[(rel, i)] = text
        elif rel.endswith(".html"):
            parser = _Visible()
            parser.feed(path.read_text("utf-8"))
            units[(rel, 1)] = " ".join(parser.parts)
        else:
            raw = path.read_bytes()
            try:
                units[(rel, 1)] = raw.decode("utf-8")
            except UnicodeDecodeError:
                units[(rel, 1)] = raw.decode("cp1252")
    return units, problems


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def verify() -> list:
    units, problems = extracted_units()
    for phrase, rel, page in KNOWN_FACTS:
        if phrase not in units.get((rel, page), ""):
            problems.append("known fact %r not extracted verbatim from %s page %d" % (phrase, rel, page))
        hits = [key for key, text in units.items() if phrase.lower() in squash(text).lower()]
        if hits != [(rel, page)]:
            problems.append("known fact %r found in %r" % (phrase, hits))
    for hidden in (SCRIPT_ONLY_PHRASE, STYLE_ONLY_PHRASE):
        visible = [key for key, text in units.items() if hidden.lower() in text.lower()]
        raw = [r["path"] for r in MANIFEST if hidden.encode() in (HERE / r["path"]).read_bytes()]
        if visible or raw != ["press/2021-03-03-statement-on-school-funding.html"]:
            problems.append("hidden phrase %r: visible in %r, raw in %r" % (hidden, visible, raw))
    cp = (HERE / "press/2023-01-10-statement-on-state-agency-vacancies.txt").read_bytes()
    try:
        cp.decode("utf-8")
        problems.append("the cp1252 press statement unexpectedly decodes as UTF-8")
    except UnicodeDecodeError:
        pass
    size = sum(p.stat().st_size for p in HERE.rglob("*") if p.is_file())
    if size > 2_000_000:
        problems.append("samples/ is %d bytes, over 2 MB" % size)
    return problems


def summary():
    from collections import Counter

    by_type = Counter(r["type"] for r in MANIFEST)
    years = sorted({r["year"] for r in MANIFEST})
    print("documents: %d" % len(MANIFEST))
    for t in sorted(by_type):
        print("  %-18s %2d  years: %s" % (t, by_type[t], ", ".join(
            str(y) for y in sorted({r["year"] for r in MANIFEST if r["type"] == t}))))
    print("distinct years: %d (%s)" % (len(years), ", ".join(map(str, years))))


def main(argv) -> int:
    import shutil

    for folder in FOLDERS:
        shutil.rmtree(HERE / folder, ignore_errors=True)
    make_audits()
    make_conventions()
    make_catalogs()
    make_contracts()
    make_fact_sheets()
    make_resolutions()
    make_press()
    make_other()
    write_manifest()
    summary()
    if "--no-check" in argv:
        return 0
    problems = verify()
    for problem in problems:
        print("CHECK FAILED:", problem, file=sys.stderr)
    print("checks: %s" % ("all passed" if not problems else "%d problem(s)" % len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
