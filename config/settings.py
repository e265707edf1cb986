"""Footsteps settings. Every value that differs between machines comes from the
environment (see README, "Configuration"); the defaults give a working local site."""

from pathlib import Path

import dj_database_url

from config.env import env_bool, env_int, env_list, env_str, secret_key

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("FOOTSTEPS_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = secret_key(VAR_DIR, allow_generated=DEBUG)
# Old keys still accepted while a rotation settles (sessions, reset links, queued mail).
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "footsteps.core.admin_apps.OperatorAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_htmx",
    "ninja",
    "django_tasks_db",
    "footsteps.core",
    "footsteps.audit",
    "footsteps.tenancy",
    "footsteps.people",
    "footsteps.children",
    "footsteps.journal",
    "footsteps.media",
    "footsteps.assessments",
    "footsteps.records",
    "footsteps.support",
    "footsteps.tablets",
    "footsteps.exports",
    "footsteps.transfers",
    "footsteps.security",
    "footsteps.subject_access",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "footsteps.access.middleware.ActorMiddleware",
    # Idle and absolute session limits, staff access hours and networks (R9, R10).
    "footsteps.security.middleware.SessionLimitsMiddleware",
    # The operator inside a setting: only while a manager's grant runs, all logged (R32).
    "footsteps.support.middleware.SupportMiddleware",
    # Shared tablets: revoked ones and idle ones end their sessions (R11).
    "footsteps.tablets.middleware.SharedDeviceMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "footsteps" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "footsteps.access.context_processors.actor",
            ],
        },
    },
]

# Database: SQLite in WAL mode by default, PostgreSQL (or anything dj-database-url
# reads) through DATABASE_URL.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'footsteps.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE avoids "database is locked" when a read transaction upgrades to a write.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

AUTH_USER_MODEL = "people.User"
AUTHENTICATION_BACKENDS = ["allauth.account.auth_backends.AuthenticationBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Passwords (footsteps.security.passwords): 12 characters for staff, 10 for
# parents and carers, not common or leaked; no composition rules.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "footsteps.security.passwords.RoleLengthValidator",
        "OPTIONS": {"staff_min_length": 12, "parent_min_length": 10},
    },
    {"NAME": "footsteps.security.passwords.LeakedPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# django-allauth: email sign-in only; accounts come from invitations, never open sign-up.
ACCOUNT_ADAPTER = "footsteps.people.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Footsteps] "
# The password forms say the person's own rule before they type (footsteps.security).
ACCOUNT_FORMS = {
    "change_password": "footsteps.security.forms.ChangePasswordForm",
    "reset_password_from_key": "footsteps.security.forms.ResetPasswordKeyForm",
}
# Tell people when their password is changed or reset.
ACCOUNT_EMAIL_NOTIFICATIONS = True
# Failed passwords are counted per account and per account and address by
# footsteps.people.signin (the adapter); allauth's per-address counter is off
# and its limit on all sign-ins from one address is only a flood guard, since a
# nursery's staff share one public address. allauth counts wrong second-step
# codes under "login_failed", per person only (footsteps.security.second_factor).
ACCOUNT_RATE_LIMITS = {"login_failed": "5/5m/key", "login": "300/m/ip"}
# Failed passwords before a lock: (failures, within seconds, locked for seconds).
SIGN_IN_LIMITS = {
    "pair": (5, 15 * 60, 15 * 60),  # one account from one address: typos
    "account": (20, 60 * 60, 60 * 60),  # one account from anywhere (a manager can unlock)
    "address": (100, 10 * 60, 10 * 60),  # one address, any account: a flood guard
}
# Sign-up is closed, so an email to an unknown address would only point at a dead page.
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if env_bool("FOOTSTEPS_HTTPS", False) else "http"
# Sensitive actions (second step, exports, support access, sign-in rules) ask for
# the password or second step again when the last check is older than this.
ACCOUNT_REAUTHENTICATION_TIMEOUT = 10 * 60

# Two-step sign-in (footsteps.security.second_factor, R37): after the password, a
# code from an authenticator app (TOTP) or a passkey. A setting requires it of
# its staff (the default) and may of families; the operator always. Recovery
# codes are Footsteps' own, kept only as hashes (allauth's keep a readable seed).
MFA_ADAPTER = "footsteps.security.adapter.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "webauthn"]
MFA_FORMS = {
    "authenticate": "footsteps.security.forms.SecondStepForm",
    "reauthenticate": "footsteps.security.forms.SecondStepAgainForm",
    "activate_totp": "footsteps.security.forms.AppSetUpForm",
}
MFA_TOTP_ISSUER = "Footsteps"
# A code works in its own 30 seconds only, and once: allauth remembers a used
# code in the shared cache for one period, so any tolerance would let a code
# outlive that memory and be replayed.
MFA_TOTP_TOLERANCE = 0
# Passkeys are a second step after the password, never a way round it (the
# password's throttling and the staff access rules are checked there).
MFA_PASSKEY_LOGIN_ENABLED = False
# allauth refuses a second step to accounts with unverified addresses (open
# sign-up); ours come from invitations opened from the address itself.
MFA_ALLOW_UNVERIFIED_EMAIL = True

# The client's address (sign-in throttling, the audit trail) comes only from a
# proxy we trust: how many proxies append to X-Forwarded-For, or the one header
# the proxy sets. Neither: the socket's address.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
TRUSTED_CLIENT_IP_HEADER = env_str("TRUSTED_CLIENT_IP_HEADER") or None
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = TRUSTED_CLIENT_IP_HEADER

SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)
# R9: a session ends this long after sign-in whatever its activity; idle
# time is each setting's choice (footsteps.security).
SESSION_ABSOLUTE_HOURS = env_int("SESSION_ABSOLUTE_HOURS", 12)
# A shared tablet locks, back to its switch-user page, after this long unused (R11).
TABLET_IDLE_MINUTES = env_int("TABLET_IDLE_MINUTES", 5)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
# Links typed without a scheme ("www.example.org") open over HTTPS (urlize).
URLIZE_ASSUME_HTTPS = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# The project's own CSS and vendored htmx live outside any app's static/ folder.
STATICFILES_DIRS = [BASE_DIR / "footsteps" / "static"]
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# R34: every permanent deletion is also appended here (kind and id, no personal
# content), outside the database and media backups, so that after a restore
# `manage.py reapply_erasures` deletes again what had been purged.
ERASURE_LOG = Path(env_str("ERASURE_LOG", str(VAR_DIR / "erasures.jsonl")))
MEDIA_URL = "/media-not-served-directly/"
WHITENOISE_USE_FINDERS = DEBUG

# Storage: local disk by default; S3-compatible object storage when a bucket is named.
# Object URLs are always signed and short-lived (R31), never public.
_S3_BUCKET = env_str("S3_BUCKET")
S3_BUCKET = _S3_BUCKET
STORAGES = {
    "default": (
        {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": _S3_BUCKET,
                "endpoint_url": env_str("S3_ENDPOINT_URL") or None,
                "region_name": env_str("S3_REGION", "eu-west-2"),
                "access_key": env_str("S3_ACCESS_KEY_ID"),
                "secret_key": env_str("S3_SECRET_ACCESS_KEY"),
                "default_acl": "private",
                "querystring_auth": True,
                "querystring_expire": 300,
                "file_overwrite": False,
            },
        }
        if _S3_BUCKET
        else {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    ),
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Photos and videos (footsteps.media). How files reach browsers once the policy
# has said yes: "stream" (Django, with HTTP ranges) or "accel" (an nginx
# X-Accel-Redirect to MEDIA_ACCEL_PREFIX, an internal location onto MEDIA_ROOT);
# with S3, signed URLs that expire after MEDIA_URL_SECONDS.
MEDIA_DELIVERY = env_str("MEDIA_DELIVERY", "stream")
MEDIA_ACCEL_PREFIX = env_str("MEDIA_ACCEL_PREFIX", "/protected-media/")
MEDIA_URL_SECONDS = env_int("MEDIA_URL_SECONDS", 300)
# Uploads arrive in pieces of at most 4 MB (footsteps.media.services), read
# straight from the request; anything larger than this goes to a temporary file.
FILE_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024

# Cache: shared Redis when several app servers run; per-process memory otherwise.
_REDIS_URL = env_str("REDIS_URL")
CACHES = {
    "default": (
        {"BACKEND": "footsteps.core.redis_cache.RedisCache", "LOCATION": _REDIS_URL}
        if _REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Journal pages and API lists are kept in the cache for a person and a version of
# their setting's journal (footsteps.core.caching); RELEASE (set it to the
# deployed version) keeps a new deployment from serving an old one's pages.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 600)
RELEASE = env_str("RELEASE", "dev")
# Sessions: in the shared cache (and the database) when several app servers run;
# the database alone otherwise, so signing out ends a session in every process.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if _REDIS_URL
    else "django.contrib.sessions.backends.db"
)

# Background tasks (Django's tasks API). "db": a database-backed queue worked by
# `manage.py db_worker`; "immediate": run in-process (tests, one-off scripts).
_TASKS_BACKENDS = {
    "db": "django_tasks_db.DatabaseBackend",
    "immediate": "django.tasks.backends.immediate.ImmediateBackend",
}
_tasks_backend = env_str("TASKS_BACKEND", "db")
if _tasks_backend not in _TASKS_BACKENDS:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f"TASKS_BACKEND must be one of {sorted(_TASKS_BACKENDS)}")
TASKS = {"default": {"BACKEND": _TASKS_BACKENDS[_tasks_backend], "QUEUES": ["default"]}}

# Email (Django's MAILERS): the default mailer only queues a task; the task delivers
# through the "delivery" mailer (SMTP in production, the console locally), so a slow
# mail server never holds up a page.
_EMAIL_DELIVERY = env_str("EMAIL_DELIVERY", "console")
_DELIVERY_BACKENDS = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
}
if _EMAIL_DELIVERY not in _DELIVERY_BACKENDS:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f"EMAIL_DELIVERY must be one of {sorted(_DELIVERY_BACKENDS)}")
MAILERS = {
    "default": {"BACKEND": "footsteps.core.mail.QueuedEmailBackend"},
    "delivery": {
        "BACKEND": _DELIVERY_BACKENDS[_EMAIL_DELIVERY],
        "OPTIONS": {
            "host": env_str("EMAIL_HOST", "localhost"),
            "port": env_int("EMAIL_PORT", 25),
            "username": env_str("EMAIL_HOST_USER"),
            "password": env_str("EMAIL_HOST_PASSWORD"),
            "use_tls": env_bool("EMAIL_USE_TLS", False),
            "timeout": env_int("EMAIL_TIMEOUT", 20),
        }
        if _EMAIL_DELIVERY == "smtp"
        else {},
    },
}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Footsteps <no-reply@footsteps.localhost>")

# Security headers. Behind HTTPS (FOOTSTEPS_HTTPS=true) every cookie is secure and
# browsers are told to stay on HTTPS (R37).
_HTTPS = env_bool("FOOTSTEPS_HTTPS", False)
SECURE_SSL_REDIRECT = _HTTPS
SESSION_COOKIE_SECURE = _HTTPS
CSRF_COOKIE_SECURE = _HTTPS
SECURE_HSTS_SECONDS = 31536000 if _HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = _HTTPS
SECURE_HSTS_PRELOAD = _HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if _HTTPS else None
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "style-src": ["'self'"],
    "script-src": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}

# Invitations expire after this many hours (R2).
INVITATION_MAX_AGE_HOURS = env_int("INVITATION_MAX_AGE_HOURS", 72)

NINJA_PAGINATION_PER_PAGE = 25
NINJA_PAGINATION_MAX_LIMIT = 100

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
