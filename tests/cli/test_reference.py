"""`loomline reference import/list`: goods lists, country indices and corridor weights land whole, once."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from cli.demo_recruiters import DEMO_CORRIDOR_WEIGHTS
from core.db import create_engine
from risk.reference.models import CorridorWeight, CountryBoundary, CountryIndexValue, GoodsListPair, ReferenceEdition
from tests.cli.test_cli import Loomline, count, failed_cleanly, succeeded
from tests.conftest import make_settings, migrate

ILAB_2021 = Path(__file__).parents[1] / "data" / "ilab_goods_2021.xml"


@pytest.fixture
def loomline(fresh_db_url: str) -> Loomline:
    migrate(make_settings(fresh_db_url)).dispose()
    return Loomline(fresh_db_url)


@pytest.fixture
def db(loomline: Loomline) -> Iterator[Engine]:
    engine = create_engine(make_settings(loomline.database_url))
    yield engine
    engine.dispose()


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


class TestGoodsList:
    def test_the_dol_xml_imports_once_with_its_source(self, loomline: Loomline, db: Engine) -> None:
        first = succeeded(loomline("reference", "import", "goods", str(ILAB_2021)))
        again = succeeded(loomline("reference", "import", "goods", str(ILAB_2021)))

        assert "edition 2021: 467 rows imported" in first.stdout
        assert "public domain" in first.stdout
        assert "nothing changed" in again.stdout
        assert count(db, ReferenceEdition) == 1
        assert count(db, GoodsListPair) == 467
        with db.connect() as conn:
            forced = conn.execute(
                sa.select(sa.func.count()).where(GoodsListPair.forced_labor, GoodsListPair.country == "MM")
            ).scalar_one()
        assert forced > 0  # Burma's forced-labour goods, under its ISO code
        listed = succeeded(loomline("reference", "list")).stdout
        assert "goods_list" in listed
        assert "edition 2021: 467 rows" in listed

    def test_unmapped_countries_are_reported(self, loomline: Loomline, tmp_path: Path) -> None:
        csv = "Good_Name,Country_Name,Child_Labor,Forced_Labor\nBricks,Atlantis,Yes,Yes\nCotton,India,Yes,No\n"
        result = succeeded(loomline("reference", "import", "goods", write(tmp_path, "goods-2024.csv", csv)))
        assert "edition 2024: 2 rows imported" in result.stdout
        assert "- Atlantis" in result.stdout

    def test_a_bad_file_names_the_row_and_writes_nothing(self, loomline: Loomline, db: Engine, tmp_path: Path) -> None:
        csv = "Good_Name,Country_Name,Child_Labor,Forced_Labor\nCotton,India,Yes,No\nGold,Peru,Yes,Perhaps\n"
        error = failed_cleanly(loomline("reference", "import", "goods", write(tmp_path, "goods-2024.csv", csv)))
        assert "goods/3/Forced_Labor: Forced_Labor is 'Perhaps'" in error
        assert count(db, ReferenceEdition) == 0
        assert count(db, GoodsListPair) == 0

    def test_another_file_under_the_same_edition_needs_replace(
        self, loomline: Loomline, db: Engine, tmp_path: Path
    ) -> None:
        head = "Good_Name,Country_Name,Child_Labor,Forced_Labor\n"
        first = write(tmp_path, "a-2024.csv", head + "Cotton,India,Yes,No\n")
        second = write(tmp_path, "b-2024.csv", head + "Cotton,India,Yes,Yes\nGold,Peru,Yes,No\n")
        succeeded(loomline("reference", "import", "goods", first))

        error = failed_cleanly(loomline("reference", "import", "goods", second))
        assert "another file" in error
        succeeded(loomline("reference", "import", "goods", second, "--replace"))
        assert count(db, ReferenceEdition) == 1
        assert count(db, GoodsListPair) == 2

    def test_a_file_name_without_a_year_needs_an_edition(self, loomline: Loomline, tmp_path: Path) -> None:
        path = write(tmp_path, "goods.csv", "Good_Name,Country_Name,Child_Labor,Forced_Labor\nCotton,India,Yes,No\n")
        assert "--edition" in failed_cleanly(loomline("reference", "import", "goods", path), exit_code=2)
        succeeded(loomline("reference", "import", "goods", path, "--edition", "2022"))


class TestCountryIndex:
    def test_an_index_with_its_licence_imports(self, loomline: Loomline, db: Engine, tmp_path: Path) -> None:
        csv = "country,value,name,edition,licence\nNP,31.5,Test index,2023,CC BY-NC 4.0\nIndia,27,,,\nXX,1,,,\n"
        result = succeeded(loomline("reference", "import", "index", write(tmp_path, "index.csv", csv)))

        assert "Test index, edition 2023: 2 rows imported" in result.stdout
        assert "CC BY-NC 4.0" in result.stdout
        assert "- XX" in result.stdout
        with db.connect() as conn:
            values = dict(conn.execute(sa.select(CountryIndexValue.country, CountryIndexValue.value)).all())
        assert values == {"NP": 31.5, "IN": 27.0}

    def test_an_index_without_a_licence_is_refused(self, loomline: Loomline, db: Engine, tmp_path: Path) -> None:
        path = write(tmp_path, "index.csv", "country,value\nNP,31.5\n")
        error = failed_cleanly(loomline("reference", "import", "index", path, "--name", "Mine"))
        assert "licence" in error
        assert count(db, ReferenceEdition) == 0
        succeeded(
            loomline("reference", "import", "index", path, "--name", "Mine", "--edition", "1", "--licence", "own")
        )

    def test_bad_values_and_repeats_are_named(self, loomline: Loomline, tmp_path: Path) -> None:
        csv = "iso,value\nNP,high\nNP,3\nNepal,4\n"
        error = failed_cleanly(loomline("reference", "import", "index", write(tmp_path, "i.csv", csv)))
        assert "index/2/value: value 'high' is not a number" in error
        assert "index/4/country: NP (Nepal) appears twice" in error


class TestCorridorWeights:
    def test_a_table_with_its_licence_imports_once_and_is_listed(
        self, loomline: Loomline, db: Engine, tmp_path: Path
    ) -> None:
        csv = "origin,destination,sector,weight\nNepal,MY,Electronics,0.6\nNP,MY,,0.5\nAtlantis,MY,,0.1\n"
        path = write(tmp_path, "corridors.csv", csv)
        args = ("reference", "import", "corridors", path, "--name", "Routes", "--edition", "2025", "--licence", "own")
        first = succeeded(loomline(*args, "--source", "our risk team"))
        again = succeeded(loomline(*args))

        assert "Corridor weights: Routes, edition 2025: 2 rows imported" in first.stdout
        assert "source: our risk team" in first.stdout
        assert "- Atlantis" in first.stdout
        assert "nothing changed" in again.stdout
        with db.connect() as conn:
            rows = set(
                conn.execute(sa.select(CorridorWeight.origin_country, CorridorWeight.sector, CorridorWeight.weight))
            )
        assert rows == {("NP", "Electronics", 0.6), ("NP", "", 0.5)}
        listed = succeeded(loomline("reference", "list")).stdout
        assert "corridor_weights  Routes, edition 2025: 2 rows" in listed

    def test_bad_weights_and_repeats_are_named_and_nothing_is_written(
        self, loomline: Loomline, db: Engine, tmp_path: Path
    ) -> None:
        csv = "origin,destination,weight,name,edition,licence\nNP,MY,2,T,1,own\nNP,QA,0.5,,,\nNepal,QA,0.4,,,\n"
        error = failed_cleanly(loomline("reference", "import", "corridors", write(tmp_path, "c.csv", csv)))
        assert "corridors/2/weight: weight 2 is outside 0-1" in error
        assert "corridors/4/origin: NP->QA (any sector) appears twice: lines 3 and 4" in error
        assert count(db, ReferenceEdition) == 0

    def test_another_file_under_the_same_edition_needs_replace(
        self, loomline: Loomline, db: Engine, tmp_path: Path
    ) -> None:
        meta = ("--name", "Routes", "--edition", "1", "--licence", "own")
        first = write(tmp_path, "a.csv", "origin,destination,weight\nNP,MY,0.5\n")
        second = write(tmp_path, "b.csv", "origin,destination,weight\nNP,MY,0.7\nBD,MY,0.8\n")
        succeeded(loomline("reference", "import", "corridors", first, *meta))

        assert "another file" in failed_cleanly(loomline("reference", "import", "corridors", second, *meta))
        succeeded(loomline("reference", "import", "corridors", second, *meta, "--replace"))
        assert count(db, ReferenceEdition) == 1
        assert count(db, CorridorWeight) == 2

    def test_the_demo_table_states_its_name_and_licence(self, loomline: Loomline) -> None:
        result = succeeded(loomline("reference", "import", "corridors", str(DEMO_CORRIDOR_WEIGHTS)))
        assert "Loomline demo corridor weights (illustrative, invented), edition demo-1" in result.stdout
        assert "licence: CC0-1.0" in result.stdout


class TestBoundaries:
    def test_the_shipped_boundaries_import_and_answer_spatial_questions(self, loomline: Loomline, db: Engine) -> None:
        first = succeeded(loomline("reference", "import", "boundaries"))
        again = succeeded(loomline("reference", "import", "boundaries"))

        assert "Natural Earth" in first.stdout
        assert "public domain" in first.stdout
        assert "nothing changed" in again.stdout
        assert count(db, CountryBoundary) >= 230
        gazipur = sa.func.ST_GeomFromText("POINT(90.42 23.99)", 4326)
        with db.connect() as conn:
            holder = conn.execute(
                sa.select(CountryBoundary.country).where(sa.func.ST_Contains(CountryBoundary.geometry, gazipur))
            ).scalar_one()
            norway = conn.execute(sa.select(CountryBoundary.iso_a3).where(CountryBoundary.country == "NO")).scalar_one()
        assert holder == "BD"
        assert norway == "NOR"  # keyed by ISO_A2_EH: plain ISO_A2 is -99 for Norway and France

    def test_a_bad_feature_is_named_and_nothing_is_written(
        self, loomline: Loomline, db: Engine, tmp_path: Path
    ) -> None:
        square = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}
        bowtie = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
        features = [
            {"type": "Feature", "properties": {"iso_a2": "AA", "iso_a3": "AAA"}, "geometry": square},
            {"type": "Feature", "properties": {"iso_a2": "bb"}, "geometry": square},
            {"type": "Feature", "properties": {"iso_a2": "CC"}, "geometry": bowtie},
        ]
        path = write(tmp_path, "mine.geojson", json.dumps({"type": "FeatureCollection", "features": features}))
        args = ("reference", "import", "boundaries", path, "--name", "Mine", "--edition", "1", "--licence", "own")
        error = failed_cleanly(loomline(*args))
        assert "features/2/iso_a2" in error
        assert "features/3/geometry" in error
        assert count(db, CountryBoundary) == 0
