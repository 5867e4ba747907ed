"""Production refuses to start without its secrets, and `check --deploy` is clean with them."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from salama.core.crypto import generate_key_text

BASE_DIR = Path(__file__).resolve().parents[3]
SETUP = (
    "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'salama.settings'; django.setup()"
)
SECRETS = (
    "SECRET_KEY",
    "SALAMA_KEK",
    "SALAMA_INDEX_KEY",
    "SALAMA_KEK_RETIRED",
    "SALAMA_AUDIT_KEY",
)


@pytest.fixture
def production_env(tmp_path: Path) -> dict[str, str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(SECRETS)
        # A browser test in the same run sets DJANGO_ALLOW_ASYNC_UNSAFE; production never does.
        and name not in {"DJANGO_SETTINGS_MODULE", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(
        SALAMA_ENV="production",
        SALAMA_DEMO="0",
        DEBUG="0",
        ALLOWED_HOSTS="salama.example",
        SALAMA_VAR_DIR=str(tmp_path),
        SECRET_KEY="a-production-secret-key-" + "x" * 40,
        SALAMA_KEK=generate_key_text(),
        SALAMA_INDEX_KEY=generate_key_text(),
        SALAMA_AUDIT_KEY=generate_key_text(),
    )
    return env


def start(env: dict[str, str], code: str = SETUP) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_starts_with_all_secrets_set(production_env, tmp_path) -> None:
    result = start(production_env)
    assert result.returncode == 0, result.stderr
    assert list(tmp_path.iterdir()) == []  # no development keys were written


@pytest.mark.parametrize(
    "name", ["SECRET_KEY", "SALAMA_KEK", "SALAMA_INDEX_KEY", "SALAMA_AUDIT_KEY"]
)
def test_production_refuses_to_start_without_a_secret(production_env, name: str) -> None:
    del production_env[name]
    result = start(production_env)
    assert result.returncode != 0
    assert f"ImproperlyConfigured: {name} is not set." in result.stderr


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("dG9vIHNob3J0", "SALAMA_KEK must decode to 32 bytes, got 9"),
        ("ключ" * 11, "SALAMA_KEK is not valid base64"),
    ],
    ids=["too-short", "not-base64"],
)
def test_production_refuses_to_start_with_a_malformed_kek(production_env, value, message) -> None:
    production_env["SALAMA_KEK"] = value
    result = start(production_env)
    assert result.returncode != 0
    assert message in result.stderr


def test_production_refuses_a_malformed_retired_kek(production_env) -> None:
    production_env["SALAMA_KEK_RETIRED"] = f"{generate_key_text()},tooshort"
    result = start(production_env)
    assert result.returncode != 0
    assert "SALAMA_KEK_RETIRED[1]" in result.stderr


def test_production_refuses_a_malformed_audit_key(production_env) -> None:
    production_env["SALAMA_AUDIT_KEY"] = "dG9vIHNob3J0"
    result = start(production_env)
    assert result.returncode != 0
    assert "SALAMA_AUDIT_KEY must decode to 32 bytes, got 9" in result.stderr


def test_production_reads_the_audit_key_from_a_file(production_env, tmp_path) -> None:
    key_file = tmp_path / "audit-key"
    key_file.write_text(production_env.pop("SALAMA_AUDIT_KEY") + "\n", encoding="utf-8")
    production_env["SALAMA_AUDIT_KEY_FILE"] = str(key_file)
    code = SETUP + "; from salama.core import audit; print(audit.keyring().current_id)"
    result = start(production_env, code)
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.strip()) == 16


def test_development_adds_an_audit_key_to_older_dev_keys_and_keeps_the_others(
    production_env, tmp_path
) -> None:
    older = {
        "SECRET_KEY": "an-older-development-secret-key-" + "y" * 30,
        "SALAMA_KEK": generate_key_text(),
        "SALAMA_INDEX_KEY": generate_key_text(),
    }
    (tmp_path / "dev-keys.json").write_text(json.dumps(older), encoding="utf-8")
    env = {
        name: value
        for name, value in production_env.items()
        if not name.startswith(SECRETS) and name not in {"SALAMA_ENV", "DEBUG", "SALAMA_DEMO"}
    }
    result = start(env)
    assert result.returncode == 0, result.stderr
    keys = json.loads((tmp_path / "dev-keys.json").read_text(encoding="utf-8"))
    assert {name: keys[name] for name in older} == older
    assert len(base64.urlsafe_b64decode(keys["SALAMA_AUDIT_KEY"])) == 32


def test_production_reads_the_kek_from_a_file(production_env, tmp_path) -> None:
    key_file = tmp_path / "kek"
    key_file.write_text(production_env.pop("SALAMA_KEK") + "\n", encoding="utf-8")
    production_env["SALAMA_KEK_FILE"] = str(key_file)
    result = start(production_env)
    assert result.returncode == 0, result.stderr


def test_production_refuses_a_kek_given_twice(production_env, tmp_path) -> None:
    key_file = tmp_path / "kek"
    key_file.write_text(generate_key_text(), encoding="utf-8")
    production_env["SALAMA_KEK_FILE"] = str(key_file)
    result = start(production_env)
    assert result.returncode != 0
    assert "Set SALAMA_KEK or SALAMA_KEK_FILE, not both" in result.stderr


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DEBUG", "1", "DEBUG and SALAMA_DEMO must be off"),
        ("SALAMA_DEMO", "1", "DEBUG and SALAMA_DEMO must be off"),
        ("ALLOWED_HOSTS", "", "ALLOWED_HOSTS is empty"),
    ],
)
def test_production_refuses_development_conveniences(production_env, name, value, message) -> None:
    production_env[name] = value
    result = start(production_env)
    assert result.returncode != 0
    assert message in result.stderr


def test_check_deploy_passes_with_production_settings(production_env) -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=production_env,
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
