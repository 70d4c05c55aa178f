"""What is withheld from the model: the secrets the reviewer would flag, and nothing else."""

from __future__ import annotations

import pytest

from opsrelay.agents.devops.redact import redact_secrets

SECRETS = [
    ("postgres://app:Sup3rS3cretPw@db.internal:5432/app", "Sup3rS3cretPw"),
    ("key AKIAIOSFODNN7EXAMPL2 in the old config", "AKIAIOSFODNN7EXAMPL2"),
    ("DB_PASSWORD=hunter2hunter2", "hunter2hunter2"),
    ('api_key: "a1b2c3d4e5f6g7h8"', "a1b2c3d4e5f6g7h8"),
    ("token ghp_0123456789abcdefghijklmnopqrstuvwxyzAB", "ghp_0123456789abcdefghijklmnopqrstuvwxyzAB"),
    ("slack xoxb-1234567890-abcdefghij", "xoxb-1234567890-abcdefghij"),
    ("-----BEGIN RSA PRIVATE KEY-----\nMIIEow\nAIBAAK\n-----END RSA PRIVATE KEY-----", "MIIEow"),
]


@pytest.mark.parametrize(("text", "secret"), SECRETS, ids=[s for s, _ in SECRETS])
def test_secrets_are_withheld(text: str, secret: str) -> None:
    redacted = redact_secrets(text)
    assert secret not in redacted
    assert "[REDACTED]" in redacted


@pytest.mark.parametrize(
    "text",
    [
        "password: required for admin users",
        "DB_PASSWORD=${{ secrets.DB_PASSWORD }}",
        "Token: rotated every 90 days",
        "see https://staging.example.com/login for the form",
    ],
)
def test_references_and_prose_are_kept(text: str) -> None:
    assert redact_secrets(text) == text
