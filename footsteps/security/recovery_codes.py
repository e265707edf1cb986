"""One-time recovery codes (R37): for signing in when the phone or passkey is
lost. Each is 80 random bits written as 16 letters and digits in groups of
four ("K7PQ-3MZD-A2FR-X5WB", typed in any case); only its SHA-256 is stored
(RecoveryCode). A code cannot be confused with an app's code, which is 6
digits, and has no 0, 1, 8 or 9 to mistake for letters."""

import base64
import hashlib
import re
import secrets

COUNT = 10
_BYTES = 10  # 80 bits: base32 writes them as exactly 16 characters
_SHAPE = re.compile(r"[a-z2-7]{16}")


def new_code() -> str:
    raw = base64.b32encode(secrets.token_bytes(_BYTES)).decode()
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def normalise(code: str) -> str:
    """As typed, with any spaces, dashes or capitals."""
    return re.sub(r"[^a-z0-9]", "", code.lower())


def looks_like_one(code: str) -> bool:
    return bool(_SHAPE.fullmatch(normalise(code)))


def code_hash(code: str) -> str:
    return hashlib.sha256(normalise(code).encode()).hexdigest()
