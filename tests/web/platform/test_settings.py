import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from hypomag_site.settings import env_bool, env_list

REPO = Path(__file__).resolve().parents[3]


def import_settings(**env):
    """Import the settings in a fresh interpreter with `env` on top of ours; returns the completed process."""
    return subprocess.run(
        [sys.executable, "-c", "import hypomag_site.settings"],
        cwd=REPO,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_env_bool_reads_true_and_false(monkeypatch):
    monkeypatch.setenv("HYPOMAG_TEST_FLAG", "False")
    assert env_bool("HYPOMAG_TEST_FLAG", True) is False
    monkeypatch.setenv("HYPOMAG_TEST_FLAG", "1")
    assert env_bool("HYPOMAG_TEST_FLAG", False) is True


def test_env_bool_refuses_to_guess(monkeypatch):
    # "yes" or "off" might mean either thing to whoever typed it; DEBUG must never be switched on by a guess.
    monkeypatch.setenv("HYPOMAG_TEST_FLAG", "yes")
    with pytest.raises(ImproperlyConfigured):
        env_bool("HYPOMAG_TEST_FLAG", False)


def test_env_list_drops_blanks(monkeypatch):
    monkeypatch.setenv("HYPOMAG_TEST_LIST", " example.org, ,www.example.org ")
    assert env_list("HYPOMAG_TEST_LIST", []) == ["example.org", "www.example.org"]


def test_production_needs_a_secret_key():
    result = import_settings(DJANGO_DEBUG="False", DJANGO_SECRET_KEY="")

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_it_refuses_unknown_default_units():
    result = import_settings(HYPOMAG_DEFAULT_UNITS="imperial")

    assert result.returncode != 0
    assert "HYPOMAG_DEFAULT_UNITS must be SI or conventional" in result.stderr


PRODUCTION = {"DJANGO_DEBUG": "False", "DJANGO_SECRET_KEY": "x" * 50}


def test_plain_http_is_refused_for_any_host_but_this_machine():
    refused = import_settings(**PRODUCTION, DJANGO_HTTPS="False", DJANGO_ALLOWED_HOSTS="hypomag.example.org")
    assert refused.returncode != 0 and "DJANGO_HTTPS=False is only for a local trial" in refused.stderr
    local = import_settings(**PRODUCTION, DJANGO_HTTPS="False", DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost")
    assert local.returncode == 0, local.stderr


def test_production_is_https_only_by_default():
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "from hypomag_site import settings as s; "
            "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.SECURE_HSTS_SECONDS)",
        ],
        cwd=REPO,
        env={**os.environ, **PRODUCTION, "DJANGO_ALLOWED_HOSTS": "hypomag.example.org"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert probe.stdout.split() == ["True", "True", "31536000"]
