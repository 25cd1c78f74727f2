"""HypoMag settings, in one file.

Everything that differs between a laptop and production comes from the environment. The defaults are for
development (DEBUG on); production sets DJANGO_DEBUG=False, DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS, and the
security settings below switch on from DEBUG alone, not from a second settings file.
README.md lists every variable.
"""

import json
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    """A boolean from the environment; anything but True/False/true/false/1/0 is an error, not a guess."""
    value = os.environ.get(name)
    if value is None:
        return default
    if value in ("True", "true", "1"):
        return True
    if value in ("False", "false", "0"):
        return False
    raise ImproperlyConfigured(f"{name} must be True or False (or true/false, 1/0), not {value!r}")


def env_list(name: str, default: list[str]) -> list[str]:
    """A comma-separated list from the environment, with blanks around items and empty items dropped."""
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


# --- Core ---------------------------------------------------------------------------------------------------------

DEBUG = env_bool("DJANGO_DEBUG", True)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is False")
    SECRET_KEY = "django-insecure-development-only-never-use-this-key-in-production"

# https://docs.djangoproject.com/en/5.2/ref/settings/#allowed-hosts
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "testserver"] if DEBUG else [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # Lets runserver serve static files the way WhiteNoise does in production.
    # https://whitenoise.readthedocs.io/en/stable/django.html#using-whitenoise-in-development
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    # System checks for the CONTENT_SECURITY_POLICY setting (the header itself comes from its middleware).
    "csp",
    "crispy_forms",
    "crispy_bootstrap5",
    # {% partialdef %}: one template, rendered whole or as the fragment htmx asked for.
    # https://github.com/carltongibson/django-template-partials
    "template_partials",
    # Login throttling. https://django-axes.readthedocs.io/en/latest/2_installation.html
    "axes",
    "assessments.apps.AssessmentsConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Right after SecurityMiddleware, before everything else.
    # https://whitenoise.readthedocs.io/en/stable/django.html#enable-whitenoise
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages are compressed by the app (a 60 KB form becomes 7 KB on a ward network). BREACH: Django masks the CSRF
    # token differently in every response, and no secret is reflected from the request into a page.
    # https://docs.djangoproject.com/en/5.2/ref/middleware/#module-django.middleware.gzip
    "django.middleware.gzip.GZipMiddleware",
    # A NUL character in the path or query string is a 400 naming the parameter (PostgreSQL refuses NUL).
    "assessments.middleware.EdgeMiddleware",
    # Django's SessionMiddleware, except that a database outage while saving the session after the view leaves the
    # view's answer as it is (the JSON API answers during an outage, with or without a session cookie).
    "assessments.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Sets the Content-Security-Policy header (CONTENT_SECURITY_POLICY below).
    # https://django-csp.readthedocs.io/en/latest/configuration.html
    "csp.middleware.CSPMiddleware",
    # Sets request.htmx. https://django-htmx.readthedocs.io/en/latest/middleware.html
    "django_htmx.middleware.HtmxMiddleware",
    "assessments.middleware.DatabaseUnavailableMiddleware",  # a database outage is a 503 page, not a 500
    # Last, as django-axes asks: it turns a lockout into the lockout response.
    # https://django-axes.readthedocs.io/en/latest/2_installation.html
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "hypomag_site.urls"
WSGI_APPLICATION = "hypomag_site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "assessments.context_processors.navigation",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------------------------------
# DATABASE_URL wins (https://github.com/jazzband/dj-database-url); otherwise libpq's own PG* variables, as set by
# scripts/with-postgres; otherwise a local SQLite file for development.

if os.environ.get("DATABASE_URL"):
    # conn_max_age: keep connections for a minute. https://docs.djangoproject.com/en/5.2/ref/databases/#persistent-connections
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)}
elif os.environ.get("PGDATABASE"):
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": os.environ["PGDATABASE"],
            "HOST": os.environ.get("PGHOST", ""),
            "USER": os.environ.get("PGUSER", ""),
            "PASSWORD": os.environ.get("PGPASSWORD", ""),
            "PORT": os.environ.get("PGPORT", ""),
        }
    }
else:
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3"}}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite: a write transaction takes the write lock when it begins, so that a second writer (Save pressed twice,
    # two clinicians at once) waits its turn instead of failing at once with "database is locked" (a 503).
    # https://docs.djangoproject.com/en/5.2/ref/databases/#sqlite-transaction-behavior
    DATABASES["default"].setdefault("OPTIONS", {})["transaction_mode"] = "IMMEDIATE"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache holds the CDS Hooks token ids already seen (replay check): in the database, so that every worker and
# every app server sees the same ones. `manage.py createcachetable` makes the table (make run, deploy.md; the test
# runner makes it itself). https://docs.djangoproject.com/en/5.2/topics/cache/#database-caching
CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "hypomag_cache"}}

# --- Internationalization -----------------------------------------------------------------------------------------

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Static files -------------------------------------------------------------------------------------------------
# Served by WhiteNoise from STATIC_ROOT after `manage.py collectstatic`; nothing is loaded from another host.

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"

# Compressed, hashed file names in production only: the manifest exists only after collectstatic, so development
# and the test suite (which run with DEBUG on at import time) keep the plain storage.
# https://whitenoise.readthedocs.io/en/stable/django.html#add-compression-and-caching-support
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Forms --------------------------------------------------------------------------------------------------------
# https://github.com/django-crispy-forms/crispy-bootstrap5

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Security -----------------------------------------------------------------------------------------------------
# On in production (DEBUG off); `manage.py check --deploy` verifies them in CI.
# https://docs.djangoproject.com/en/5.2/howto/deployment/checklist/

# HTTPS only (secure cookies, redirect, HSTS) whenever DEBUG is off. DJANGO_HTTPS=False exists for one case, a local
# trial of the production settings over plain HTTP (`make serve`), and is refused for any host but this machine.
HTTPS = env_bool("DJANGO_HTTPS", not DEBUG)
if not HTTPS and not DEBUG and not set(ALLOWED_HOSTS) <= {"127.0.0.1", "localhost"}:
    raise ImproperlyConfigured("DJANGO_HTTPS=False is only for a local trial: DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost")
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
# A year of HSTS, subdomains included, eligible for browser preload lists.
# https://docs.djangoproject.com/en/5.2/ref/middleware/#http-strict-transport-security
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
# Only behind a proxy that sets X-Forwarded-Proto itself; trusting the header otherwise lets clients fake HTTPS.
# https://docs.djangoproject.com/en/5.2/ref/settings/#secure-proxy-ssl-header
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("DJANGO_BEHIND_PROXY", False) else None
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Patient-data URLs must not leak to other sites through the Referer header.
# https://docs.djangoproject.com/en/5.2/ref/middleware/#referrer-policy
SECURE_REFERRER_POLICY = "same-origin"
# Only our own scripts, styles and images: no inline <script>, no style="" (htmx's inline indicator style is off in
# base.html), nothing from another host, no framing. django-csp 4.x format.
# https://django-csp.readthedocs.io/en/latest/configuration.html
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}

# --- Accounts -----------------------------------------------------------------------------------------------------
# Shared ward PCs: a session ends after HYPOMAG_IDLE_MINUTES without a request (each request renews the cookie), and
# when the browser closes. https://docs.djangoproject.com/en/5.2/topics/http/sessions/#browser-length-sessions-vs-persistent-sessions

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "assess"
LOGOUT_REDIRECT_URL = "login"


def env_int(name: str, default: int, *, minimum: int = 1) -> int:
    value = os.environ.get(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None
    if number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {number}")
    return number


HYPOMAG_IDLE_MINUTES = env_int("HYPOMAG_IDLE_MINUTES", 30)
SESSION_COOKIE_AGE = HYPOMAG_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# django-axes first, so that a locked-out user is refused before the password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Five failures for one username from one address lock that pair out for 15 minutes; a success resets the count.
# https://django-axes.readthedocs.io/en/latest/4_configuration.html
AXES_FAILURE_LIMIT = env_int("HYPOMAG_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("HYPOMAG_LOGIN_LOCKOUT_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# No start-up banner on stderr (it would pollute `manage.py assess` output).
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# The address is REMOTE_ADDR (django-ipware is not installed): behind a proxy every client shares the proxy's
# address, so the lock then falls on the username alone, which is still the account being guessed.

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- HypoMag ------------------------------------------------------------------------------------------------------

# Units the form offers first: "SI" (mmol/L, umol/L) or "conventional" (mg/dL).
HYPOMAG_DEFAULT_UNITS = os.environ.get("HYPOMAG_DEFAULT_UNITS", "SI")
if HYPOMAG_DEFAULT_UNITS not in ("SI", "conventional"):
    raise ImproperlyConfigured(f"HYPOMAG_DEFAULT_UNITS must be SI or conventional, not {HYPOMAG_DEFAULT_UNITS!r}")

# The unit the site laboratory reports magnesium in: "mmol/L", "mg/dL" or "mEq/L", or unset. When set, the bedside
# form's Mg unit is fixed to it (another unit takes a deliberate "the lab reported another unit"), and every
# assessment tells the engine (contract `site.magnesium_unit`): a Mg entered in another unit raises a unit check of
# kind S (rule set 2026.2, PROTOCOL.md section 2.1). Written in any letter case; anything else stops start-up.
SITE_MAGNESIUM_UNITS = ("mmol/L", "mg/dL", "mEq/L")


def env_unit(name: str, units: tuple[str, ...]) -> str | None:
    """One of `units` (letter case free, written back as in `units`), or None when unset or empty."""
    value = os.environ.get(name, "").strip()
    if not value:
        return None
    for unit in units:
        if value.lower() == unit.lower():
            return unit
    raise ImproperlyConfigured(f"{name} must be one of {', '.join(units)} (or unset), not {value!r}")


HYPOMAG_SITE_MG_UNIT = env_unit("HYPOMAG_SITE_MG_UNIT", SITE_MAGNESIUM_UNITS)

# Demo users and records for `make run` (HYPOMAG_DEMO=1); never in production.
HYPOMAG_DEMO = env_bool("HYPOMAG_DEMO", False)
if HYPOMAG_DEMO and not DEBUG:
    raise ImproperlyConfigured("HYPOMAG_DEMO=1 creates users with known passwords: not with DJANGO_DEBUG=False")

# CDS Hooks: the EHRs whose signed bearer JWT the service accepts, as JSON {issuer: {"jwks_url": "https://..."}} or
# {issuer: {"jwks_file": "/path/jwks.json"}}. Unset or empty means NO token is required: for development and trials
# only; production sets it (`manage.py check --deploy` reports assessments.I010 while it is empty).
# https://cds-hooks.hl7.org/2.0/#trusting-cds-clients


def env_cds_issuers(name: str) -> dict[str, dict[str, str]]:
    """{issuer: {"jwks_url": https URL} | {"jwks_file": path}} from JSON; any other shape is an error, not a guess."""
    value = os.environ.get(name, "").strip()
    if not value:
        return {}
    shape = f'{name} must be a JSON object like {{"https://ehr.example.org": {{"jwks_url": "https://..."}}}}'
    try:
        issuers = json.loads(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} is not valid JSON ({exc}); {shape}") from None
    if not isinstance(issuers, dict):
        raise ImproperlyConfigured(shape)
    for issuer, source in issuers.items():
        if not issuer.strip():
            raise ImproperlyConfigured(f"{name}: an issuer is empty; use the iss the EHR puts in its tokens")
        if (
            not isinstance(source, dict)
            or len(source) != 1
            or not set(source) <= {"jwks_url", "jwks_file"}
            or not isinstance(next(iter(source.values())), str)
            or not next(iter(source.values())).strip()
        ):
            raise ImproperlyConfigured(
                f'{name}: the issuer {issuer!r} needs exactly one of {{"jwks_url": "https://..."}} or '
                f'{{"jwks_file": "/path/jwks.json"}}, not {source!r}'
            )
        if not source.get("jwks_url", "https://").startswith("https://"):
            raise ImproperlyConfigured(
                f"{name}: the jwks_url of {issuer!r} must start with https:// (keys fetched over plain HTTP can be "
                "swapped on the way)"
            )
    return issuers


HYPOMAG_CDS_ISSUERS = env_cds_issuers("HYPOMAG_CDS_ISSUERS")

# --- Logging ------------------------------------------------------------------------------------------------------
# Everything to the console; the process manager keeps the log. https://docs.djangoproject.com/en/5.2/topics/logging/

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # One JSON object per line; query strings, identifier-like dict values and bearer tokens redacted
    # (assessments/logging.py). https://docs.python.org/3/library/logging.config.html#dictionary-schema-details
    "formatters": {"json": {"()": "assessments.logging.JsonFormatter"}},
    "filters": {"redact": {"()": "assessments.logging.RedactFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["redact"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    # django-axes logs every sign-in at INFO; failures and lockouts are WARNING and stay.
    "loggers": {
        "axes": {"level": "WARNING"},
        # Django's own handlers (DEFAULT_LOGGING: plain-text console, mail to ADMINS with the request's data, and
        # runserver's request line with its query string) would bypass the redaction: everything goes to the root.
        # https://docs.djangoproject.com/en/5.2/ref/logging/#default-logging-configuration
        "django": {"handlers": [], "level": "INFO"},
        "django.server": {"handlers": [], "propagate": True},
    },
}
