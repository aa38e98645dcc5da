"""Django settings, read from the environment.

Environment variables
---------------------
DATABASE_URL            default ``sqlite:///<DRUGSCENE_VAR>/drugscene.sqlite3``
DRUGSCENE_VAR           directory for the SQLite file and other local state (default ``./var``)
DRUGSCENE_ENV           "local" (default: plain http on one machine) or "production"
DRUGSCENE_SECRET_KEY    required in production; locally a random key is kept in var/
DRUGSCENE_DEBUG         "1" for development tracebacks
DRUGSCENE_ALLOWED_HOSTS comma separated
DRUGSCENE_TILE_URL      optional XYZ tile URL template; empty = no background tiles (offline map)
DRUGSCENE_TILE_ATTRIBUTION attribution text for those tiles
DRUGSCENE_TIP_RATE      anonymous tips allowed per client per hour (default 5)
DRUGSCENE_TRUSTED_PROXIES number of reverse proxies in front (for the client address; 0)
DRUGSCENE_SITE_URL      public base address for links in e-mails and webhooks
                        (default http://127.0.0.1:8000)
DRUGSCENE_EMAIL_BACKEND Django e-mail backend (default: console; SMTP via EMAIL_HOST etc.)
DRUGSCENE_FROM_EMAIL    sender of notification e-mails
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("DRUGSCENE_VAR", Path.cwd() / "var")).resolve()


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = _flag("DRUGSCENE_DEBUG")
TESTING = _flag("DRUGSCENE_TESTING")
# "local" (default): one machine over plain http on localhost, secret kept in var/.
# "production": behind the city's TLS proxy; secret from the environment, secure cookies.
ENVIRONMENT = os.environ.get("DRUGSCENE_ENV", "local").strip().lower()
PRODUCTION = ENVIRONMENT == "production"
if ENVIRONMENT not in {"local", "production"}:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("DRUGSCENE_ENV must be 'local' or 'production'.")


def _local_secret() -> str:
    """A random key made once per installation and kept in ``var/secret_key``."""
    import secrets

    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = os.environ.get("DRUGSCENE_SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            "DRUGSCENE_SECRET_KEY must be set when DRUGSCENE_ENV=production."
        )
    SECRET_KEY = _local_secret()

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("DRUGSCENE_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
    if h.strip()
]
if TESTING:
    ALLOWED_HOSTS.append("testserver")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "drugscene.core",
    "drugscene.accounts",
    "drugscene.cities",
    "drugscene.places",
    "drugscene.reports",
    "drugscene.audit",
    "drugscene.scenes",
    "drugscene.actions",
    "drugscene.meetings",
    "drugscene.walks",
    "drugscene.promises",
    "drugscene.situation",
    "drugscene.indicators",
    "drugscene.plans",
    "drugscene.evidence",
    "drugscene.public",
    "drugscene.open311",
    "drugscene.ogc",
    "drugscene.imports",
    "drugscene.notifications",
    "drugscene.web",
    "drugscene.cli",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "drugscene.core.middleware.RequestContextMiddleware",
]

ROOT_URLCONF = "drugscene.urls"
WSGI_APPLICATION = "drugscene.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "drugscene.web.context.site",
            ],
        },
    },
]

VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'drugscene.sqlite3'}"),
        conn_max_age=60,
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:map"
LOGOUT_REDIRECT_URL = "web:login"

# E-mail (notifications): the console backend by default, so nothing leaves the machine until
# an operator sets DRUGSCENE_EMAIL_BACKEND (e.g. django.core.mail.backends.smtp.EmailBackend)
# and Django's EMAIL_HOST / EMAIL_PORT / EMAIL_HOST_USER / EMAIL_HOST_PASSWORD / EMAIL_USE_TLS.
EMAIL_BACKEND = os.environ.get(
    "DRUGSCENE_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DRUGSCENE_SITE_URL = os.environ.get("DRUGSCENE_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
DEFAULT_FROM_EMAIL = os.environ.get("DRUGSCENE_FROM_EMAIL", "drugscene@localhost")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS", "") == "1"

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "drugscene",
    }
}

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("sv", _("Swedish")),
    ("nl", _("Dutch")),
    ("nb", _("Norwegian")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if not PRODUCTION
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION

# --- security -----------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = _flag("DRUGSCENE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("DRUGSCENE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

TILE_URL = os.environ.get("DRUGSCENE_TILE_URL", "")
TILE_ATTRIBUTION = os.environ.get("DRUGSCENE_TILE_ATTRIBUTION", "")


def _tile_origin(url: str) -> list[str]:
    if not url:
        return []
    from urllib.parse import urlsplit

    parts = urlsplit(url.replace("{s}", "a"))
    host = parts.netloc.replace("a.", "*.", 1) if "{s}" in url else parts.netloc
    return [f"{parts.scheme}://{host}"]


CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *_tile_origin(TILE_URL)],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# --- drugscene ----------------------------------------------------------------------------
TIP_RATE_PER_HOUR = int(os.environ.get("DRUGSCENE_TIP_RATE", "5"))
TRUSTED_PROXIES = int(os.environ.get("DRUGSCENE_TRUSTED_PROXIES", "0"))
LOGIN_FAILURES_ALLOWED = int(os.environ.get("DRUGSCENE_LOGIN_FAILURES", "5"))
LOGIN_LOCKOUT_SECONDS = int(os.environ.get("DRUGSCENE_LOGIN_LOCKOUT", "900"))
API_PAGE_SIZE_MAX = 1000

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
