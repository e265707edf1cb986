"""Typed readers for configuration from the environment (12-factor).

Each helper fails loudly on a value it cannot parse, so a typo in production
configuration stops the process at start-up instead of changing behaviour.
"""

import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def secret_key(var_dir: Path, *, allow_generated: bool) -> str:
    """SECRET_KEY from the environment; for local development only (DEBUG), one
    generated on first run and kept in var/, so a fresh clone works with no set-up.

    In production a missing key stops the process: a key written quietly beside
    the database would sign sessions and reset links with a secret nobody chose
    and a backup of var/ would carry it.
    """
    if key := os.environ.get("SECRET_KEY"):
        return key
    if not allow_generated:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. In production set it in the environment, for example "
            "SECRET_KEY=$(python -c 'import secrets; print(secrets.token_urlsafe(60))'). "
            "For local development run with DEBUG=true (make run does)."
        )
    path = var_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    path.write_text(key)
    path.chmod(0o600)
    return key
