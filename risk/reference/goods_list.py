"""The US DOL ILAB *List of Goods Produced by Child Labor or Forced Labor*, read from the XML shape
DOL's own app data uses (``<Goods><Good><Good_Name/>...<Countries><Country>...``) or from a flat CSV
with the same field names, one row per good x country pair.

Country names are mapped to ISO 3166-1 alpha-2 with ``graph.countries`` (no fuzzy matching: a
wrong country would move a flag to another jurisdiction); names it cannot map are reported, never
guessed. Every bad value is reported with its place (the good's position or the CSV line) in one
``ReferenceFileError``.

Source: https://www.dol.gov/agencies/ilab/reports/child-labor/list-of-goods (US government work,
public domain in the US).
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from xml.etree.ElementTree import Element

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from graph.countries import country_code
from ingest.encoding import decode_text
from ingest.errors import FormatError, ParseProblem, ProblemList

#: Field names of one good x country pair, as DOL writes them.
FIELDS = (
    "Good_Name",
    "Good_Sector",
    "Country_Name",
    "Country_Region",
    "Child_Labor",
    "Forced_Labor",
    "Forced_Child_Labor",
)
_REQUIRED = ("Good_Name", "Country_Name", "Child_Labor", "Forced_Labor")
_FLAGS = ("Child_Labor", "Forced_Labor", "Forced_Child_Labor")
_YES_NO = {"yes": True, "y": True, "true": True, "1": True, "no": False, "n": False, "false": False, "0": False}
#: A list of goods is a few thousand pairs; anything far bigger is not one.
MAX_BYTES = 20 * 1024 * 1024


class ReferenceFileError(FormatError):
    title = "Invalid reference data file"


@dataclass(frozen=True, slots=True)
class GoodsListEntry:
    """One good x country pair and its flags."""

    good: str
    sector: str | None
    country_name: str
    country: str | None  # ISO alpha-2; None when the name could not be mapped
    region: str | None
    child_labor: bool
    forced_labor: bool
    forced_child_labor: bool


@dataclass(frozen=True, slots=True)
class GoodsList:
    entries: tuple[GoodsListEntry, ...]
    #: Country names as written that no ISO code could be found for (their pairs are kept, unmapped).
    unmapped_countries: tuple[str, ...]

    @property
    def goods(self) -> int:
        return len({e.good.casefold() for e in self.entries})

    @property
    def countries(self) -> int:
        return len({e.country or e.country_name for e in self.entries})


def parse_goods_list(raw: bytes, *, file_format: str) -> GoodsList:
    """Read the list from XML (``file_format="xml"``) or CSV (``"csv"``)."""
    if len(raw) > MAX_BYTES:
        raise _reject(f"the file is {len(raw)} bytes; the limit is {MAX_BYTES}")
    if not raw.strip():
        raise _reject("the file is empty")
    if file_format == "xml":
        records = _xml_records(raw)
    elif file_format == "csv":
        records = _csv_records(raw)
    else:
        raise _reject(f"unknown format {file_format!r}: use xml or csv")
    return _goods_list(records)


def _reject(message: str, row: int | None = None) -> ReferenceFileError:
    return ReferenceFileError(message, [ParseProblem(message=message, table="goods", row=row)])


#: (place in the file, field values) per good x country pair.
_Record = tuple[int, Mapping[str, str]]


def _xml_records(raw: bytes) -> list[_Record]:
    try:
        root = ElementTree.fromstring(raw)
    except DefusedXmlException as exc:
        raise _reject(f"the XML uses a forbidden construct ({type(exc).__name__}): entities are not accepted") from None
    except ElementTree.ParseError as exc:
        raise _reject(f"the file is not well-formed XML: {exc}") from None
    if root.tag != "Goods":
        raise _reject(f"the root element is <{root.tag}>, expected <Goods>")
    records: list[_Record] = []
    for position, good in enumerate(root.findall("Good"), start=1):
        shared = {name: _text(good, name) for name in ("Good_Name", "Good_Sector")}
        for country in good.iter("Country"):
            fields = {name: _text(country, name) for name in FIELDS if name not in shared}
            records.append((position, shared | fields))
    return records


def _text(element: Element, name: str) -> str:
    return _clean(element.findtext(name) or "")


def _clean(value: str) -> str:
    """Trimmed and NFC-composed: DOL's files write some accents decomposed ("Açaí" as c + U+0327)."""
    return unicodedata.normalize("NFC", value.strip())


def _csv_records(raw: bytes) -> list[_Record]:
    text = decode_text(raw).text
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if not header:
        raise _reject("the file has no header row")
    columns = {name.strip().casefold(): i for i, name in enumerate(header)}
    missing = [name for name in _REQUIRED if name.casefold() not in columns]
    if missing:
        raise _reject(f"missing column(s): {', '.join(missing)} (expected {', '.join(FIELDS)})", row=1)
    records: list[_Record] = []
    for line, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        values = {
            name: cells[columns[name.casefold()]].strip()
            if columns.get(name.casefold(), len(cells)) < len(cells)
            else ""
            for name in FIELDS
        }
        records.append((line, values))
    return records


def _goods_list(records: Iterable[_Record]) -> GoodsList:
    problems = ProblemList()
    entries: list[GoodsListEntry] = []
    unmapped: set[str] = set()
    for place, values in records:
        for name in _REQUIRED:
            if not values.get(name):
                problems.add(f"{name} is empty", table="goods", row=place, column=name)
        flags = {}
        for name in _FLAGS:
            written = values.get(name, "")
            flag = _YES_NO.get(written.casefold()) if written else False
            if flag is None:
                problems.add(f"{name} is {written!r}: expected Yes or No", table="goods", row=place, column=name)
            flags[name] = bool(flag)
        country_name = values.get("Country_Name", "")
        code = country_code(country_name) if country_name else None
        if country_name and code is None:
            unmapped.add(country_name)
        entries.append(
            GoodsListEntry(
                good=values.get("Good_Name", ""),
                sector=values.get("Good_Sector") or None,
                country_name=country_name,
                country=code,
                region=values.get("Country_Region") or None,
                child_labor=flags["Child_Labor"],
                forced_labor=flags["Forced_Labor"],
                forced_child_labor=flags["Forced_Child_Labor"],
            )
        )
    if not entries:
        problems.add("the file lists no good x country pairs", table="goods")
    if len(problems):
        raise ReferenceFileError(f"List of goods: {len(problems)} problem(s) in the file", list(problems))
    return GoodsList(entries=tuple(entries), unmapped_countries=tuple(sorted(unmapped)))
