"""HYPOMAG_CDS_ISSUERS: which EHRs may call the CDS Hooks service. A wrong value stops start-up with a message that
says what to fix; it is never read as "no issuers", which would open the service."""

from __future__ import annotations

import json

import pytest
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from assessments.checks import check_cds_issuers
from hypomag_site.settings import env_cds_issuers

NAME = "HYPOMAG_CDS_ISSUERS"


def parse(monkeypatch, value: str | None):
    if value is None:
        monkeypatch.delenv(NAME, raising=False)
    else:
        monkeypatch.setenv(NAME, value)
    return env_cds_issuers(NAME)


@pytest.mark.parametrize("value", [None, "", "  "])
def test_unset_or_empty_means_no_issuer(monkeypatch, value):
    assert parse(monkeypatch, value) == {}


def test_it_reads_a_jwks_url_and_a_jwks_file(monkeypatch):
    issuers = {
        "https://ehr.example.org": {"jwks_url": "https://ehr.example.org/jwks.json"},
        "lab": {"jwks_file": "/etc/hypomag/lab.json"},
    }

    assert parse(monkeypatch, json.dumps(issuers)) == issuers


def test_invalid_json_is_an_error(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="HYPOMAG_CDS_ISSUERS is not valid JSON"):
        parse(monkeypatch, "{'https://ehr.example.org': {}}")


@pytest.mark.parametrize(
    "value",
    [
        '["https://ehr.example.org"]',
        '{"https://ehr.example.org": "https://ehr.example.org/jwks.json"}',
        '{"https://ehr.example.org": {}}',
        '{"https://ehr.example.org": {"jwks_uri": "https://ehr.example.org/jwks.json"}}',  # a typo must not pass
        '{"https://ehr.example.org": {"jwks_url": "https://a/jwks.json", "jwks_file": "/b.json"}}',
        '{"https://ehr.example.org": {"jwks_file": ""}}',
        '{"": {"jwks_file": "/etc/hypomag/ehr.json"}}',
    ],
)
def test_a_wrong_shape_is_an_error_that_shows_the_expected_shape(monkeypatch, value):
    with pytest.raises(ImproperlyConfigured, match="HYPOMAG_CDS_ISSUERS"):
        parse(monkeypatch, value)


def test_a_jwks_url_must_be_https(monkeypatch):
    # Keys fetched over plain HTTP could be swapped, and then any token would verify.
    with pytest.raises(ImproperlyConfigured, match="must start with https://"):
        parse(monkeypatch, '{"https://ehr.example.org": {"jwks_url": "http://ehr.example.org/jwks.json"}}')


def test_the_deploy_check_reports_an_open_service_in_production():
    with override_settings(DEBUG=False, HYPOMAG_CDS_ISSUERS={}):
        messages = check_cds_issuers(None)

    # Info, not Warning: CI's `check --deploy --fail-level WARNING` runs without issuers and must pass.
    assert [(m.id, m.level) for m in messages] == [("assessments.I010", checks.INFO)]


def test_the_deploy_check_is_silent_when_an_issuer_is_configured():
    issuers = {"https://ehr.example.org": {"jwks_url": "https://ehr.example.org/jwks.json"}}
    with override_settings(DEBUG=False, HYPOMAG_CDS_ISSUERS=issuers):
        assert check_cds_issuers(None) == []
