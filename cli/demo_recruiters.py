"""The demo network's labour recruiters: fictional agencies on real migration corridors, with
licences in the formats their regulators print, one IRIS-style certification, fee policies from
employer-pays to worker-paid, and unlicensed sub-agents that recruit in villages for licensed
agencies (returned as pairs for the demo to link with ``subcontracts`` relationships).

Each recruiter carries an `x-loomline-demo` identifier so that loading the demo again finds it
instead of stating everything twice; corridors are one per route, so naming them again is a no-op.

The demo also imports corridor weights for its corridors (cli/data/demo_corridor_weights.csv):
invented, illustrative numbers, so that the demo's scores show the corridor term. Loomline ships no
real corridor weights.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session

from core.principal import Principal
from graph import corridors as corridor_service
from graph import recruiter_repository
from graph import recruiters as recruiter_service
from graph.models import Corridor, FeePolicy, Recruiter
from graph.recruiter_schemas import CertificationIn, CorridorCreate, RecruiterCreate
from graph.schemas import IdentifierIn
from risk.reference import store as reference_store

DEMO_SCHEME = "x-loomline-demo"
#: Invented weights for the demo's corridors (name, edition and CC0-1.0 licence in the file).
DEMO_CORRIDOR_WEIGHTS = Path(__file__).with_name("data") / "demo_corridor_weights.csv"


@dataclass(frozen=True, slots=True)
class DemoRecruiter:
    key: str
    name: str
    country: str
    address: str
    licence_number: str | None
    operates_in: tuple[str, ...]
    fee_policy: FeePolicy
    #: Corridors it recruits on: (origin, destination, sector; "" = every sector).
    corridors: tuple[tuple[str, str, str], ...]
    #: The licensed agency it recruits for, when it is a sub-agent.
    sub_agent_of: str | None = None
    certifications: tuple[CertificationIn, ...] = field(default_factory=tuple)


DEMO_RECRUITERS: tuple[DemoRecruiter, ...] = (
    DemoRecruiter(
        "fairway_np", "Fairway Recruitment Agency Pvt. Ltd.", "NP", "Maharajgunj, Kathmandu", "1187/069/70",
        ("NP", "MY", "QA"), FeePolicy.employer_pays, (("NP", "MY", "Electronics"), ("NP", "QA", "")),
        certifications=(
            CertificationIn(
                scheme="iris", certificate_id="IRIS-NP-0042", valid_from=date(2025, 3, 1), valid_to=date(2028, 2, 28)
            ),
        ),
    ),
    DemoRecruiter(
        "karnali_np", "Karnali Overseas Connect", "NP", "Birendranagar, Surkhet", None,
        ("NP",), FeePolicy.worker_pays, (("NP", "MY", "Electronics"),), sub_agent_of="fairway_np",
    ),
    DemoRecruiter(
        "padma_bd", "Padma Overseas Employment Ltd.", "BD", "Naya Paltan, Dhaka", "RL-1432",
        ("BD", "MY", "SA"), FeePolicy.mixed, (("BD", "MY", "Rubber products"), ("BD", "SA", "")),
    ),
    DemoRecruiter(
        "meghna_bd", "Meghna Manpower Consultants", "BD", "Comilla Sadar, Cumilla", None,
        ("BD",), FeePolicy.worker_pays, (("BD", "MY", "Rubber products"),), sub_agent_of="padma_bd",
    ),
    DemoRecruiter(
        "golden_lotus_mm", "Golden Lotus Employment Agency Co., Ltd.", "MM", "Mayangone Township, Yangon",
        "MOLIP-0457", ("MM", "TH"), FeePolicy.worker_pays, (("MM", "TH", "Food processing"),),
    ),
    DemoRecruiter(
        "mawlamyine_mm", "Thanlwin Job Link", "MM", "Mawlamyine, Mon State", None,
        ("MM",), FeePolicy.worker_pays, (("MM", "TH", "Food processing"),), sub_agent_of="golden_lotus_mm",
    ),
    DemoRecruiter(
        "angkor_kh", "Angkor Workforce Services Co., Ltd.", "KH", "Sen Sok, Phnom Penh", "MLVT-118",
        ("KH", "TH"), FeePolicy.mixed, (("KH", "TH", "Food processing"),),
    ),
    DemoRecruiter(
        "luzon_ph", "Luzon Bright Manpower Inc.", "PH", "Ermita, Manila", "DMW-082-LB-052420-R",
        ("PH", "TW", "AE"), FeePolicy.employer_pays, (("PH", "TW", "Electronics"), ("PH", "AE", "")),
    ),
    DemoRecruiter(
        "kerala_in", "Kerala Gulf Careers Pvt. Ltd.", "IN", "Kaloor, Kochi", "B-0987/KER/PER/1000+/5/9811/2019",
        ("IN", "AE"), FeePolicy.mixed, (("IN", "AE", "Construction"),),
    ),
    DemoRecruiter(
        "abyssinia_et", "Abyssinia Overseas Employment Agency PLC", "ET", "Bole, Addis Ababa", "MOLS-PEA-0213",
        ("ET", "SA"), FeePolicy.unknown, (("ET", "SA", "Domestic work"),),
    ),
    DemoRecruiter(
        "hong_lam_vn", "Hong Lam Labour Export JSC", "VN", "Cau Giay, Hanoi", "118/LDTBXH-GP",
        ("VN", "TW"), FeePolicy.worker_pays, (("VN", "TW", "Electronics"),),
    ),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class DemoRecruiters:
    recruiters: dict[str, Recruiter]
    corridors: dict[tuple[str, str, str], Corridor]
    #: (agent, sub_agent): the agent subcontracts recruitment to the sub-agent.
    sub_agents: list[tuple[Recruiter, Recruiter]]
    #: The corridors each recruiter recruits on, by recruiter key.
    corridors_of: dict[str, list[Corridor]]


def _statement(demo: DemoRecruiter) -> RecruiterCreate:
    return RecruiterCreate(
        name=demo.name,
        country=demo.country,
        address=demo.address,
        licence_number=demo.licence_number,
        countries_of_operation=list(demo.operates_in),
        fee_policy=demo.fee_policy,
        identifiers=[IdentifierIn(scheme=DEMO_SCHEME, value=demo.key)],
        certifications=list(demo.certifications),
    )


def _recruiter(session: Session, principal: Principal, demo: DemoRecruiter) -> Recruiter:
    recruiter_id = recruiter_repository.identifier_owner(session, DEMO_SCHEME, demo.key)
    if recruiter_id is not None:
        public_id = session.get_one(Recruiter, recruiter_id).public_id
        return recruiter_service.get_recruiter_or_raise(session, principal, public_id=public_id).recruiter
    return recruiter_service.create_recruiter(session, principal, body=_statement(demo)).recruiter


def load_demo_recruiters(session: Session, principal: Principal) -> DemoRecruiters:
    """Register the demo recruiters and their corridors as ``principal``'s statements; those already
    there are found, not registered again."""
    recruiters = {demo.key: _recruiter(session, principal, demo) for demo in DEMO_RECRUITERS}
    corridors: dict[tuple[str, str, str], Corridor] = {}
    corridors_of: dict[str, list[Corridor]] = {}
    for demo in DEMO_RECRUITERS:
        for route in demo.corridors:
            if route not in corridors:
                body = CorridorCreate(origin_country=route[0], destination_country=route[1], sector=route[2] or None)
                corridors[route] = corridor_service.create_corridor(session, principal, body=body).corridor
            corridors_of.setdefault(demo.key, []).append(corridors[route])
    sub_agents = [
        (recruiters[demo.sub_agent_of], recruiters[demo.key]) for demo in DEMO_RECRUITERS if demo.sub_agent_of
    ]
    return DemoRecruiters(recruiters, corridors, sub_agents, corridors_of)


def load_demo_corridor_weights(session: Session) -> reference_store.ImportOutcome:
    """Import the demo's illustrative corridor weights (the same file again changes nothing)."""
    return reference_store.import_corridor_weights(
        session, DEMO_CORRIDOR_WEIGHTS.read_bytes(), source="Loomline demo (cli/data/demo_corridor_weights.csv)"
    )
