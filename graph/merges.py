"""People's verdicts on potential matches, and the merges and splits they lead to, for facilities
and recruiters alike (one flow, told by a ``MergeKind`` which records and tables it works on).

A merge keeps everything: the merged record stays (its public id resolves to the survivor), and
its statements (contributions, identifiers, certifications) move to the survivor remembering where
they were first stated, so a split (undoing a wrong merge) moves exactly those back. Statements
made about the survivor after the merge stay with it. A split also records that the two are not
the same, so the matcher never proposes the pair again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from core.clock import utcnow
from core.errors import Conflict, ErrorItem, InvalidInput, NotFound, PermissionDenied
from core.principal import Principal
from graph import events, matching, merge_store, recruiter_matching, repository, shared_sites
from graph import recruiter_repository as recruiter_store
from graph import recruiters as recruiter_service
from graph import service as graph_service
from graph.merge_store import MergeTables
from graph.models import (
    Facility,
    MatchVerdict,
    Recruiter,
    RecruiterCertification,
    RecruiterContribution,
    RecruiterIdentifier,
    RecruiterMatchDecision,
    RecruiterMerge,
)
from policies import audit
from policies.visibility import may_decide_match, may_merge_any_pair, may_split

#: A record two members may have registered twice.
Record = Facility | Recruiter


@dataclass(frozen=True, slots=True)
class MergeKind:
    """What the merge flow needs to know about one kind of record."""

    name: str  # "facility": audit actions and messages
    noun: str  # what two records are the same of: "site", "agency"
    tables: MergeTables
    #: The live record behind a public id (follows merges; NotFound when unknown or not visible).
    live: Callable[[Session, Principal, str], Record]
    #: The record behind a public id as it is, merged away or not (None when unknown).
    as_recorded: Callable[[Session, Principal, str], Record | None]
    #: How the matcher judges a pair: its decision and total score.
    judge: Callable[[Record, Record], tuple[matching.MatchDecision, float]]
    #: Derive canonical values and matching keys again from the statements.
    rederive: Callable[[Session, Record], None]
    #: A merged-away record gives up what must be unique among live records.
    retire: Callable[[Session, Record], None]
    #: Relationships to read again after the bulk updates.
    statement_attributes: tuple[str, ...]


def _facility(record: Record) -> Facility:
    assert isinstance(record, Facility)  # noqa: S101 - a kind only ever sees its own records
    return record


def _recruiter(record: Record) -> Recruiter:
    assert isinstance(record, Recruiter)  # noqa: S101 - a kind only ever sees its own records
    return record


def _judge_facilities(a: Record, b: Record) -> tuple[matching.MatchDecision, float]:
    score = matching.score(shared_sites.facility_record(_facility(a)), shared_sites.facility_record(_facility(b)))
    return matching.decide(score), score.total


def _judge_recruiters(a: Record, b: Record) -> tuple[matching.MatchDecision, float]:
    record_of = recruiter_service.record_of
    score = recruiter_matching.score(record_of(_recruiter(a)), record_of(_recruiter(b)))
    return recruiter_matching.decide(score), score.total


def _retire_recruiter(session: Session, record: Record) -> None:
    recruiter = _recruiter(record)
    recruiter.licence_key = None
    session.flush()
    recruiter_store.replace_match_keys(session, recruiter.id, set())


FACILITIES = MergeKind(
    name="facility",
    noun="site",
    tables=repository.FACILITY_TABLES,
    live=lambda session, principal, public_id: (
        graph_service.get_facility_or_raise(session, principal, public_id=public_id).facility
    ),
    as_recorded=lambda session, principal, public_id: graph_service.merged_record(
        session, principal, public_id=public_id
    ),
    judge=_judge_facilities,
    rederive=lambda session, record: graph_service.rederive(session, _facility(record)),
    retire=lambda session, record: repository.replace_match_keys(session, record.id, set()),
    statement_attributes=("contributions", "identifiers"),
)

RECRUITER_TABLES = MergeTables(
    record=Recruiter,
    statements=(RecruiterContribution, RecruiterIdentifier, RecruiterCertification),
    contributions=RecruiterContribution,
    record_column="recruiter_id",
    origin_column="origin_recruiter_id",
    merges=RecruiterMerge,
    decisions=RecruiterMatchDecision,
    decision_columns=("recruiter_id", "candidate_recruiter_id"),
)

RECRUITERS = MergeKind(
    name="recruiter",
    noun="agency",
    tables=RECRUITER_TABLES,
    live=lambda session, principal, public_id: (
        recruiter_service.get_recruiter_or_raise(session, principal, public_id=public_id).recruiter
    ),
    as_recorded=lambda session, principal, public_id: recruiter_service.recorded(
        session, principal, public_id=public_id
    ),
    judge=_judge_recruiters,
    rederive=lambda session, record: recruiter_service.rederive(session, _recruiter(record)),
    retire=_retire_recruiter,
    statement_attributes=("contributions", "identifiers", "certifications"),
)


# --- potential matches ----------------------------------------------------------------------------


def potential_matches(session: Session, principal: Principal, *, public_id: str) -> list[shared_sites.Candidate]:
    """Live facilities that may be the same site as this one, best first, without the pairs a
    person already said are different sites."""
    facility = graph_service.get_facility_or_raise(session, principal, public_id=public_id).facility
    return shared_sites.open_candidates(session, principal, facility)


def potential_recruiter_matches(
    session: Session, principal: Principal, *, public_id: str
) -> list[recruiter_service.Candidate]:
    """Live recruiters that may be the same agency as this one, best first, without the pairs a
    person already said are different agencies."""
    recruiter = recruiter_service.get_recruiter_or_raise(session, principal, public_id=public_id).recruiter
    found = recruiter_service.candidates(session, principal, recruiter_service.record_of(recruiter), exclude=recruiter)
    rejected = merge_store.rejected_partners(session, RECRUITER_TABLES, recruiter.id)
    return [c for c in found if c.recruiter.id not in rejected][: recruiter_service.MAX_POTENTIAL]


# --- decisions, merges, splits --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MatchDecisionOutcome:
    decision: Any  # the stored verdict row
    record: Record  # the survivor after a confirmation, else the record decided on
    candidate: Record
    merged: bool


def decide_match(
    session: Session,
    principal: Principal,
    kind: MergeKind,
    *,
    public_id: str,
    candidate_public_id: str,
    verdict: MatchVerdict,
    note: str | None = None,
) -> MatchDecisionOutcome:
    """Confirm (the two are the same: merge them) or reject (different: remembered) a potential
    match of a record the caller contributed."""
    record = kind.live(session, principal, public_id)
    candidate = _candidate_or_raise(session, principal, kind, candidate_public_id)
    if candidate.id == record.id:
        raise Conflict(f"These ids already name the same {kind.name}.")
    contributors = merge_store.contributor_ids(session, kind.tables, record.id)
    if not may_decide_match(principal, contributor_ids=contributors):
        raise PermissionDenied(f"Only an organisation that contributed this {kind.name} decides its matches.")
    if verdict is MatchVerdict.confirmed:
        _require_proposed(principal, kind, record, candidate)
    subject_column, candidate_column = kind.tables.decision_columns
    decision = kind.tables.decisions(
        **{subject_column: record.id, candidate_column: candidate.id},
        verdict=verdict,
        organization_id=principal.organization_id,
        note=note,
    )
    session.add(decision)
    survivor = record
    if verdict is MatchVerdict.confirmed:
        survivor = merge(session, principal, kind, record, candidate)
    session.flush()
    audit.record(
        session,
        principal,
        action=f"{kind.name}.match_{verdict.value}",
        subject_kind=kind.name,
        subject_id=record.public_id,
        details={"candidate": candidate.public_id, "survivor": survivor.public_id},
    )
    return MatchDecisionOutcome(decision, survivor, candidate, merged=verdict is MatchVerdict.confirmed)


def _candidate_or_raise(session: Session, principal: Principal, kind: MergeKind, public_id: str) -> Record:
    try:
        return kind.live(session, principal, public_id)
    except NotFound as exc:
        raise InvalidInput(
            f"No {kind.name} {public_id}.", errors=[ErrorItem(("body", "candidate_id"), f"no such {kind.name}")]
        ) from exc


def _require_proposed(principal: Principal, kind: MergeKind, record: Record, candidate: Record) -> None:
    """Members may merge only what the matcher proposes; operators may merge any pair."""
    if may_merge_any_pair(principal):
        return
    decision, total = kind.judge(record, candidate)
    if decision is matching.MatchDecision.new:
        raise InvalidInput(
            f"{candidate.public_id} is not a potential match of {record.public_id} (score {total:.2f}); "
            "ask a platform operator to merge them.",
            errors=[ErrorItem(("body", "candidate_id"), "not a potential match")],
        )


def _survivor_and_merged(kind: MergeKind, a: Record, b: Record) -> tuple[Record, Record]:
    """The claimed record survives (its owner speaks for it), else the one registered first."""
    if (
        None not in (a.owner_organization_id, b.owner_organization_id)
        and a.owner_organization_id != b.owner_organization_id
    ):
        raise Conflict(f"Both {kind.name} records are claimed by different organisations: an operator must decide.")
    if (b.owner_organization_id is not None) != (a.owner_organization_id is not None):
        return (a, b) if a.owner_organization_id is not None else (b, a)
    return (a, b) if a.id < b.id else (b, a)  # uuid7: time-ordered


def merge(session: Session, principal: Principal, kind: MergeKind, a: Record, b: Record) -> Record:
    """Merge two live records into one; returns the survivor."""
    survivor, merged = _survivor_and_merged(kind, a, b)
    session.flush()
    merge_store.move_statements(session, kind.tables, from_id=merged.id, to_id=survivor.id)
    kind.retire(session, merged)
    merged.merged_into_id = survivor.id
    if survivor.owner_organization_id is None:
        survivor.owner_organization_id = merged.owner_organization_id
    session.add(
        kind.tables.merges(
            survivor_id=survivor.id, merged_id=merged.id, merged_by_organization_id=principal.organization_id
        )
    )
    _reload(session, kind, survivor, merged)
    kind.rederive(session, survivor)
    _changed(session, survivor)
    return survivor


def split(
    session: Session, principal: Principal, kind: MergeKind, *, public_id: str, merged_public_id: str
) -> tuple[Record, Record]:
    """Undo the merge of ``merged_public_id`` into ``public_id``: the merged record comes back with
    the statements first made about it. Returns (survivor, restored)."""
    survivor = kind.live(session, principal, public_id)
    merged = kind.as_recorded(session, principal, merged_public_id)
    tables = kind.tables
    record = merge_store.active_merge(session, tables, survivor_id=survivor.id, merged_id=merged.id) if merged else None
    if merged is None or record is None:
        raise NotFound(f"{merged_public_id} was not merged into {survivor.public_id}.")
    contributors = merge_store.contributor_ids(session, tables, merged.id)
    if not may_split(principal, merged_by=record.merged_by_organization_id, contributor_ids=contributors):
        raise PermissionDenied(
            f"Only the organisation that merged, a contributor of the merged {kind.name} or an operator may split."
        )
    session.flush()
    origins = merge_store.merged_into(session, tables, merged.id) | {merged.id}
    merge_store.return_statements(session, tables, survivor_id=survivor.id, merged_id=merged.id, origins=origins)
    merged.merged_into_id = None
    record.split_at, record.split_by_organization_id = utcnow(), principal.organization_id
    subject_column, candidate_column = tables.decision_columns
    session.add(
        tables.decisions(
            **{subject_column: merged.id, candidate_column: survivor.id},
            verdict=MatchVerdict.rejected,
            organization_id=principal.organization_id,
            note="split",
        )
    )
    _reload(session, kind, survivor, merged)
    # The survivor first: it gives up what was the merged record's (a licence) before that comes back.
    kind.rederive(session, survivor)
    kind.rederive(session, merged)
    _changed(session, survivor, merged)
    audit.record(
        session,
        principal,
        action=f"{kind.name}.split",
        subject_kind=kind.name,
        subject_id=survivor.public_id,
        details={"restored": merged.public_id},
    )
    return survivor, merged


def _changed(session: Session, *records: Record) -> None:
    """Queue the recompute of the live records a merge or split leaves (their links moved)."""
    ids = [record.id for record in records]
    if isinstance(records[0], Facility):
        events.subjects_changed(session, facilities=ids)
    else:
        events.subjects_changed(session, recruiters=ids)


def _reload(session: Session, kind: MergeKind, *records: Record) -> None:
    """The bulk updates bypassed the ORM: read the moved rows again."""
    session.flush()
    for record in records:
        session.expire(record, list(kind.statement_attributes))
