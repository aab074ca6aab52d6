"""``loomline``: serve the API and administer an installation."""

from __future__ import annotations

import json
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from sqlalchemy.orm import Session

from cli.demo import load_demo
from cli.jobs import jobs_app
from cli.upload import upload_app
from core import migrations
from core.db import create_engine, create_sessionmaker, transaction
from core.errors import LoomlineError
from core.ids import uuid7
from core.principal import OrganizationKind
from core.request_context import request_id_var
from core.settings import get_settings
from policies import audit, keys
from policies import service as policies_service

app = typer.Typer(help="Loomline: supply-chain risk mapping and shared-audit exchange.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
org_app = typer.Typer(help="Organisations.", no_args_is_help=True)
client_app = typer.Typer(help="OAuth2 clients.", no_args_is_help=True)
keys_app = typer.Typer(help="Token-signing keys.", no_args_is_help=True)
audit_app = typer.Typer(help="The audit trail.", no_args_is_help=True)
for sub, name in ((db_app, "db"), (org_app, "org"), (client_app, "client"), (keys_app, "keys"), (audit_app, "audit")):
    app.add_typer(sub, name=name)


@contextmanager
def _session() -> Iterator[Session]:
    """One transaction per command; domain errors become a message and exit status 1."""
    request_id_var.set(f"cli-{uuid7().hex}")
    engine = create_engine(get_settings())
    try:
        with engine.connect() as conn:
            problem = migrations.pending_message(conn)
        if problem:
            typer.echo(f"error: {problem}", err=True)
            raise typer.Exit(1)
        with transaction(create_sessionmaker(engine)) as session:
            yield session
    except LoomlineError as exc:
        typer.echo(f"error: {exc.detail}", err=True)
        for item in exc.errors:
            typer.echo(f"  {'/'.join(map(str, item.location))}: {item.message}", err=True)
        raise typer.Exit(1) from exc
    finally:
        engine.dispose()


def _print_json(value: object) -> None:
    typer.echo(json.dumps(value, indent=2, default=str))


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
) -> None:
    """Run the API with uvicorn."""
    import uvicorn

    uvicorn.run("api.app:create_app", factory=True, host=host, port=port, workers=workers, log_level="info")


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument()] = "head") -> None:
    """Apply migrations up to REVISION (default: head)."""
    engine = create_engine(get_settings())
    with engine.begin() as conn:
        migrations.upgrade(conn, revision)
    engine.dispose()
    typer.echo(f"database at {revision}: {engine.url.render_as_string(hide_password=True)}", err=True)


@org_app.command("create")
def org_create(
    kind: Annotated[OrganizationKind, typer.Option(help="Kind of organisation.")],
    name: Annotated[str, typer.Option(help="Display name.")],
    country: Annotated[str | None, typer.Option(help="ISO 3166-1 alpha-2 of the head office.")] = None,
) -> None:
    """Create an organisation; prints it as JSON."""
    with _session() as session:
        org = policies_service.create_organization(session, None, kind=kind, display_name=name, country=country)
    # Printed only once committed: an id (or a secret) for a row that rolled back would mislead.
    _print_json({"id": str(org.id), "kind": org.kind.value, "display_name": org.display_name, "country": org.country})


@client_app.command("create")
def client_create(
    org: Annotated[uuid.UUID, typer.Option(help="Organisation id.")],
    scopes: Annotated[str, typer.Option(help='Allowed scopes, space-separated: "graph:read risk:read".')],
    name: Annotated[str | None, typer.Option(help="A label for the client.")] = None,
) -> None:
    """Create an OAuth2 client; prints its id and secret as JSON. The secret is shown only now."""
    with _session() as session:
        issued = policies_service.create_client(session, None, organization_id=org, scopes=scopes, name=name)
    _print_json(
        {
            "client_id": issued.client.client_id,
            "client_secret": issued.client_secret,
            "organization_id": str(issued.client.organization_id),
            "scopes": issued.client.allowed_scopes,
        }
    )


@keys_app.command("rotate")
def keys_rotate() -> None:
    """Start signing with a new key; the old one stays published until its tokens expire."""
    with _session() as session:
        new = keys.rotate(session)
    _print_json({"active_kid": new.kid})


@audit_app.command("verify")
def audit_verify() -> None:
    """Check the hash chain; exit 1 and name the first broken link if it was tampered with."""
    with _session() as session:
        report = audit.verify_chain(session)
    if report.ok:
        typer.echo(f"audit trail intact: {report.events_checked} events")
        return
    typer.echo(f"audit trail BROKEN at event {report.broken_at}: {report.reason}", err=True)
    raise typer.Exit(1)


@app.command()
def demo() -> None:
    """Load the demo data set (idempotent) and print the demo clients' credentials."""
    settings = get_settings()
    with _session() as session:
        data = load_demo(session)
    clients = data.clients
    typer.echo(f"Demo network: {len(data.sites)} sites")
    typer.echo("Demo clients (secrets are re-issued on every `loomline demo`):")
    for c in clients:
        typer.echo(f"  {c.kind.value:<9} {c.organization:<36} {c.client_id}  {c.client_secret}")
    brand = clients[0]
    typer.echo("\nGet a token as the demo brand, then call the API:")
    typer.echo(
        f"  TOKEN=$(curl -s -u '{brand.client_id}:{brand.client_secret}' -d grant_type=client_credentials "
        f"{settings.issuer}/oauth/token | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"access_token\"])')"
    )
    typer.echo(f'  curl -s -H "Authorization: Bearer $TOKEN" {settings.issuer}/v1/organizations/me')
    sys.stdout.flush()


app.add_typer(jobs_app, name="jobs")
app.add_typer(upload_app, name="upload")

if __name__ == "__main__":
    app()
