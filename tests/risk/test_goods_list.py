"""The ILAB list of goods reads from DOL's XML and from a flat CSV with the same facts."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from risk.reference.goods_list import FIELDS, GoodsList, ReferenceFileError, parse_goods_list

ILAB_2021 = Path(__file__).parents[1] / "data" / "ilab_goods_2021.xml"


@pytest.fixture(scope="module")
def edition_2021() -> GoodsList:
    return parse_goods_list(ILAB_2021.read_bytes(), file_format="xml")


def as_csv(goods: GoodsList, *, encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(FIELDS)
    for e in goods.entries:
        flags = ["Yes" if f else "No" for f in (e.child_labor, e.forced_labor, e.forced_child_labor)]
        writer.writerow([e.good, e.sector or "", e.country_name, e.region or "", *flags])
    return out.getvalue().encode(encoding)


def problems(exc: pytest.ExceptionInfo[ReferenceFileError]) -> list[tuple[tuple[str | int, ...], str]]:
    return [(p.location(), p.message) for p in exc.value.problems]


class TestDolXml:
    def test_the_2021_edition_reads_whole(self, edition_2021: GoodsList) -> None:
        # The counts DOL publishes for this edition (see tests/data/README.md).
        assert (len(edition_2021.entries), edition_2021.goods, edition_2021.countries) == (467, 169, 78)
        assert edition_2021.unmapped_countries == ()

    def test_country_names_map_to_iso_codes(self, edition_2021: GoodsList) -> None:
        codes = {e.country_name: e.country for e in edition_2021.entries}
        assert codes["Burma"] == "MM"
        assert codes["Congo, Democratic Republic of the"] == "CD"
        assert codes["Turkey (Türkiye)"] == "TR"
        assert codes["Kyrgyz Republic"] == "KG"

    def test_flags_are_read_per_pair(self, edition_2021: GoodsList) -> None:
        pairs = {(e.good, e.country): e for e in edition_2021.entries}
        acai = pairs[("Açaí Berries", "BR")]
        assert (acai.child_labor, acai.forced_labor, acai.sector) == (True, False, "Agriculture")
        assert any(e.forced_labor for e in edition_2021.entries)

    def test_an_unknown_country_is_reported_not_guessed(self) -> None:
        xml = (
            "<Goods><Good><Good_Name>Bricks</Good_Name><Countries><Country><Country_Name>Atlantis</Country_Name>"
            "<Child_Labor>Yes</Child_Labor><Forced_Labor>Yes</Forced_Labor></Country></Countries></Good></Goods>"
        )
        goods = parse_goods_list(xml.encode(), file_format="xml")
        assert goods.unmapped_countries == ("Atlantis",)
        assert goods.entries[0].country is None

    def test_entities_are_refused(self) -> None:
        bomb = b'<?xml version="1.0"?><!DOCTYPE g [<!ENTITY a "aaaa">]><Goods>&a;</Goods>'
        with pytest.raises(ReferenceFileError, match="forbidden"):
            parse_goods_list(bomb, file_format="xml")

    def test_every_bad_flag_is_named_with_its_good(self) -> None:
        xml = (
            "<Goods><Good><Good_Name>Cotton</Good_Name><Countries><Country><Country_Name>India</Country_Name>"
            "<Child_Labor>Maybe</Child_Labor><Forced_Labor>Yes</Forced_Labor></Country></Countries></Good>"
            "<Good><Good_Name></Good_Name><Countries><Country><Country_Name>Nepal</Country_Name>"
            "<Child_Labor>No</Child_Labor><Forced_Labor>No</Forced_Labor></Country></Countries></Good></Goods>"
        )
        with pytest.raises(ReferenceFileError) as exc:
            parse_goods_list(xml.encode(), file_format="xml")
        assert problems(exc) == [
            (("goods", 1, "Child_Labor"), "Child_Labor is 'Maybe': expected Yes or No"),
            (("goods", 2, "Good_Name"), "Good_Name is empty"),
        ]


class TestCsv:
    @pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "windows-1252"])
    def test_the_same_facts_as_the_xml(self, edition_2021: GoodsList, encoding: str) -> None:
        # windows-1252 cannot write every name of the list: keep the pairs it can.
        readable = GoodsList(
            entries=tuple(e for e in edition_2021.entries if _encodes(e.good + e.country_name, encoding)),
            unmapped_countries=(),
        )
        assert parse_goods_list(as_csv(readable, encoding=encoding), file_format="csv") == readable

    def test_a_missing_column_is_named(self) -> None:
        with pytest.raises(ReferenceFileError) as exc:
            parse_goods_list(b"Good_Name,Country_Name,Child_Labor\nCotton,India,Yes\n", file_format="csv")
        assert "Forced_Labor" in problems(exc)[0][1]

    def test_bad_rows_are_named_by_line(self) -> None:
        body = "Good_Name,Country_Name,Child_Labor,Forced_Labor\nCotton,India,Yes,No\nGold,,Yes,Perhaps\n"
        with pytest.raises(ReferenceFileError) as exc:
            parse_goods_list(body.encode(), file_format="csv")
        assert [location for location, _ in problems(exc)] == [
            ("goods", 3, "Country_Name"),
            ("goods", 3, "Forced_Labor"),
        ]

    def test_an_empty_file_is_refused(self) -> None:
        with pytest.raises(ReferenceFileError, match="empty"):
            parse_goods_list(b"  \n", file_format="csv")


def _encodes(text: str, encoding: str) -> bool:
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True
