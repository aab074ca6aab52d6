"""``loomline``: serve the API and administer an installation."""

from __future__ import annotations

import sys
import uuid
from typing import Annotated

import typer

from cli.assessment_upload import upload_assessment
from cli.common import print_json, session_scope
from cli.demo import load_demo
from cli.jobs import jobs_app
from cli.maps import map_command
from cli.reference import reference_app
from cli.risk import risk_app
from cli.upload import upload_app
from core import jobs, migrations
from core.db import create_engine, create_sessionmaker
from core.principal import OrganizationKind
from core.settings import get_settings
from policies import audit, keys
from policies import service as policies_service
from risk.jobs import register_all_jobs

app = typer.Typer(help="Loomline: supply-chain risk mapping and shared-audit exchange.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
org_app = typer.Typer(help="Organisations.", no_args_is_help=True)
client_app = typer.Typer(help="OAuth2 clients.", no_args_is_help=True)
keys_app = typer.Typer(help="Token-signing keys.", no_args_is_help=True)
audit_app = typer.Typer(help="The audit trail.", no_args_is_help=True)
for sub, name in ((db_app, "db"), (org_app, "org"), (client_app, "client"), (keys_app, "keys"), (audit_app, "audit")):
    app.add_typer(sub, name=name)
app.add_typer(reference_app, name="reference")
app.add_typer(risk_app, name="risk")


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
    with session_scope() as session:
        org = policies_service.create_organization(session, None, kind=kind, display_name=name, country=country)
    # Printed only once committed: an id (or a secret) for a row that rolled back would mislead.
    print_json({"id": str(org.id), "kind": org.kind.value, "display_name": org.display_name, "country": org.country})


@client_app.command("create")
def client_create(
    org: Annotated[uuid.UUID, typer.Option(help="Organisation id.")],
    scopes: Annotated[str, typer.Option(help='Allowed scopes, space-separated: "graph:read risk:read".')],
    name: Annotated[str | None, typer.Option(help="A label for the client.")] = None,
) -> None:
    """Create an OAuth2 client; prints its id and secret as JSON. The secret is shown only now."""
    with session_scope() as session:
        issued = policies_service.create_client(session, None, organization_id=org, scopes=scopes, name=name)
    print_json(
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
    with session_scope() as session:
        new = keys.rotate(session)
    print_json({"active_kid": new.kid})


@audit_app.command("verify")
def audit_verify() -> None:
    """Check the hash chain; exit 1 and name the first broken link if it was tampered with."""
    with session_scope() as session:
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
    with session_scope() as session:
        data = load_demo(session)
    # Run what the demo queued (its assessments' recomputes) here, so that a server started next
    # does not begin with a queue of writes.
    register_all_jobs()
    engine = create_engine(settings)
    try:
        jobs.run_until_idle(create_sessionmaker(engine))
    finally:
        engine.dispose()
    clients = data.clients
    typer.echo(
        f"Demo network: {len(data.sites)} sites, {len(data.recruiters.recruiters)} recruiters"
        f" on {len(data.recruiters.corridors)} corridors, {len(data.links)} links,"
        f" {len(data.assessments)} assessments"
    )
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
upload_app.command("assessment")(upload_assessment)
app.command("map")(map_command)
app.add_typer(upload_app, name="upload")

if __name__ == "__main__":
    app()
