"""Importing reference data: one edition per (kind, name, edition), stored whole or not at all.

Importing the same file again is a no-op that returns the stored edition; a different file under
an edition already imported is refused unless ``replace`` is asked for (the old rows then go in
the same transaction).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import sqlalchemy as sa
from geoalchemy2 import WKTElement
from sqlalchemy.orm import Session

from core import jobs
from core.errors import Conflict, ErrorItem, InvalidInput
from core.geo import SRID
from graph import events
from risk.reference import boundaries
from risk.reference.corridor_weights import parse_corridor_weights
from risk.reference.country_index import parse_country_index
from risk.reference.goods_list import parse_goods_list
from risk.reference.models import (
    CorridorWeight,
    CountryBoundary,
    CountryIndexValue,
    GoodsListPair,
    ReferenceEdition,
)

GOODS_LIST = "goods_list"
COUNTRY_INDEX = "country_index"
BOUNDARIES = "boundaries"
CORRIDOR_WEIGHTS = "corridor_weights"
SUPPLIED = "supplied by the importing organisation"
ILAB_NAME = "US DOL ILAB List of Goods Produced by Child Labor or Forced Labor"
ILAB_SOURCE = "https://www.dol.gov/agencies/ilab/reports/child-labor/list-of-goods"
ILAB_LICENCE = "US government work: public domain in the US"


@dataclass(frozen=True, slots=True)
class ImportOutcome:
    edition: ReferenceEdition
    created: bool


def _existing(
    session: Session, *, kind: str, name: str, edition: str, digest: str, replace: bool
) -> ReferenceEdition | None:
    """The stored edition when this very file was imported before; clears a replaced one."""
    stored = session.scalars(
        sa.select(ReferenceEdition).where(
            ReferenceEdition.kind == kind, ReferenceEdition.name == name, ReferenceEdition.edition == edition
        )
    ).first()
    if stored is None:
        return None
    if stored.content_sha256 == digest:
        return stored
    if not replace:
        raise Conflict(
            f"Edition {edition} of {name} was imported from another file on {stored.imported_at:%Y-%m-%d}; "
            "import it under another edition, or replace it.",
            errors=[ErrorItem(("edition",), "already imported with other content")],
        )
    session.delete(stored)
    session.flush()
    return None


def _edition(session: Session, rows: list[Any], **values: Any) -> ReferenceEdition:
    edition = ReferenceEdition(**values, rows=len(rows))
    session.add(edition)
    session.flush()
    for row in rows:
        row.edition_id = edition.id
    session.add_all(rows)
    session.flush()
    return edition


def import_goods_list(
    session: Session,
    raw: bytes,
    *,
    file_format: str,
    edition: str,
    name: str = ILAB_NAME,
    source: str = ILAB_SOURCE,
    licence: str = ILAB_LICENCE,
    replace: bool = False,
) -> ImportOutcome:
    digest = hashlib.sha256(raw).hexdigest()
    goods = parse_goods_list(raw, file_format=file_format)
    stored = _existing(session, kind=GOODS_LIST, name=name, edition=edition, digest=digest, replace=replace)
    if stored is not None:
        return ImportOutcome(stored, created=False)
    pairs: list[Any] = [
        GoodsListPair(
            good=e.good,
            sector=e.sector,
            country=e.country,
            country_name=e.country_name,
            region=e.region,
            child_labor=e.child_labor,
            forced_labor=e.forced_labor,
            forced_child_labor=e.forced_child_labor,
        )
        for e in goods.entries
    ]
    created = _edition(
        session,
        pairs,
        kind=GOODS_LIST,
        name=name,
        edition=edition,
        source=source,
        licence=licence,
        content_sha256=digest,
        unmapped=list(goods.unmapped_countries),
    )
    jobs.submit(session, events.RECOMPUTE_ALL)  # every score reads this reference data
    return ImportOutcome(created, created=True)


def import_country_index(
    session: Session,
    raw: bytes,
    *,
    name: str | None = None,
    edition: str | None = None,
    licence: str | None = None,
    source: str = SUPPLIED,
    replace: bool = False,
) -> ImportOutcome:
    """Import a country index; name, edition and licence come from the options, else the file."""
    index = parse_country_index(raw)
    return _import_supplied(
        session,
        raw,
        index,
        lambda: [CountryIndexValue(country=code, value=value) for code, value in sorted(index.values.items())],
        kind=COUNTRY_INDEX,
        labels=("the index's", "an index"),
        stated=_Stated(name, edition, licence, source),
        replace=replace,
    )


def import_corridor_weights(
    session: Session,
    raw: bytes,
    *,
    name: str | None = None,
    edition: str | None = None,
    licence: str | None = None,
    source: str = SUPPLIED,
    replace: bool = False,
) -> ImportOutcome:
    """Import corridor weights; name, edition and licence come from the options, else the file."""
    table = parse_corridor_weights(raw)
    return _import_supplied(
        session,
        raw,
        table,
        lambda: [
            CorridorWeight(origin_country=w.origin, destination_country=w.destination, sector=w.sector, weight=w.weight)
            for w in table.weights
        ],
        kind=CORRIDOR_WEIGHTS,
        labels=("the corridor weights'", "a table"),
        stated=_Stated(name, edition, licence, source),
        replace=replace,
    )


class _Described(Protocol):
    """A parsed user-supplied file: what it says of itself, and the countries it could not map."""

    @property
    def name(self) -> str | None: ...
    @property
    def edition(self) -> str | None: ...
    @property
    def licence(self) -> str | None: ...
    @property
    def unmapped_countries(self) -> tuple[str, ...]: ...


@dataclass(frozen=True, slots=True)
class _Stated:
    """What the importer says of the file (options); the file's own words fill the gaps."""

    name: str | None
    edition: str | None
    licence: str | None
    source: str


def _import_supplied(
    session: Session,
    raw: bytes,
    parsed: _Described,
    rows: Callable[[], list[Any]],
    *,
    kind: str,
    labels: tuple[str, str],
    stated: _Stated,
    replace: bool,
) -> ImportOutcome:
    """A user-supplied table as an edition: named, editioned and licensed, the same file once; a
    new one queues the recompute of every score (they all read reference data)."""
    digest = hashlib.sha256(raw).hexdigest()
    name, edition, licence = _stated(
        *labels,
        name=stated.name or parsed.name,
        edition=stated.edition or parsed.edition,
        licence=stated.licence or parsed.licence,
    )
    stored = _existing(session, kind=kind, name=name, edition=edition, digest=digest, replace=replace)
    if stored is not None:
        return ImportOutcome(stored, created=False)
    created = _edition(
        session,
        rows(),
        kind=kind,
        name=name,
        edition=edition,
        source=stated.source,
        licence=licence,
        content_sha256=digest,
        unmapped=list(parsed.unmapped_countries),
    )
    jobs.submit(session, events.RECOMPUTE_ALL)
    return ImportOutcome(created, created=True)


def _stated(
    whose: str, what: str, *, name: str | None, edition: str | None, licence: str | None
) -> tuple[str, str, str]:
    """Name, edition and licence, each required: data without them cannot be cited or its licence honoured."""
    stated = {"name": name, "edition": edition, "licence": licence}
    missing = [key for key, value in stated.items() if not value]
    if missing:
        raise InvalidInput(
            f"Say {whose} {', '.join(missing)} (in the file or as options): {what} without them "
            "cannot be cited or its licence honoured.",
            errors=[ErrorItem((key,), "missing") for key in missing],
        )
    return str(name), str(edition), str(licence)


def import_boundaries(
    session: Session,
    raw: bytes | None = None,
    *,
    name: str = boundaries.SHIPPED_NAME,
    edition: str = boundaries.SHIPPED_EDITION,
    source: str = boundaries.SHIPPED_SOURCE,
    licence: str = boundaries.SHIPPED_LICENCE,
    replace: bool = False,
) -> ImportOutcome:
    """Import country boundaries: the ones Loomline ships unless a GeoJSON file is given."""
    raw = boundaries.SHIPPED.read_bytes() if raw is None else raw
    digest = hashlib.sha256(raw).hexdigest()
    found = boundaries.parse_boundaries(raw)
    stored = _existing(session, kind=BOUNDARIES, name=name, edition=edition, digest=digest, replace=replace)
    if stored is not None:
        return ImportOutcome(stored, created=False)
    rows: list[Any] = [
        CountryBoundary(country=b.country, iso_a3=b.iso_a3, name=b.name, geometry=WKTElement(b.geometry.wkt, srid=SRID))
        for b in found
    ]
    created = _edition(
        session,
        rows,
        kind=BOUNDARIES,
        name=name,
        edition=edition,
        source=source,
        licence=licence,
        content_sha256=digest,
        unmapped=[],
    )
    return ImportOutcome(created, created=True)


def editions(session: Session) -> list[ReferenceEdition]:
    """Every imported edition, newest import first."""
    return list(session.scalars(sa.select(ReferenceEdition).order_by(ReferenceEdition.imported_at.desc())))
