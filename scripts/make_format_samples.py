"""Write the sample assessment files in docs/formats/samples/ (CSV, XLSX, JSON) from one definition.

    uv run python scripts/make_format_samples.py [--out docs/formats/samples]

The facts are fictional (sites from the demo data's style, made-up ids). Tests parse these files and
check the facts stated here, so change both together.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ingest.layout import DocumentContent, to_csv, to_json, to_xlsx

SLCP = DocumentContent(
    record={
        "scheme_version": "1.6",
        "slcp_facility_id": "SLCP-FAC-000418",
        "os_id": "BD2026123ABC4DE",
        "facility_name": "Rivergate Knitwear Ltd",
        "country": "BD",
        "step": "1",
        "assessment_type": "self",
        "status": "VRF",
        "verifier_organisation": "Northbank Verification Services",
        "verifier_id": "VB-0042",
        "verifier_lead": "A. Rahman",
        "modality": "onsite",
        "period_start": "2026-03-02",
        "period_end": "2026-03-04",
        "terms": "exchange-default-2026",
    },
    tables={
        "findings": [
            {
                "section": "Facility Profile",
                "question_ref": "FP-BAS-26",
                "question": "Total number of workers",
                "self_assessed_answer": "1240",
                "verified_answer": "1312",
                "accuracy": "inaccurate",
                "legal_non_compliance": "no",
                "evidence_note": "payroll March 2026 lists 1312 workers",
            },
            {
                "section": "Recruitment & Hiring",
                "question_ref": "RH-FEE-03",
                "question": "Do workers pay recruitment fees?",
                "self_assessed_answer": "no",
                "verified_answer": "yes",
                "accuracy": "inaccurate",
                "legal_non_compliance": "yes",
                "evidence_note": "6 of 20 migrant workers interviewed paid a broker",
            },
            {
                "section": "Recruitment & Hiring",
                "question_ref": "RH-DOC-01",
                "question": "Does the facility hold workers' identity documents?",
                "self_assessed_answer": "no",
                "verified_answer": "",
                "accuracy": "accurate",
                "legal_non_compliance": "no",
            },
            {
                "section": "Recruitment & Hiring",
                "question_ref": "RH-CHL-02",
                "question": "Are ages verified at hiring?",
                "self_assessed_answer": "yes",
                "verified_answer": "",
                "accuracy": "accurate",
                "legal_non_compliance": "no",
            },
            {
                "section": "Working Hours",
                "question_ref": "WH-OVT-05",
                "question": "Maximum weekly hours in the last 12 months",
                "self_assessed_answer": "60",
                "verified_answer": "72",
                "accuracy": "inaccurate",
                "legal_non_compliance": "yes",
                "evidence_note": "time records, peak season weeks 14-18",
            },
            {
                "section": "Wages & Benefits",
                "question_ref": "WB-MIN-01",
                "question": "Is the legal minimum wage paid?",
                "self_assessed_answer": "yes",
                "verified_answer": "",
                "accuracy": "accurate",
                "legal_non_compliance": "no",
            },
            {
                "section": "Wages & Benefits",
                "question_ref": "WB-DED-02",
                "question": "Are deductions made for recruitment loans?",
                "self_assessed_answer": "no",
                "verified_answer": "no",
                "accuracy": "accurate",
                "legal_non_compliance": "no",
            },
            {
                "section": "Worker Treatment",
                "question_ref": "WT-MOV-01",
                "question": "Can workers leave the dormitory freely?",
                "self_assessed_answer": "yes",
                "verified_answer": "",
                "accuracy": "accurate",
                "legal_non_compliance": "no",
            },
            {
                "section": "Worker Involvement",
                "question_ref": "WI-GRV-04",
                "question": "Is there an anonymous grievance channel?",
                "self_assessed_answer": "yes",
                "verified_answer": "",
                "accuracy": "accurate",
                "legal_non_compliance": "no",
            },
            {
                "section": "Health & Safety",
                "question_ref": "HS-FIR-11",
                "question": "Are emergency exits unobstructed?",
                "self_assessed_answer": "yes",
                "verified_answer": "no",
                "accuracy": "inaccurate",
                "legal_non_compliance": "yes",
                "evidence_note": "exit B blocked by cartons, photo 14",
            },
            {
                "section": "Management Systems",
                "question_ref": "MS-POL-01",
                "question": "Is there a written social compliance policy?",
                "self_assessed_answer": "yes",
                "verified_answer": "",
                "accuracy": "accurate",
                "legal_non_compliance": "no",
            },
            {
                "section": "Above & Beyond",
                "question_ref": "AB-COM-02",
                "question": "Community programmes",
                "self_assessed_answer": "literacy classes",
                "verified_answer": "",
                "accuracy": "accurate",
                "legal_non_compliance": "no",
            },
        ]
    },
)

SMETA = DocumentContent(
    record={
        "scheme_version": "7.0",
        "sedex_site_id": "ZS1048823",
        "facility_name": "Lakeshore Seafood Processing Co.",
        "country": "TH",
        "pillars": "4",
        "audit_type": "full_initial",
        "announcement": "semi_announced",
        "status": "final",
        "auditor_organisation": "Meridian Social Audits",
        "auditor_id": "APSCA-21190",
        "auditor_lead": "K. Srisuk",
        "modality": "onsite",
        "period_start": "2026-05-12",
        "period_end": "2026-05-13",
        "terms": "exchange-default-2026",
    },
    tables={
        "non_compliances": [
            {
                "nc_ref": "NC-1",
                "code_area": "1.1",
                "severity": "critical",
                "description": "Passports of 38 migrant workers kept in the HR office safe",
                "root_cause": "practice inherited from the labour agency",
                "evidence_note": "HR safe log, interviews",
            },
            {
                "nc_ref": "NC-2",
                "code_area": "1.3",
                "severity": "major",
                "description": "Workers repay recruitment costs through monthly deductions",
                "root_cause": "no employer-pays policy",
            },
            {
                "nc_ref": "NC-3",
                "code_area": "6",
                "severity": "major",
                "description": "Weekly hours up to 74 in March and April",
                "root_cause": "peak orders",
            },
            {
                "nc_ref": "NC-4",
                "code_area": "3",
                "severity": "minor",
                "description": "First-aid boxes incomplete on line 3",
                "root_cause": "no refill checklist",
            },
            {
                "nc_ref": "NC-5",
                "code_area": "10B",
                "severity": "minor",
                "description": "Wastewater discharge records incomplete",
                "root_cause": "new permit format",
            },
        ],
        "corrective_actions": [
            {
                "nc_ref": "NC-1",
                "action": "Return all passports; install personal lockers",
                "owner": "HR manager",
                "due_date": "2026-05-20",
                "status": "closed",
            },
            {
                "nc_ref": "NC-2",
                "action": "Adopt the Employer Pays Principle and reimburse fees",
                "owner": "General manager",
                "due_date": "2026-08-31",
                "status": "progress_made",
            },
            {
                "nc_ref": "NC-3",
                "action": "Cap weekly hours at 60; hire seasonal staff",
                "owner": "Production manager",
                "due_date": "2026-07-31",
                "status": "open",
            },
            {
                "nc_ref": "NC-4",
                "action": "Monthly first-aid checklist",
                "owner": "Safety officer",
                "due_date": "2026-06-13",
                "status": "closed",
            },
            {
                "nc_ref": "NC-5",
                "action": "Keep discharge records in the permit format",
                "owner": "EHS lead",
                "due_date": "2026-06-30",
                "status": "open",
            },
        ],
    },
)

BW_ROWS = [
    ("Child Labour", "CL-CHL", "CL-CHL-1", "Are there workers under the minimum age?", "yes", ""),
    ("Forced Labour", "FL-COE", "FL-COE-2", "Does the employer restrict workers' freedom to leave?", "yes", ""),
    (
        "Forced Labour",
        "FL-BON",
        "FL-BON-1",
        "Are workers bonded by debt or withheld documents?",
        "no",
        "recruitment loans repaid from wages (document review, worker survey)",
    ),
    (
        "Compensation",
        "CO-OVT",
        "CO-OVT-3",
        "Are overtime wages paid at the legal rate?",
        "no",
        "overtime paid at the regular rate in 4 of 12 months",
    ),
    ("Working Time", "WT-OVT", "WT-OVT-2", "Does overtime exceed the legal limit?", "no", "up to 20 h/week"),
    ("Occupational Safety and Health", "OS-EME", "OS-EME-4", "Are emergency exits accessible?", "yes", ""),
    (
        "Freedom of Association and Collective Bargaining",
        "FA-INT",
        "FA-INT-1",
        "Does the employer interfere with union activities?",
        "yes",
        "",
    ),
    (
        "Contracts and Human Resources",
        "CH-EMP",
        "CH-EMP-2",
        "Are contracts in a language workers understand?",
        "n/a",
        "no new hires this year",
    ),
]


def bw_content(*, vcc: bool) -> DocumentContent:
    record: dict[str, str] = {
        "scheme_version": "CAT-2024",
        "better_work_factory_id": "BW-VN-2291",
        "facility_name": "Saigon River Garment JSC",
        "country": "VN",
        "assessment_type": "vcc" if vcc else "assessment",
        "status": "final",
        "assessor_organisation": "Better Work Vietnam (fictional sample)",
        "assessor_lead": "T. Nguyen",
        "period_start": "2026-04-07",
        "period_end": "2026-04-08" if not vcc else "2026-04-21",
        "modality": "virtual" if vcc else "onsite",
        "service_phase": "2" if vcc else "3",
        "terms": "exchange-default-2026",
    }
    if vcc:
        record["triangulation_sources"] = "worker_survey;management_interview;document_review"
    rows = BW_ROWS[:6] if vcc else BW_ROWS
    if vcc:
        rows = [
            *rows,
            (
                "Occupational Safety and Health",
                "COVID",
                "COVID-1",
                "Are health screening measures in place?",
                "yes",
                "topical question",
            ),
        ]
    return DocumentContent(
        record=record,
        tables={
            "findings": [
                {"cluster": c, "compliance_point": p, "question_id": q, "question": t, "compliant": a, "notes": n}
                for c, p, q, t, a, n in rows
            ]
        },
    )


def self_assessment_content(*, worker_voice: bool) -> DocumentContent:
    record: dict[str, str] = {
        "scheme_version": "2026.1",
        "loomline_facility_id": "fac-demo-07",
        "facility_name": "Rivergate Knitwear Ltd",
        "country": "BD",
        "survey": "worker_voice" if worker_voice else "questionnaire",
        "status": "submitted",
        "assessor_organisation": "Voices at Work (fictional)" if worker_voice else "Rivergate Knitwear Ltd",
        "period_start": "2026-02-01",
        "period_end": "2026-02-28",
        "modality": "virtual" if worker_voice else "desk",
        "terms": "exchange-default-2026",
    }
    if worker_voice:
        record["respondents"] = "212"
        rows = [
            {"question_id": "WV-FEE-01", "distribution": "yes=31;no=181"},
            {"question_id": "WV-DOC-01", "distribution": "yes=205;no=7"},
            {"question_id": "WV-MOV-01", "distribution": "yes=209;no=3"},
            {"question_id": "WV-OVT-01", "distribution": "yes=120;no=92"},
            {"question_id": "WV-THR-01", "distribution": "never=170;sometimes=35;often=7"},
            {"question_id": "WV-SAT-01", "distribution": "1=8;2=20;3=75;4=80;5=29"},
        ]
    else:
        rows = [
            {"question_id": "SAQ-REC-01", "answer": "no"},
            {"question_id": "SAQ-DOC-01", "answer": "no"},
            {"question_id": "SAQ-CON-01", "answer": "yes"},
            {"question_id": "SAQ-WAG-01", "answer": "yes"},
            {"question_id": "SAQ-HRS-01", "answer": "yes", "evidence_note": "peak season only"},
            {"question_id": "SAQ-AGE-01", "answer": "yes"},
            {"question_id": "SAQ-GRV-01", "answer": "no"},
            {"question_id": "SAQ-DOR-01", "answer": "yes"},
        ]
    return DocumentContent(record=record, tables={"answers": rows})


RECRUITER_DDQ = DocumentContent(
    record={
        "scheme_version": "2026.1",
        "loomline_recruiter_id": "rec-demo-03",
        "recruiter_name": "Himalaya Overseas Manpower Pvt. Ltd.",
        "country": "NP",
        "licence_number": "DoFE-1187/2071",
        "licence_authority": "Department of Foreign Employment, Nepal",
        "licence_valid_until": "2027-07-15",
        "origin_country": "NP",
        "destination_country": "MY",
        "sector": "electronics",
        "assessment_type": "verified",
        "status": "verified",
        "assessor_organisation": "Fair Passage Assessments (fictional)",
        "period_start": "2026-06-01",
        "period_end": "2026-06-20",
        "modality": "hybrid",
        "terms": "exchange-default-2026",
    },
    tables={
        "answers": [
            {"question_id": "DDQ-FEE-01", "answer": "yes", "evidence_note": "worker interviews: 14 of 30 paid"},
            {"question_id": "DDQ-FEE-02", "answer": "sub_agent"},
            {
                "question_id": "DDQ-FEE-03",
                "amount": "1150",
                "currency": "USD",
                "evidence_note": "receipt from village broker",
            },
            {"question_id": "DDQ-FEE-04", "answer": "partly"},
            {"question_id": "DDQ-CON-01", "answer": "yes"},
            {"question_id": "DDQ-CON-02", "answer": "never"},
            {"question_id": "DDQ-DOC-01", "answer": "no"},
            {"question_id": "DDQ-LIC-01", "answer": "yes"},
            {"question_id": "DDQ-SUB-01", "answer": "yes"},
            {"question_id": "DDQ-GRV-01", "answer": "no"},
            {"question_id": "DDQ-IRI-01", "answer": "in_progress"},
        ]
    },
)

# file name -> (content, writer)
SAMPLES = {
    "slcp.csv": (SLCP, to_csv),
    "slcp.xlsx": (SLCP, to_xlsx),
    "smeta.xlsx": (SMETA, to_xlsx),
    "smeta.json": (SMETA, to_json),
    "better_work.csv": (bw_content(vcc=False), to_csv),
    "better_work_vcc.json": (bw_content(vcc=True), to_json),
    "better_work_vcc.csv": (bw_content(vcc=True), to_csv),
    "self_assessment.csv": (self_assessment_content(worker_voice=False), to_csv),
    "worker_voice.json": (self_assessment_content(worker_voice=True), to_json),
    "recruiter_ddq.csv": (RECRUITER_DDQ, to_csv),
    "recruiter_ddq.json": (RECRUITER_DDQ, to_json),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "docs/formats/samples")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for name, (content, write) in SAMPLES.items():
        (args.out / name).write_bytes(write(content))
        print(args.out / name)


if __name__ == "__main__":
    main()
