"""Writes to cases that carry rules, and the case bundle. The admin, the API and commands call these."""

from __future__ import annotations

import hashlib
import io
import json
import mimetypes
import zipfile
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import IO, Any, cast

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import transaction
from django.db.models import Prefetch, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases import bundle_texts
from cases.choices import CASE_TRANSITIONS, CaseStatus
from cases.models import Authority, Case, CaseNote, CaseStatusChange, Evidence, LegalAction
from cases.selectors import cases_visible_to
from core import heads, journal, limits
from core.errors import ConflictError, DomainError, TooLargeError
from core.identifiers import RESIDENT_ID_REFUSED, contains_resident_id
from core.models import JournalEntry
from core.privacy import mask_name
from core.users import AnyUser
from core.workflow import Workflow, workflow_transition
from reviews import selectors as reviews_selectors
from reviews.models import Claim, Order, Payment, Review

# Bytes read at a time when hashing or copying evidence: memory use stays at this, whatever the file size.
CHUNK_SIZE = 1024 * 1024
# A capture time may run ahead of the server clock by this much (clock skew), not more.
CAPTURE_CLOCK_SKEW = timedelta(minutes=5)


# --- who may change what --------------------------------------------------------


def _is_member(user: AnyUser | None, authority_id: int | None) -> bool:
    return (
        authority_id is not None
        and user is not None
        and user.is_authenticated
        and Authority.members.through.objects.filter(authority_id=authority_id, user_id=user.pk).exists()
    )


# Who owns a case and who else may see it is for the members of its authority to decide.
CASE_OWNERSHIP_FIELDS = ("authority", "assignees", "shared_with")


def case_check_changes(*, case: Case | None, user: AnyUser | None, changes: dict[str, Any]) -> None:
    """Refuse (DomainError on the field) the ``changes`` to ``case`` (None: a new case) that ``user`` may not make.

    - A new case is filed under an authority the user is a member of (superusers: any).
    - Only members of the case's authority (and superusers) change its authority,
      assignees or sharing; a user the case is only shared with or assigned to
      cannot take it to another authority.
    - A case cannot open in the future, before ``core.limits.EARLIEST_DATE``, or
      after it closed.

    The API's serializer and the admin's form both call this, so the rules are the same in both.
    """
    superuser = user is not None and user.is_superuser
    authority = changes.get("authority")
    if case is None:
        if authority is not None and not superuser and not _is_member(user, authority.pk):
            raise DomainError(str(_("File the case under an authority you are a member of.")), field="authority")
    elif not superuser and not _is_member(user, case.authority_id):
        current = {
            "authority": case.authority_id,
            "assignees": {u.pk for u in case.assignees.all()},
            "shared_with": {u.pk for u in case.shared_with.all()},
        }
        for name in CASE_OWNERSHIP_FIELDS:
            if name not in changes:
                continue
            value = changes[name]
            given = getattr(value, "pk", value) if name == "authority" else {getattr(u, "pk", u) for u in value}
            if given != current[name]:
                raise DomainError(str(_("Only members of the case's authority can change this.")), field=name)
    opened_on = changes.get("opened_on")
    if opened_on is not None:
        if opened_on > timezone.localdate():
            raise DomainError(str(_("A case cannot open in the future.")), field="opened_on")
        limits.check_past(opened_on, field="opened_on")
        if case is not None and case.closed_on and opened_on > case.closed_on:
            raise DomainError(str(_("A case cannot open after it closed.")), field="opened_on")


def legal_action_check_case(*, action: LegalAction | None, case: Case | None, user: AnyUser | None) -> None:
    """Refuse (DomainError on ``case``) linking ``action`` (None: a new one) to ``case`` when ``user`` may not.

    A legal action belongs to its case's authority:
    - a new action may be filed under any case the user may see;
    - moving an action from one case to another needs membership of both authorities;
    - detaching it from its case (which publishes it to everyone with the view
      permission) needs membership of its case's authority;
    - attaching a caseless action to a case (which hides it from everyone else) is
      for superusers only.
    """
    if user is not None and user.is_superuser:
        return
    if action is None:
        if case is not None and not cases_visible_to(user).filter(pk=case.pk).exists():
            raise DomainError(str(_("Unknown case.")), field="case")
        return
    old_id, new_id = action.case_id, getattr(case, "pk", None)
    if old_id == new_id:
        return
    if old_id is None:
        raise DomainError(
            str(_("Only an administrator can attach a legal action without a case to a case.")), field="case"
        )
    old_authority = Case.objects.filter(pk=old_id).values_list("authority_id", flat=True).first()
    if not _is_member(user, old_authority):
        raise DomainError(str(_("Only members of the case's authority can move its legal actions.")), field="case")
    if case is not None and not _is_member(user, case.authority_id):
        raise DomainError(str(_("A legal action can only move to a case of your own authority.")), field="case")


# --- case status and notes ------------------------------------------------------


def _on_case_move(case: Case, status: str, occurred_at: datetime | None) -> list[str]:
    """Closing a case dates it (today, or the day the decision was taken) and may not precede its opening."""
    if status != CaseStatus.CLOSED:
        return []
    closed_on = timezone.localdate(occurred_at) if occurred_at else timezone.localdate()
    if closed_on < case.opened_on:
        raise ConflictError(
            _("A case cannot close before it opened (%(opened_on)s).") % {"opened_on": case.opened_on},
            field="status",
            code="invalid_transition",
        )
    case.closed_on = closed_on
    return ["closed_on"]


CASE_WORKFLOW = Workflow(
    noun=gettext_lazy("case"),
    statuses=CaseStatus,
    moves=CASE_TRANSITIONS,
    history=CaseStatusChange,
    record_field="case",
    on_move=_on_case_move,
)


def case_transition(
    *, case: Case, status: str, reason: str, user: AnyUser | None = None, occurred_at: datetime | None = None
) -> Case:
    """Move a case along ``CASE_WORKFLOW`` (see core/workflow.py); closing sets ``closed_on``."""
    return workflow_transition(
        workflow=CASE_WORKFLOW, record=case, status=status, reason=reason, user=user, occurred_at=occurred_at
    )


@transaction.atomic
def case_note_add(*, case: Case, text: str, author: Any = None) -> CaseNote:
    """Add a note to the case's timeline."""
    text = (text or "").strip()
    if not text:
        raise DomainError(_("A note needs text."), field="text")
    if contains_resident_id(text):
        raise DomainError(str(RESIDENT_ID_REFUSED), field="text")
    return CaseNote.objects.create(
        case=case,
        text=text,
        author=author if author is not None and author.is_authenticated else None,
        actor=journal.current_actor(),
    )


# --- evidence -------------------------------------------------------------------


class _HashingFile(File):  # type: ignore[type-arg]  # File is generic only in its stubs
    """A file whose bytes are hashed and counted as storage reads them, chunk by chunk.

    It deliberately hides ``temporary_file_path`` of a spooled upload, so that
    storage copies the bytes through ``read`` (and so through the hash) instead
    of moving the temporary file. A rewind restarts the count; any other seek
    marks the hash unreliable, and the stored file is then hashed again.
    """

    def __init__(self, source: IO[bytes], name: str):
        super().__init__(source, name)
        self.digest = hashlib.sha256()
        self.bytes_read = 0
        self.sequential = True

    def read(self, size: int = -1) -> bytes:
        data = cast(IO[bytes], self.file).read(size)
        self.digest.update(data)
        self.bytes_read += len(data)
        return data

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if offset == 0 and whence == io.SEEK_SET:
            self.digest, self.bytes_read = hashlib.sha256(), 0
        else:
            self.sequential = False
        return cast(IO[bytes], self.file).seek(offset, whence)

    def chunks(self, chunk_size: int | None = None) -> Iterator[bytes]:
        return super().chunks(chunk_size or CHUNK_SIZE)


def _stored_digest(evidence: Evidence) -> tuple[str, int]:
    """SHA-256 and size of the evidence's bytes as they are in storage now, read in chunks."""
    digest, size = hashlib.sha256(), 0
    with evidence.file.storage.open(evidence.file.name, "rb") as stored:
        while chunk := stored.read(CHUNK_SIZE):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _media_type(name: str, declared: str | None) -> str:
    guessed, _encoding = mimetypes.guess_type(name)
    return guessed or declared or "application/octet-stream"


def _authority_storage_used(authority_id: int) -> int:
    """Bytes of evidence stored for the cases of one authority, with the authority's row locked."""
    Authority.objects.select_for_update().filter(pk=authority_id).values_list("pk", flat=True).first()
    used = Evidence.objects.filter(case__authority_id=authority_id).aggregate(total=Sum("size"))["total"]
    return used or 0


def _check_evidence_size(size: int | None, used: int) -> None:
    """Refuse a file over EVIDENCE_MAX_BYTES (413) or one that does not fit in the authority's quota (409)."""
    if size is None:
        return
    if size > settings.EVIDENCE_MAX_BYTES:
        raise TooLargeError(
            f"The file is larger than {settings.EVIDENCE_MAX_BYTES} bytes (EVIDENCE_MAX_BYTES).", field="file"
        )
    quota = settings.AUTHORITY_STORAGE_QUOTA_BYTES
    if quota and used + size > quota:
        raise ConflictError(
            f"The authority's evidence storage is full ({used} of {quota} bytes used).",
            field="file",
            code="quota_exceeded",
        )


@transaction.atomic
def evidence_record(
    *,
    case: Case,
    file: File[bytes],
    captured_at: datetime,
    source_url: str = "",
    description: str = "",
    captured_by: Any = None,
) -> Evidence:
    """Store a captured file and fix its SHA-256 and size, computed while it streams to storage.

    The file is read once, in chunks of ``CHUNK_SIZE`` (a large upload is
    already spooled to a temporary file by Django), so memory use does not grow
    with the file. The recorded file, hash and size never change afterwards.
    """
    if case.status == CaseStatus.CLOSED:
        raise ConflictError(_("The case is closed: no more evidence can be added."), field="case")
    if captured_at.tzinfo is None:
        raise DomainError(_("The capture time needs a time zone."), field="captured_at")
    if captured_at > timezone.now() + CAPTURE_CLOCK_SKEW:
        raise DomainError(_("The capture time is in the future."), field="captured_at")
    limits.check_past(captured_at, field="captured_at")
    if contains_resident_id(description):
        raise DomainError(str(RESIDENT_ID_REFUSED), field="description")
    name = getattr(file, "name", None) or "evidence.bin"
    declared_size = getattr(file, "size", None)
    if declared_size == 0:
        raise DomainError(_("The file is empty."), field="file")
    # Locks the authority: its uploads queue here, so that two cannot both fit in the last of its quota.
    used = _authority_storage_used(case.authority_id)
    _check_evidence_size(declared_size, used)

    evidence = Evidence(
        case=case,
        captured_at=captured_at,
        source_url=source_url,
        description=description,
        media_type=_media_type(name, getattr(file, "content_type", None)),
        captured_by=captured_by if captured_by is not None and captured_by.is_authenticated else None,
    )
    hashing = _HashingFile(file, name)
    evidence.file.save(name, hashing, save=False)
    try:
        if hashing.sequential:
            sha256, size = hashing.digest.hexdigest(), hashing.bytes_read
        else:  # the storage backend jumped around in the file: hash what it stored
            sha256, size = _stored_digest(evidence)
        if declared_size is not None and size != declared_size:
            raise DomainError(
                _("Stored %(size)d bytes of a %(declared)d-byte upload: the upload was cut short.")
                % {"size": size, "declared": declared_size},
                field="file",
            )
        if size == 0:
            raise DomainError(_("The file is empty."), field="file")
        _check_evidence_size(size, used)
        evidence.sha256, evidence.size = sha256, size
        evidence.save()
    except BaseException:
        evidence.file.storage.delete(evidence.file.name)  # nothing recorded: leave no stray file
        raise
    return evidence


def evidence_verify(*, evidence: Evidence) -> None:
    """Check that the stored bytes still match the recorded SHA-256 and size; ``ConflictError`` if not."""
    try:
        sha256, size = _stored_digest(evidence)
    except FileNotFoundError as exc:
        raise ConflictError(
            _("The file of evidence %(id)s is missing from storage.") % {"id": evidence.pk}, code="evidence_missing"
        ) from exc
    if (sha256, size) != (evidence.sha256, evidence.size):
        raise ConflictError(
            _(
                "The stored file of evidence %(id)s no longer matches its recorded SHA-256 "
                "(%(sha256)s): it was altered after recording and is not served."
            )
            % {"id": evidence.pk, "sha256": evidence.sha256},
            code="evidence_altered",
        )


def evidence_file_mismatches() -> Iterator[journal.RowMismatch]:
    """Each evidence file whose stored bytes no longer match its recorded SHA-256 (run by verify_journal)."""
    for evidence in Evidence.objects.order_by("pk").iterator(chunk_size=500):
        try:
            evidence_verify(evidence=evidence)
        except ConflictError as exc:
            yield journal.RowMismatch(Evidence._meta.db_table, str(evidence.pk), "file", evidence.sha256, exc.code)


# --- the case bundle ------------------------------------------------------------


def _journal_refs(case: Case, legal_actions: list[LegalAction], evidence: list[Evidence]) -> dict[str, set[Any]]:
    influencers = {i.pk for i in case.influencers.all()}
    accounts = {a.pk for a in case.accounts.all()}
    for action in legal_actions:
        influencers |= {i.pk for i in action.defendant_influencers.all()}
        accounts |= {a.pk for a in action.defendant_accounts.all()}
    orders = list(case.orders.all())
    return {
        "cases.case": {case.pk},
        "cases.casenote": {n.pk for n in case.notes.all()},
        "cases.casestatuschange": {c.pk for c in case.status_changes.all()},
        "cases.evidence": {e.pk for e in evidence},
        "cases.legalaction": {a.pk for a in legal_actions},
        "ledger.influencer": influencers,
        "ledger.platformaccount": accounts,
        "ledger.agency": {a.pk for a in case.agencies.all()},
        "reviews.order": {o.pk for o in orders},
        "reviews.orderstatuschange": {c.pk for o in orders for c in o.status_changes.all()},
        "reviews.payment": {p.pk for o in orders for p in o.payments.all()},
        "reviews.review": {r.pk for r in case.reviews.all()},
    }


def _journal_record(entry: JournalEntry) -> dict[str, Any]:
    """An entry exactly as hashed (times in canonical UTC form); personal data masked and flagged."""
    record = {
        "seq": entry.seq,
        "occurred_at": journal.jsonable(entry.occurred_at),
        "actor": entry.actor,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "changes": entry.changes,
        "prev_hash": entry.prev_hash,
        "hash": entry.hash,
    }
    personal = journal.PERSONAL_FIELDS.get(entry.object_type, frozenset()) & set(entry.changes)
    masked = sorted(
        n
        for n in personal
        if any(
            isinstance(v, str) and v and not v.startswith(journal.PERSONAL_DIGEST_PREFIX)
            for v in entry.changes[n].values()
        )
    )
    if masked:
        record["changes"] = {
            name: {k: mask_name(v) if name in masked and isinstance(v, str) else v for k, v in change.items()}
            for name, change in entry.changes.items()
        }
        record["masked_fields"] = masked
    return record


# The bundle shows each record as the API does, with the same serializers (imported where used:
# the serializers call this module's rules), plus what a bundle must carry on its own: the
# authority's name and kind, an order's payments, a review's claims.


def _case_record(case: Case) -> dict[str, Any]:
    from cases.api.serializers import CaseSerializer

    authority = {"id": case.authority_id, "name": case.authority.name, "kind": case.authority.kind}
    return {**CaseSerializer(case).data, "authority": authority}


def _legal_action_record(action: LegalAction) -> dict[str, Any]:
    from cases.api.serializers import LegalActionSerializer

    return dict(LegalActionSerializer(action).data)


def _order_record(order: Order) -> dict[str, Any]:
    """A linked order: its terms, markup basis and status history (needs ``order_list``'s annotations), payments."""
    from reviews.api.serializers import OrderSerializer, PaymentSerializer

    return {**OrderSerializer(order).data, "payments": PaymentSerializer(order.payments.all(), many=True).data}


def _review_record(review: Review) -> dict[str, Any]:
    """A linked review (needs the ``tier_code`` annotation) with its claims and their verdicts."""
    from reviews.api.serializers import ClaimSerializer, ReviewSerializer

    return {**ReviewSerializer(review).data, "claims": ClaimSerializer(review.claims.all(), many=True).data}


def _zip_path(evidence: Evidence) -> str:
    return f"evidence/{evidence.pk}/{evidence.file_name}"


def bundle_build(*, case: Case, out: IO[bytes], generated_by: str) -> dict[str, Any]:
    """Write the case bundle (a zip) to ``out`` and return its manifest.

    The zip holds ``manifest.json`` (the case, its subjects, its linked orders
    with their markup, status history and payments, its linked reviews with
    their claims, legal actions and evidence with path, SHA-256 and size), the
    evidence files, the journal
    entries about all these records with the chain head, ``SHA256SUMS``, a
    ``README.txt`` and ``verify.py``. Evidence is copied in chunks and checked
    against its recorded hash on the way: a file that no longer matches stops
    the bundle with ``ConflictError``. The journal entries come with an inclusion
    proof each against a signed tree head (signed now if the journal has grown),
    which the bundle carries with the public key; without a signing key the
    bundle is refused. It writes nothing else: the caller checks access.
    """
    case = (
        Case.objects.select_related("authority")
        .prefetch_related(
            "influencers",
            "accounts",
            "agencies",
            "assignees",
            "shared_with",
            "notes",
            "status_changes",
            Prefetch(
                "orders",
                queryset=reviews_selectors.order_list()
                .prefetch_related(
                    # payer and payee: whether the payment's names are a person's (masked as the API shows them)
                    Prefetch(
                        "payments", queryset=Payment.objects.select_related("payer", "payee").order_by("paid_on", "id")
                    )
                )
                .order_by("id"),
            ),
            Prefetch(
                "reviews",
                queryset=Review.objects.annotate(tier_code=reviews_selectors.tier_code_of_duration())
                .prefetch_related("targets", Prefetch("claims", queryset=Claim.objects.order_by("id")))
                .order_by("id"),
            ),
        )
        .get(pk=case.pk)
    )
    legal_actions = list(
        LegalAction.objects.filter(case=case)
        .prefetch_related("defendant_influencers", "defendant_accounts")
        .order_by("id")
    )
    evidence = list(Evidence.objects.filter(case=case).order_by("captured_at", "id"))
    signed_head = heads.head_sign()  # the bundle's entries are proven against this head
    head_seq = signed_head.tree_size
    head_hash = (
        JournalEntry.objects.values_list("hash", flat=True).get(seq=head_seq) if head_seq else journal.GENESIS_HASH
    )

    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        evidence_items = []
        for item in evidence:
            path = _zip_path(item)
            digest, size = hashlib.sha256(), 0
            info = zipfile.ZipInfo(path, date_time=timezone.localtime(item.recorded_at).timetuple()[:6])
            info.compress_type = zipfile.ZIP_STORED  # photos and videos do not compress
            with (
                item.file.storage.open(item.file.name, "rb") as source,
                bundle.open(info, "w", force_zip64=item.size >= zipfile.ZIP64_LIMIT) as target,
            ):
                while chunk := source.read(CHUNK_SIZE):
                    digest.update(chunk)
                    size += len(chunk)
                    target.write(chunk)
            if (digest.hexdigest(), size) != (item.sha256, item.size):
                raise ConflictError(
                    _(
                        "The stored file of evidence %(id)s no longer matches its recorded SHA-256: "
                        "the bundle was not built."
                    )
                    % {"id": item.pk},
                    code="evidence_altered",
                )
            evidence_items.append(
                {
                    "id": item.pk,
                    "path": path,
                    "sha256": item.sha256,
                    "size": item.size,
                    "media_type": item.media_type,
                    "captured_at": journal.jsonable(item.captured_at),
                    "source_url": item.source_url,
                    "description": item.description,
                    "captured_by": item.captured_by_id,
                    "recorded_at": journal.jsonable(item.recorded_at),
                }
            )

        refs = _journal_refs(case, legal_actions, evidence)
        selection = Q(pk__in=[])
        for object_type, ids in refs.items():
            if ids:
                selection |= Q(object_type=object_type, object_id__in=[str(i) for i in ids])
        seqs: list[int] = []
        with bundle.open("journal/entries.json", "w") as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8")
            text.write("[")
            entries = JournalEntry.objects.filter(selection, seq__lte=head_seq).order_by("seq")
            for entry in entries.iterator(chunk_size=2000):
                text.write(",\n" if seqs else "\n")
                text.write(json.dumps(_journal_record(entry), ensure_ascii=False, sort_keys=True))
                seqs.append(entry.seq)
            text.write("\n]\n")
            text.flush()
            text.detach()
        entry_count = len(seqs)
        with bundle.open("journal/proofs.json", "w") as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8")
            text.write("[")
            for start in range(0, entry_count, 1000):
                chunk = seqs[start : start + 1000]
                leaves = dict(JournalEntry.objects.filter(seq__in=chunk).values_list("seq", "leaf_hash"))
                paths = heads.inclusion_proofs(seqs=chunk, size=head_seq)
                for seq in chunk:
                    proof = {"seq": seq, "leaf_index": seq - 1, "leaf_hash": leaves[seq], "audit_path": paths[seq]}
                    text.write(",\n" if seq != seqs[0] else "\n")
                    text.write(json.dumps(proof, sort_keys=True))
            text.write("\n]\n")
            text.flush()
            text.detach()

        manifest = {
            "format": "paid-review-ledger case bundle 1",
            "generated_at": journal.jsonable(timezone.now()),
            "generated_by": generated_by,
            "case": _case_record(case),
            "subjects": {
                "influencers": [
                    {"id": i.pk, "display_name": i.display_name, "kind": i.kind, "agency": i.agency_id}
                    for i in sorted(case.influencers.all(), key=lambda i: i.pk)
                ],
                "accounts": [
                    {
                        "id": a.pk,
                        "influencer": a.influencer_id,
                        "platform": a.platform,
                        "handle": a.handle,
                        "platform_uid": a.platform_uid,
                    }
                    for a in sorted(case.accounts.all(), key=lambda a: a.pk)
                ],
                "agencies": [
                    {"id": a.pk, "name": a.name, "kind": a.kind, "uscc": a.uscc}
                    for a in sorted(case.agencies.all(), key=lambda a: a.pk)
                ],
            },
            "orders": [_order_record(o) for o in case.orders.all()],
            "reviews": [_review_record(r) for r in case.reviews.all()],
            "legal_actions": [_legal_action_record(a) for a in legal_actions],
            "evidence": evidence_items,
            "journal": {
                "path": "journal/entries.json",
                "entries": entry_count,
                "head": {"seq": head_seq, "hash": head_hash},
                "proofs": "journal/proofs.json",
                "signed_head": heads.head_record(signed_head),
                "public_key": heads.public_key_record(),
            },
        }
        bundle.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
        bundle.writestr("SHA256SUMS", "".join(f"{e['sha256']}  {e['path']}\n" for e in evidence_items))
        bundle.writestr("README.txt", _(bundle_texts.README) % {"reference": case.reference, "head_seq": head_seq})
        bundle.writestr("verify.py", bundle_texts.VERIFY_PY)
    return manifest


# --- regulator logins ---------------------------------------------------------------

REGULATOR_GROUP = "regulator"


def authority_find(*, code: str) -> Authority:
    """The authority ``code`` names: its id, its name (any case), or a part of its name that no other shares."""
    code = code.strip()
    if code.isdigit():
        found = Authority.objects.filter(pk=int(code)).first()
        if found is not None:
            return found
    exact = Authority.objects.filter(name__iexact=code).first()
    if exact is not None:
        return exact
    matches = list(Authority.objects.filter(name__icontains=code)[:2]) if code else []
    if len(matches) == 1:
        return matches[0]
    names = "; ".join(f"{a.pk}: {a.name}" for a in Authority.objects.order_by("name")[:50]) or _("none yet")
    if matches:
        raise DomainError(
            _("More than one authority matches %(code)r: give its id or full name (%(names)s).")
            % {"code": code, "names": names},
            field="authority",
        )
    raise DomainError(
        _("No authority matches %(code)r. Authorities: %(names)s.") % {"code": code, "names": names}, field="authority"
    )


@transaction.atomic
def regulator_create(*, username: str, authority: Authority, email: str = "", password: str | None = None) -> Any:
    """A regulator's login in one step: a staff user in the ``regulator`` group and a member of ``authority``.

    ``password`` is checked by the project's password validators. The user sees the tools of an
    investigation in the admin (not its internals) and the cases of the authority.
    """
    User = get_user_model()
    username = username.strip()
    if not username:
        raise DomainError(_("Give a username."), field="username")
    if User.objects.filter(**{f"{User.USERNAME_FIELD}__iexact": username}).exists():
        raise DomainError(_("A user %(user)r exists already.") % {"user": username}, field="username")
    group = Group.objects.filter(name=REGULATOR_GROUP).first()
    if group is None:
        raise DomainError(_("The regulator group is missing: run the migrations."), field="group")
    user = User(**{User.USERNAME_FIELD: username}, email=email.strip(), is_staff=True)
    try:
        validate_password(password or "", user)
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages), field="password") from exc
    user.set_password(password)
    user.save()
    user.groups.add(group)
    authority.members.add(user)
    return user
