"""The case bundle: a zip whose manifest hashes match its files and whose journal entries verify."""

import hashlib
import io
import json
import subprocess
import sys
import zipfile

import pytest

from cases.services import case_note_add, case_transition
from core import journal
from core.models import JournalEntry
from tests.cases.factories import LegalActionFactory, record_evidence
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def full_case(case, member):
    account = AccountFactory(platform_uid="dy_60000001")
    case.influencers.add(account.influencer)
    case.accounts.add(account)
    case.agencies.add(account.influencer.agency)
    case_note_add(case=case, text="Undercover inquiry made.", author=member)
    case_transition(case=case, status="investigating", reason="Rate card captured.", user=member)
    first = record_evidence(case, b"rate card 18000 / 26000 / 38000 CNY", name="rate-card.txt")
    second = record_evidence(case, bytes(range(256)) * 4000, name="screenshot.png")
    action = LegalActionFactory(case=case, kind="administrative_penalty", court_or_authority="CAC")
    action.defendant_accounts.add(account)
    return case, [first, second], action, account


def fetch_bundle(api, case) -> zipfile.ZipFile:
    response = api.get(f"/api/v1/cases/{case.pk}/bundle/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert f'filename="{case.reference}-bundle.zip"' in response["Content-Disposition"]
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_bundle_manifest_hashes_match_its_files(as_member, full_case):
    case, evidence, action, account = full_case
    bundle = fetch_bundle(as_member, case)
    names = set(bundle.namelist())
    assert {"manifest.json", "SHA256SUMS", "README.txt", "verify.py", "journal/entries.json"} <= names
    manifest = json.loads(bundle.read("manifest.json"))
    assert manifest["case"]["reference"] == case.reference
    assert manifest["case"]["status"] == "investigating"
    assert [t["kind"] for t in manifest["case"]["timeline"]] == ["note", "status_change"]
    assert [a["platform_uid"] for a in manifest["subjects"]["accounts"]] == ["dy_60000001"]
    assert [a["id"] for a in manifest["legal_actions"]] == [action.pk]
    assert manifest["legal_actions"][0]["defendant_accounts"] == [account.pk]
    assert len(manifest["evidence"]) == 2
    for item, recorded in zip(manifest["evidence"], evidence, strict=True):
        data = bundle.read(item["path"])
        assert item["path"] == f"evidence/{recorded.pk}/{recorded.file_name}"
        assert hashlib.sha256(data).hexdigest() == item["sha256"] == recorded.sha256
        assert len(data) == item["size"] == recorded.size
    sums = bundle.read("SHA256SUMS").decode().splitlines()
    assert sums == [f"{e.sha256}  evidence/{e.pk}/{e.file_name}" for e in evidence]


def test_bundle_carries_the_journal_entries_of_its_records_with_the_head(as_member, full_case):
    case, evidence, action, account = full_case
    AccountFactory()  # an unrelated record: not in the bundle
    bundle = fetch_bundle(as_member, case)
    manifest = json.loads(bundle.read("manifest.json"))
    entries = json.loads(bundle.read("journal/entries.json"))
    assert manifest["journal"]["entries"] == len(entries)
    assert manifest["journal"]["head"] == dict(zip(["seq", "hash"], journal.head(), strict=True))
    about = {(e["object_type"], e["object_id"]) for e in entries}
    expected = {("cases.case", str(case.pk)), ("cases.legalaction", str(action.pk))}
    expected |= {("cases.evidence", str(e.pk)) for e in evidence}
    expected |= {("cases.casenote", str(n.pk)) for n in case.notes.all()}
    expected |= {("cases.casestatuschange", str(c.pk)) for c in case.status_changes.all()}
    expected |= {("ledger.platformaccount", str(account.pk)), ("ledger.influencer", str(account.influencer_id))}
    expected |= {("ledger.agency", str(account.influencer.agency_id))}
    assert about == expected
    journal.integrate()
    stored = {e.seq: e.hash for e in JournalEntry.objects.filter(seq__in=[e["seq"] for e in entries])}
    for entry in entries:
        assert stored[entry["seq"]] == entry["hash"]
        if "masked_fields" in entry:
            assert entry["object_type"] == "ledger.influencer"
            continue
        body = {k: entry[k] for k in entry if k not in ("hash",)}
        raw = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
        assert hashlib.sha256(raw).hexdigest() == entry["hash"]
    # personal data stays masked, as everywhere in the API
    assert "王建国" not in bundle.read("journal/entries.json").decode()


def test_the_bundled_verify_script_passes_and_catches_tampering(as_member, full_case, tmp_path):
    case, evidence, *_ = full_case
    folder = tmp_path / "bundle"
    fetch_bundle(as_member, case).extractall(folder)
    readme = (folder / "README.txt").read_text()
    assert "sha256sum -c SHA256SUMS" in readme and case.reference in readme
    run = subprocess.run([sys.executable, "verify.py"], cwd=folder, capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "bundle verified" in run.stdout

    tampered = folder / f"evidence/{evidence[0].pk}/{evidence[0].file_name}"
    tampered.write_bytes(tampered.read_bytes().replace(b"18000", b"1800"))
    run = subprocess.run([sys.executable, "verify.py"], cwd=folder, capture_output=True, text=True, check=False)
    assert run.returncode == 1
    assert f"BAD  evidence/{evidence[0].pk}/" in run.stdout


def test_bundle_is_refused_when_a_stored_file_no_longer_matches(as_member, full_case, media_root):
    case, evidence, *_ = full_case
    (media_root / evidence[1].file.name).write_bytes(b"swapped")
    response = as_member.get(f"/api/v1/cases/{case.pk}/bundle/")
    assert response.status_code == 409
    assert response.data["code"] == "evidence_altered"


def test_bundle_needs_access_and_permissions(api, full_case, other_regulator, user_in_group):
    case, *_ = full_case
    api.force_authenticate(other_regulator)
    assert api.get(f"/api/v1/cases/{case.pk}/bundle/").status_code == 404
    analyst = user_in_group("analyst")
    case.shared_with.add(analyst)
    api.force_authenticate(analyst)
    assert api.get(f"/api/v1/cases/{case.pk}/bundle/").status_code == 403
