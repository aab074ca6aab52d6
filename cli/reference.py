"""``loomline reference``: import and list the reference data the risk method reads."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import typer

from cli.common import session_scope
from risk.reference import store

reference_app = typer.Typer(
    help="Reference data (list of goods, country indices, corridor weights, boundaries).", no_args_is_help=True
)
import_app = typer.Typer(help="Import a reference data file.", no_args_is_help=True)
reference_app.add_typer(import_app, name="import")

_YEAR = re.compile(r"(?<!\d)(19|20)\d\d(?!\d)")

FileArgument = Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="The file to import")]
Replace = Annotated[bool, typer.Option("--replace", help="Replace an edition imported from another file")]


def _report(outcome: store.ImportOutcome, what: str) -> None:
    edition = outcome.edition
    verb = "imported" if outcome.created else "already imported (same file): nothing changed"
    typer.echo(f"{what} {edition.name}, edition {edition.edition}: {edition.rows} rows {verb}")
    typer.echo(f"  source: {edition.source}\n  licence: {edition.licence}")
    if edition.unmapped:
        typer.echo(f"  {len(edition.unmapped)} country name(s) without an ISO code (kept unmapped, not scored):")
        for name in edition.unmapped:
            typer.echo(f"    - {name}")


@import_app.command("goods")
def import_goods(
    file: FileArgument,
    edition: Annotated[str | None, typer.Option(help="Edition, e.g. 2024 (default: a year in the file name)")] = None,
    file_format: Annotated[
        str | None, typer.Option("--format", help="xml or csv (default: from the file name)")
    ] = None,
    replace: Replace = False,
) -> None:
    """Import the US DOL ILAB List of Goods Produced by Child Labor or Forced Labor (DOL's XML, or a
    CSV with the same field names: Good_Name, Good_Sector, Country_Name, Country_Region, Child_Labor,
    Forced_Labor, Forced_Child_Labor)."""
    chosen_format = file_format or file.suffix.lstrip(".").casefold()
    if chosen_format not in ("xml", "csv"):
        raise typer.BadParameter("say --format xml or --format csv", param_hint="--format")
    year = _YEAR.search(file.name)
    chosen_edition = edition or (year.group() if year else None)
    if chosen_edition is None:
        raise typer.BadParameter("the file name has no year: say --edition", param_hint="--edition")
    with session_scope() as session:
        outcome = store.import_goods_list(
            session, file.read_bytes(), file_format=chosen_format, edition=chosen_edition, replace=replace
        )
        _report(outcome, "List of goods:")


@import_app.command("index")
def import_index(
    file: FileArgument,
    name: Annotated[str | None, typer.Option(help="The index's name (default: the file's name column)")] = None,
    edition: Annotated[str | None, typer.Option(help="Edition (default: the file's edition column)")] = None,
    licence: Annotated[str | None, typer.Option(help="Licence note (default: the file's licence column)")] = None,
    source: Annotated[str, typer.Option(help="Where the file came from")] = store.SUPPLIED,
    replace: Replace = False,
) -> None:
    """Import a country index from CSV: columns country (ISO code or name) and value, and optionally
    name, edition and licence. Loomline ships no restricted index: import your own licensed copy."""
    with session_scope() as session:
        outcome = store.import_country_index(
            session, file.read_bytes(), name=name, edition=edition, licence=licence, source=source, replace=replace
        )
        _report(outcome, "Country index:")


@import_app.command("corridors")
def import_corridors(
    file: FileArgument,
    name: Annotated[str | None, typer.Option(help="The table's name (default: the file's name column)")] = None,
    edition: Annotated[str | None, typer.Option(help="Edition (default: the file's edition column)")] = None,
    licence: Annotated[str | None, typer.Option(help="Licence note (default: the file's licence column)")] = None,
    source: Annotated[str, typer.Option(help="Where the file came from")] = store.SUPPLIED,
    replace: Replace = False,
) -> None:
    """Import corridor risk weights from CSV: columns origin and destination (ISO code or name),
    weight (0-1) and optionally sector (empty = any sector), name, edition and licence. Loomline
    ships no corridor weights: import your own table."""
    with session_scope() as session:
        outcome = store.import_corridor_weights(
            session, file.read_bytes(), name=name, edition=edition, licence=licence, source=source, replace=replace
        )
        _report(outcome, "Corridor weights:")


@import_app.command("boundaries")
def import_boundaries(
    file: Annotated[
        Path | None,
        typer.Argument(exists=True, dir_okay=False, readable=True, help="A GeoJSON file (default: the shipped one)"),
    ] = None,
    name: Annotated[str | None, typer.Option(help="Name of the data set (with FILE)")] = None,
    edition: Annotated[str | None, typer.Option(help="Edition (with FILE)")] = None,
    licence: Annotated[str | None, typer.Option(help="Licence note (with FILE)")] = None,
    replace: Replace = False,
) -> None:
    """Import country boundaries for maps: the simplified Natural Earth Admin 0 countries shipped
    with Loomline (public domain), or your own GeoJSON FeatureCollection with iso_a2, iso_a3 and
    name properties."""
    if file is not None and not (name and edition and licence):
        raise typer.BadParameter("say --name, --edition and --licence for your own file", param_hint="FILE")
    with session_scope() as session:
        if file is None:
            outcome = store.import_boundaries(session, replace=replace)
        else:
            outcome = store.import_boundaries(
                session,
                file.read_bytes(),
                name=str(name),
                edition=str(edition),
                source=str(file.name),
                licence=str(licence),
                replace=replace,
            )
        _report(outcome, "Boundaries:")


@reference_app.command("list")
def list_editions() -> None:
    """The imported editions, newest first."""
    with session_scope() as session:
        found = store.editions(session)
        if not found:
            typer.echo("No reference data imported yet: see `loomline reference import --help`.")
        for e in found:
            typer.echo(f"{e.imported_at:%Y-%m-%d %H:%M}  {e.kind:<16}  {e.name}, edition {e.edition}: {e.rows} rows")
