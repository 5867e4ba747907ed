"""Fuzz the whole API with schemathesis against a fresh demo database (called by .ci/run).

It creates a SQLite database in a temporary SALAMA_VAR_DIR, migrates, loads the demo data, makes a
real API token for the demo caseworker, supervisor and data officer of Nour Migrant Aid (the
``api_token`` command), serves the app with gunicorn on a free port of 127.0.0.1 and runs
``schemathesis run http://127.0.0.1:PORT/api/v1/openapi.json`` over every operation, once per
token. The checks: no answer is a server error, every status code is declared for its operation,
every body matches its declared schema. Path and body identifiers are drawn most of the time from
the demo records (schemathesis dictionaries) so that the fuzzing reaches past the 404s.

Exits non-zero when schemathesis reports any failure or error. The server's log (with the
tracebacks of any 500) is printed then. Settings from the environment:

- ``FUZZ_MAX_EXAMPLES`` (default 15): test cases per operation and phase;
- ``FUZZ_MAX_TIME`` (default 100): seconds per token for the whole schemathesis run;
- ``FUZZ_SEED``: replay a run (schemathesis prints its seed);
- ``FUZZ_DEBUG=1``: serve with DEBUG on (errors must be JSON without tracebacks either way);
- ``FUZZ_KEEP=1``: keep the temporary directory (database, server log, config).

Run it from the repository root: ``.venv/bin/python tests/api_fuzz/run_schemathesis.py``.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from http import HTTPStatus
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
ACCOUNTS = {
    "caseworker": "caseworker@nour.example",
    "supervisor": "supervisor@nour.example",
    "data_officer": "data-officer@nour.example",  # the evidence API: DP tables, factors
}
CHECKS = "not_a_server_error,status_code_conformance,response_schema_conformance"
# How often a generated identifier is replaced by a real one (the rest stay random: 404s).
REAL_ID_PROBABILITY = 0.85


def _log(message: str) -> None:
    print(f"\n== api fuzz: {message} ==", flush=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _environment(var_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)  # always the fresh SQLite database of var_dir
    env.update(
        SALAMA_VAR_DIR=str(var_dir),
        SALAMA_ENV="development",
        SALAMA_DEMO="1",
        DEBUG="1" if os.environ.get("FUZZ_DEBUG") == "1" else "0",
        # The fuzzer searches far more often than a person; the limit would only answer 429.
        SALAMA_SEARCHES_PER_MINUTE="0",
        DJANGO_SETTINGS_MODULE="salama.settings",
        PYTHONPATH=str(ROOT),
    )
    return env


def _prepare(env: dict[str, str]) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Migrate, load the demo data, make the tokens and list the demo records' identifiers."""
    os.environ.update(env)
    os.environ.pop("DATABASE_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("demo_data", stdout=io.StringIO())
    tokens = {}
    for label, email in ACCOUNTS.items():
        out = io.StringIO()
        call_command("api_token", email, stdout=out)
        tokens[label] = out.getvalue().strip()
    return tokens, _identifiers()


def _identifiers() -> dict[str, list[str]]:
    from salama.accounts.models import Organisation, User
    from salama.assistance.models import AssistanceItem, Fund
    from salama.cases.best_interests_models import BestInterestsAssessment
    from salama.cases.models import Attachment, Case, Perpetrator, PlanItem, Task
    from salama.evidence.release_models import PrivacyLedgerEntry
    from salama.fieldforms.models import FieldForm
    from salama.fieldforms.models import Submission as FieldSubmission
    from salama.people.household_models import Guardian, HouseholdLink
    from salama.people.models import Consent, Person
    from salama.referrals.choices import ReferralAction
    from salama.referrals.models import CaseTransfer, Referral, Service
    from salama.returns.models import ReturnJourney
    from salama.returns.monitoring_models import MonitoringVisit
    from salama.screening.models import (
        IdentificationDecision,
        Reconsideration,
        Screening,
        VulnerabilityAssessment,
    )

    def ids(queryset: Any, field: str = "id", limit: int = 40) -> list[str]:
        return [str(value) for value in queryset.values_list(field, flat=True)[:limit]]

    org = Organisation.objects.get(name="Nour Migrant Aid")
    cases = Case.objects.filter(organisation=org)
    return {
        "persons": ids(Person.objects.filter(registered_by=org)),
        "consents": ids(Consent.objects.filter(person__registered_by=org)),
        "cases": ids(cases.order_by("-opened_at")),
        "tasks": ids(Task.objects.filter(case__in=cases)),
        "items": ids(PlanItem.objects.filter(case__in=cases))
        + ids(AssistanceItem.objects.filter(case__in=cases)),
        "attachments": ids(Attachment.objects.filter(case__in=cases)),
        "perpetrators": ids(Perpetrator.objects.filter(case__in=cases)),
        "screenings": ids(Screening.objects.filter(case__in=cases)),
        "assessments": ids(VulnerabilityAssessment.objects.filter(case__in=cases)),
        "decisions": ids(IdentificationDecision.objects.filter(case__in=cases)),
        "reconsiderations": ids(Reconsideration.objects.filter(decision__case__in=cases)),
        "referrals": ids(Referral.objects.filter(case__in=cases))
        + ids(Referral.objects.filter(to_organisation=org)),
        "transfers": ids(CaseTransfer.objects.all()),
        "funds": ids(Fund.objects.filter(organisation=org), "uuid"),
        "services": ids(Service.objects.all(), "uuid"),
        "organisations": ids(Organisation.objects.all(), "uuid"),
        "users": ids(User.objects.filter(memberships__organisation=org), "uuid"),
        "actions": list(ReferralAction.values),
        "household_links": ids(HouseholdLink.objects.filter(organisation=org)),
        "guardians": ids(Guardian.objects.filter(organisation=org)),
        "best_interests_assessments": ids(BestInterestsAssessment.objects.filter(case__in=cases)),
        "journeys": ids(ReturnJourney.objects.filter(organisation=org)),
        "field_forms": ids(FieldForm.objects.filter(organisation=org)),
        "field_submissions": ids(FieldSubmission.objects.filter(organisation=org)),
        "monitoring_visits": ids(MonitoringVisit.objects.filter(schedule__case__in=cases)),
        "dp_tables": ids(PrivacyLedgerEntry.objects.filter(organisation=org)),
        **_review_identifiers(org, ids),
    }


def _review_identifiers(org: Any, ids: Any) -> dict[str, list[str]]:
    from salama.matching.merge_models import PersonMerge
    from salama.matching.models import CandidatePair

    return {
        "candidate_pairs": ids(CandidatePair.objects.filter(run__organisation=org)),
        "person_merges": ids(PersonMerge.objects.filter(organisation=org)),
        **_tracing_ids(org),
    }


def _tracing_ids(org: Any) -> dict[str, list[str]]:
    from salama.tracing.models import TracingMatch, TracingRequest

    requests = TracingRequest.objects.filter(organisation=org)
    return {
        "tracing_requests": [str(pk) for pk in requests.values_list("id", flat=True)[:40]],
        "tracing_matches": [
            str(pk)
            for pk in TracingMatch.objects.filter(request__in=requests).values_list(
                "id", flat=True
            )[:40]
        ],
    }


# Which dictionary feeds which parameter (path parameters and identifiers in bodies).
BINDINGS = {
    "path.person_id": "persons",
    "path.consent_id": "consents",
    "path.case_id": "cases",
    "path.task_id": "tasks",
    "path.item_id": "items",
    "path.attachment_id": "attachments",
    "path.perpetrator_id": "perpetrators",
    "path.screening_id": "screenings",
    "path.assessment_id": "assessments",
    "path.decision_id": "decisions",
    "path.reconsideration_id": "reconsiderations",
    "path.referral_id": "referrals",
    "path.transfer_id": "transfers",
    "path.fund_id": "funds",
    "path.action": "actions",
    "query.case_id": "cases",
    "body.person_id": "persons",
    "body.case_id": "cases",
    "body.service_id": "services",
    "body.fund_id": "funds",
    "body.recipient": "organisations",
    "body.to_organisation": "organisations",
    "body.provider_organisation_id": "organisations",
    "body.to_user": "users",
    "body.assign_to": "users",
    "body.assigned_to": "users",
    "body.supervisor": "users",
    "body.responsible": "users",
    "path.link_id": "household_links",
    "path.guardian_id": "guardians",
    "path.bia_id": "best_interests_assessments",
    "body.other": "persons",
    "body.guardian_person": "persons",
    "body.assessment": "best_interests_assessments",
    "path.journey_id": "journeys",
    "body.service_uuid": "services",
    "path.form_id": "field_forms",
    "path.submission_id": "field_submissions",
    "path.visit_id": "monitoring_visits",
    "path.pair_id": "candidate_pairs",
    "path.merge_id": "person_merges",
    "body.keep": "persons",
    "path.tracing_id": "tracing_requests",
    "path.match_id": "tracing_matches",
    "path.table_id": "dp_tables",
}


def _config(identifiers: dict[str, list[str]]) -> str:
    """A schemathesis.toml whose dictionaries hold the demo records' identifiers."""
    lines = []
    for name, values in identifiers.items():
        if values:
            lines += [f"[dictionaries.{name}]", f"values = {json.dumps(values)}", ""]
    lines.append("[parameters]")
    for key, name in BINDINGS.items():
        if identifiers.get(name):
            lines.append(
                f'"{key}" = {{ dictionary = "{name}", probability = {REAL_ID_PROBABILITY} }}'
            )
    return "\n".join(lines) + "\n"


# Django logs every 4xx answer as "Reason Phrase: /path"; the fuzzer causes thousands.
_CLIENT_ERROR = re.compile(
    "^(?:" + "|".join(re.escape(s.phrase) for s in HTTPStatus if 400 <= s < 500) + "): /"
)


def _without_client_errors(log: str, limit: int = 60_000) -> str:
    kept = "\n".join(line for line in log.splitlines() if not _CLIENT_ERROR.match(line))
    return kept[-limit:]


def _wait_until_up(base: str, server: subprocess.Popen[bytes], deadline: float) -> None:
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("The server stopped while starting; see its log above.")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            time.sleep(0.3)
    raise SystemExit("The server did not answer /healthz within 60 seconds.")


def _schemathesis(base: str, token: str, config: Path, cwd: Path) -> int:
    command = [
        str(BIN / "schemathesis"),
        "--config-file",
        str(config),
        "run",
        f"{base}/api/v1/openapi.json",
        "--header",
        f"Authorization: Bearer {token}",
        "--checks",
        CHECKS,
        "--max-examples",
        os.environ.get("FUZZ_MAX_EXAMPLES", "15"),
        "--max-time",
        os.environ.get("FUZZ_MAX_TIME", "100"),
        "--workers",
        "1",
        "--request-timeout",
        "30",
        "--generation-database",
        "none",
        "--no-color",
    ]
    if os.environ.get("FUZZ_SEED"):
        command += ["--seed", os.environ["FUZZ_SEED"]]
    return subprocess.run(command, cwd=cwd, check=False).returncode


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="salama-api-fuzz-"))
    var_dir = work / "var"
    env = _environment(var_dir)
    server: subprocess.Popen[bytes] | None = None
    server_log = work / "server.log"
    failed = False
    try:
        _log(f"fresh demo database in {var_dir}")
        tokens, identifiers = _prepare(env)
        config = work / "schemathesis.toml"
        config.write_text(_config(identifiers), encoding="utf-8")
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        _log(f"serving on {base}")
        with server_log.open("wb") as log:
            server = subprocess.Popen(
                [
                    str(BIN / "gunicorn"),
                    "salama.wsgi:application",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    "2",
                    "--timeout",
                    "60",
                    "--error-logfile",
                    "-",
                    "--no-control-socket",  # a shared path in $HOME that other servers use
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        _wait_until_up(base, server, time.monotonic() + 60)
        for label, token in tokens.items():
            _log(f"schemathesis as the demo {label}")
            if _schemathesis(base, token, config, work) != 0:
                failed = True
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
        if failed and server_log.exists():
            _log("server log (without the warnings of 4xx answers)")
            print(_without_client_errors(server_log.read_text(encoding="utf-8", errors="replace")))
        if os.environ.get("FUZZ_KEEP") == "1":
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    _log("FAILED: see the failures above" if failed else "passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
