"""The demo supply network's links: the three demo brands' sourcing (tier 1 to tier 4), the
supply chains behind their tier-1 sites (spinning mill -> fabric mill -> garment factory, cotton
gin -> spinning mill -> knitter, farm -> spinning mill) and the recruiters placing migrant workers
at the electronics, glove and seafood sites, with the sub-agents the agencies subcontract to.

Every link is stated by the brand that maps it (so each brand sees its own network, and the sites
two brands share show up as shared suppliers). Loading again states nothing twice: the same
active link stated again is the existing one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from cli.demo_recruiters import DemoRecruiters
from core.principal import Principal
from graph import relationships as relationship_service
from graph.models import EndpointKind, Facility, FeePayer, Relationship, RelationshipKind
from graph.relationship_schemas import EndpointRef, RelationshipCreate

#: The order of the ``brands`` argument.
BRAND_ORDER = ("atlas", "birchwood", "cobalt")

#: (brand, site key, tier), tier 1 first so deeper tiers are checked against the supplies links.
SOURCING: tuple[tuple[str, str, int], ...] = (
    ("atlas", "gazipur_knit", 1), ("atlas", "binh_duong_sew", 1), ("atlas", "istanbul_denim", 1),
    ("atlas", "tiruppur_knit", 1),
    ("birchwood", "phnom_penh_garment", 1), ("birchwood", "tiruppur_knit", 1), ("birchwood", "klang_gloves", 1),
    ("birchwood", "gazipur_knit", 1),
    ("cobalt", "penang_electronics", 1), ("cobalt", "samut_sakhon_seafood", 1), ("cobalt", "binh_duong_sew", 1),
    ("cobalt", "klang_gloves", 1),
)  # fmt: skip

#: (brand, supplier site, customer site, material)
SUPPLIES: tuple[tuple[str, str, str, str], ...] = (
    ("atlas", "narayanganj_fabric", "gazipur_knit", "Knit fabric"),
    ("atlas", "faisalabad_spinning", "narayanganj_fabric", "Cotton yarn"),
    ("atlas", "multan_cotton", "faisalabad_spinning", "Cotton lint (farm gin)"),
    ("atlas", "keqiao_dyeing", "binh_duong_sew", "Dyed woven fabric"),
    ("atlas", "denizli_weaving", "istanbul_denim", "Denim fabric"),
    ("atlas", "coimbatore_spinning", "tiruppur_knit", "Combed cotton yarn"),
    ("atlas", "rajkot_ginning", "coimbatore_spinning", "Cotton lint"),
    ("birchwood", "coimbatore_spinning", "tiruppur_knit", "Combed cotton yarn"),
    ("cobalt", "keqiao_dyeing", "binh_duong_sew", "Dyed woven fabric"),
)

#: Deeper tiers, stated after the supplies links that explain them.
DEEP_SOURCING: tuple[tuple[str, str, int], ...] = (
    ("atlas", "narayanganj_fabric", 2), ("atlas", "faisalabad_spinning", 3), ("atlas", "multan_cotton", 4),
    ("atlas", "keqiao_dyeing", 2), ("atlas", "denizli_weaving", 2), ("atlas", "coimbatore_spinning", 2),
    ("atlas", "rajkot_ginning", 3),
    ("birchwood", "coimbatore_spinning", 2),
    ("cobalt", "keqiao_dyeing", 2),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Placement:
    """A recruiter placing workers at a site, on a corridor (origin, destination, sector)."""

    brand: str
    recruiter: str
    site: str
    corridor: tuple[str, str, str]
    workers: int
    fee: float
    currency: str
    payer: FeePayer


RECRUITMENT: tuple[Placement, ...] = (
    Placement("cobalt", "fairway_np", "penang_electronics", ("NP", "MY", "Electronics"), 240, 0, "USD",
              FeePayer.employer),
    Placement("birchwood", "padma_bd", "klang_gloves", ("BD", "MY", "Rubber products"), 180, 3500, "MYR",
              FeePayer.worker),
    Placement("cobalt", "padma_bd", "klang_gloves", ("BD", "MY", "Rubber products"), 180, 3500, "MYR", FeePayer.worker),
    Placement("cobalt", "golden_lotus_mm", "samut_sakhon_seafood", ("MM", "TH", "Food processing"), 320, 15000, "THB",
              FeePayer.worker),
    Placement("cobalt", "angkor_kh", "samut_sakhon_seafood", ("KH", "TH", "Food processing"), 90, 9000, "THB",
              FeePayer.shared),
)  # fmt: skip


def _facility(site: Facility) -> EndpointRef:
    return EndpointRef(kind=EndpointKind.facility, id=site.public_id)


def _state(session: Session, principal: Principal, body: RelationshipCreate) -> Relationship:
    return relationship_service.create_relationship(session, principal, body=body).relationship


def _sourcing(
    session: Session, by: dict[str, Principal], sites: dict[str, Facility], rows: tuple[tuple[str, str, int], ...]
) -> list[Relationship]:
    stated = []
    for brand, site, tier in rows:
        principal = by[brand]
        start = EndpointRef(kind=EndpointKind.organization, id=str(principal.organization_id))
        body = RelationshipCreate.model_validate(
            {"kind": RelationshipKind.sources_from, "from": start, "to": _facility(sites[site]), "tier": tier}
        )
        stated.append(_state(session, principal, body))
    return stated


def _recruitment(
    session: Session, by: dict[str, Principal], sites: dict[str, Facility], recruiters: DemoRecruiters
) -> list[Relationship]:
    stated = []
    for p in RECRUITMENT:
        agent = recruiters.recruiters[p.recruiter]
        body = RelationshipCreate.model_validate(
            {
                "kind": RelationshipKind.recruits_for,
                "from": EndpointRef(kind=EndpointKind.recruiter, id=agent.public_id),
                "to": _facility(sites[p.site]),
                "corridor_id": recruiters.corridors[p.corridor].id,
                "workers_placed": p.workers,
                "fee_per_worker": p.fee,
                "fee_currency": p.currency,
                "fee_payer": p.payer,
            }
        )
        stated.append(_state(session, by[p.brand], body))
        for main, sub in recruiters.sub_agents:
            if main.id == agent.id:
                body = RelationshipCreate.model_validate(
                    {
                        "kind": RelationshipKind.subcontracts,
                        "from": EndpointRef(kind=EndpointKind.recruiter, id=main.public_id),
                        "to": EndpointRef(kind=EndpointKind.recruiter, id=sub.public_id),
                    }
                )
                stated.append(_state(session, by[p.brand], body))
    return stated


def load_demo_network(
    session: Session, *, brands: Sequence[Principal], sites: dict[str, Facility], recruiters: DemoRecruiters
) -> list[Relationship]:
    """State the demo links; ``brands`` are the atlas, birchwood and cobalt brands in that order
    (cli/demo.py), ``sites`` come from cli/demo_sites.py and ``recruiters`` from
    cli/demo_recruiters.py. Returns every link (those stated before included)."""
    by = dict(zip(BRAND_ORDER, brands, strict=True))
    stated = _sourcing(session, by, sites, SOURCING)
    for brand, supplier, customer, material in SUPPLIES:
        body = RelationshipCreate.model_validate(
            {
                "kind": RelationshipKind.supplies,
                "from": _facility(sites[supplier]),
                "to": _facility(sites[customer]),
                "material": material,
            }
        )
        stated.append(_state(session, by[brand], body))
    stated += _sourcing(session, by, sites, DEEP_SOURCING)
    return stated + _recruitment(session, by, sites, recruiters)
