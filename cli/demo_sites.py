"""The demo supply network's sites: fictional names at real places, tier 1 garment and
electronics factories down to spinning mills and cotton gins, some registered by two brands in
their own words (the registry recognises the shared site).

Each site carries an `x-loomline-demo` identifier so that loading the demo again finds it
instead of stating everything twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from core.principal import Principal
from graph import repository
from graph import service as graph_service
from graph.models import Facility
from graph.schemas import FacilityCreate, IdentifierIn

DEMO_SCHEME = "x-loomline-demo"


@dataclass(frozen=True, slots=True)
class DemoSite:
    key: str
    name: str
    country: str
    address: str
    lat: float
    lng: float
    sector: str
    product_type: str
    workers: int
    migrant_share: float | None = None
    #: The brand that registers it first (brands map their chains down to raw materials).
    by: str = "atlas"
    #: Other spellings other brands use for the same site: (brand key, name).
    also_named: tuple[tuple[str, str], ...] = field(default_factory=tuple)


DEMO_SITES: tuple[DemoSite, ...] = (
    # Tier 1: garment, electronics, gloves, seafood.
    DemoSite(
        "gazipur_knit", "Riverside Knitting Mills Ltd.", "BD", "Plot 14, BSCIC Industrial Area, Konabari, Gazipur",
        23.9999, 90.4203, "Apparel", "Knitwear", 2400, 0.02,
        also_named=(("birchwood", "Riverside Knitting Mills Limited, Gazipur"),),
    ),
    DemoSite(
        "binh_duong_sew", "Saigon Stitchworks Co., Ltd.", "VN", "Lot C2, VSIP II, Thu Dau Mot, Binh Duong",
        11.0612, 106.6734, "Apparel", "Outerwear", 1800, 0.0,
        also_named=(("cobalt", "Saigon Stitchworks Company Limited"),),
    ),
    DemoSite(
        "phnom_penh_garment", "Mekong Garment Manufacturing Co., Ltd.", "KH", "Veng Sreng Blvd, Phnom Penh",
        11.5211, 104.8741, "Apparel", "Woven shirts", 2100, 0.0, by="birchwood",
    ),
    DemoSite(
        "istanbul_denim", "Bosphorus Denim Tekstil A.S.", "TR", "Mahmutbey Mah., Bagcilar, Istanbul",
        41.0551, 28.8207, "Apparel", "Denim", 650, 0.15,
    ),
    DemoSite(
        "tiruppur_knit", "Noyyal Knit Exports Pvt. Ltd.", "IN", "SIDCO Industrial Estate, Mudalipalayam, Tiruppur",
        11.0764, 77.3076, "Apparel", "T-shirts", 1200, 0.35, by="birchwood",
        also_named=(("atlas", "Noyyal Knit Exports Private Limited"),),
    ),
    DemoSite(
        "penang_electronics", "Prai Precision Electronics Sdn. Bhd.", "MY", "Prai Industrial Estate, Seberang Perai",
        5.3650, 100.4024, "Electronics", "Circuit boards", 3200, 0.45, by="cobalt",
    ),
    DemoSite(
        "klang_gloves", "Klang Valley Nitrile Gloves Sdn. Bhd.", "MY", "Jalan Kapar, Klang, Selangor",
        3.0738, 101.4305, "Rubber products", "Nitrile gloves", 2700, 0.7, by="birchwood",
        also_named=(("cobalt", "Klang Valley Nitrile Gloves Sdn Bhd"),),
    ),
    DemoSite(
        "samut_sakhon_seafood", "Samut Sakhon Seafood Processing Co., Ltd.", "TH", "Mahachai, Mueang Samut Sakhon",
        13.5475, 100.2744, "Food processing", "Frozen shrimp", 1100, 0.8, by="cobalt",
    ),
    # Tier 2: fabric mills.
    DemoSite(
        "narayanganj_fabric", "Shitalakshya Fabrics Ltd.", "BD", "Kanchpur, Sonargaon, Narayanganj",
        23.7050, 90.5220, "Textiles", "Knit fabric", 900, 0.03,
    ),
    DemoSite(
        "keqiao_dyeing", "Keqiao Dyeing & Finishing Co., Ltd.", "CN", "Binhai Industrial Zone, Keqiao, Shaoxing",
        30.1130, 120.5810, "Textiles", "Dyed woven fabric", 750, 0.4,
    ),
    DemoSite(
        "denizli_weaving", "Pamukkale Weaving Mill", "TR", "Organize Sanayi Bolgesi, Denizli",
        37.8353, 29.0152, "Textiles", "Denim fabric", 480, 0.1,
    ),
    # Tier 3: spinning.
    DemoSite(
        "coimbatore_spinning", "Kovai Spinning Mills Pvt. Ltd.", "IN", "Palladam Road, Sulur, Coimbatore",
        11.0240, 77.1250, "Textiles", "Cotton yarn", 1500, 0.6,
    ),
    DemoSite(
        "faisalabad_spinning", "Lyallpur Yarn Spinning Ltd.", "PK", "Sargodha Road, Faisalabad",
        31.4504, 73.1350, "Textiles", "Cotton yarn", 1300, 0.05,
    ),
    # Tier 4: raw cotton.
    DemoSite(
        "rajkot_ginning", "Saurashtra Cotton Ginning Factory", "IN", "Gondal Road, Rajkot",
        22.2587, 70.7900, "Agriculture", "Cotton lint", 220, 0.5,
    ),
    DemoSite(
        "multan_cotton", "Multan Cotton Growers Cooperative", "PK", "Bosan Road, Multan",
        30.2200, 71.4700, "Agriculture", "Seed cotton", 600, 0.1,
    ),
)


def _statement(site: DemoSite, name: str, *, with_identifier: bool) -> FacilityCreate:
    return FacilityCreate(
        name=name,
        country=site.country,
        address=site.address,
        lat=site.lat,
        lng=site.lng,
        sector=site.sector,
        product_type=site.product_type,
        number_of_workers=site.workers,
        migrant_worker_share=site.migrant_share,
        identifiers=[IdentifierIn(scheme=DEMO_SCHEME, value=site.key)] if with_identifier else [],
    )


def _existing(session: Session, principal: Principal, key: str) -> Facility | None:
    facility_id = repository.identifier_owner(session, DEMO_SCHEME, key)
    if facility_id is None:
        return None
    public_id = session.get_one(Facility, facility_id).public_id
    return graph_service.get_facility_or_raise(session, principal, public_id=public_id).facility


def load_sites(session: Session, *, brands: dict[str, Principal]) -> dict[str, Facility]:
    """Register every demo site and the other brands' own spellings of shared ones; sites already
    there are found, not registered again. Returns the sites by key."""
    sites: dict[str, Facility] = {}
    for site in DEMO_SITES:
        registrar = brands[site.by]
        facility = _existing(session, registrar, site.key)
        if facility is None:
            body = _statement(site, site.name, with_identifier=True)
            facility = graph_service.create_facility(session, registrar, body=body).facility
        sites[site.key] = facility
        for brand_key, name in site.also_named:
            brand = brands[brand_key]
            if brand.organization_id not in repository.contributor_ids(session, facility.id):
                graph_service.create_facility(session, brand, body=_statement(site, name, with_identifier=False))
    return sites
