"""``loomline upload assessment FILE --scheme S --facility ID --org ORG``: upload one assessment
file as a member organisation, with the same rules as ``POST /v1/assessments``.

Registered on the ``upload`` command group in ``cli/main.py``.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Annotated

import typer

from cli.common import print_json, session_scope
from cli.upload import find_organization
from core.errors import ErrorItem, InvalidInput
from core.principal import Principal
from core.settings import get_settings
from ingest.assessments import upload
from ingest.canonical import Scheme
from ingest.formats import detect_format
from ingest.tabular import ReadLimits
from policies.scopes import ALL_SCOPES

CLI_CLIENT_ID = "cli"


def upload_assessment(
    file: Annotated[Path, typer.Argument(help="Assessment file: .csv, .xlsx or .json (docs/formats).")],
    scheme: Annotated[Scheme, typer.Option(help="Assessment scheme of the file.")],
    facility: Annotated[str, typer.Option(help="Public id of the subject: facility LL-... or recruiter LR-...")],
    org: Annotated[
        str, typer.Option(help="The uploading organisation (auditor or subject owner): its id or name slug.")
    ],
) -> None:
    """Upload one assessment; print it (id, findings, whether it was new or superseded one)."""
    file_format = detect_format(file.name)
    settings = get_settings()
    limits = ReadLimits(max_bytes=settings.assessment_max_bytes, max_rows=settings.assessment_max_rows)
    with session_scope() as session:
        if file_format is None:
            raise InvalidInput("Name the file .csv, .xlsx or .json.", errors=[ErrorItem(("file",), "unknown format")])
        organization = find_organization(session, org)
        principal = Principal(
            organization_id=organization.id,
            organization_kind=organization.kind,
            client_id=CLI_CLIENT_ID,
            scopes=ALL_SCOPES - {"admin"},
            token_id=f"cli-{uuid.uuid4().hex}",
        )
        with file.open("rb") as handle:
            raw = handle.read(limits.max_bytes + 1)
        outcome = upload.upload_assessment(
            session,
            principal,
            source=upload.UploadSource(file_format=file_format, raw=raw),
            scheme=scheme,
            subject_public_id=facility,
            limits=limits,
        )
        stored = outcome.assessment
        print_json(
            {
                "id": stored.public_id,
                "created": outcome.created,
                "scheme": stored.scheme.value,
                "findings": len(stored.findings),
                "corrective_actions": len(stored.corrective_actions),
                "supersedes": outcome.superseded.public_id if outcome.superseded is not None else None,
            }
        )
