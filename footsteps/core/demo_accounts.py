"""How the demo's people sign in (footsteps.core.demo), without Django, for the
tools that sign in from outside the server: footsteps/api/tests/server.py (and
so .ci/fuzz_api.py) and bench/screenshots.py; the tests use `app_code` too."""

import base64
import hmac
import struct
import time

DEMO_PASSWORD = "footsteps-demo"
# Demo staff's authenticator app (settings ask staff for a second step, R37):
# one published key for all of them, so a newcomer can add it to any
# authenticator app, or ask `manage.py demo_code` for the current code.
DEMO_APP_KEY = "FOOTSTEPSDEMOKEYFOOTSTEPSDEMOKEY"
PERIOD, DIGITS = 30, 6  # allauth's (MFA_TOTP_PERIOD, MFA_TOTP_DIGITS), every app's


def app_code(secret: str, moment: float | None = None) -> str:
    """The code an authenticator app with this base32 secret shows at `moment`
    (now): RFC 6238, as allauth checks it."""
    counter = int(time.time() if moment is None else moment) // PERIOD
    digest = hmac.new(base64.b32decode(secret, casefold=True), struct.pack(">Q", counter), "sha1")
    mac = digest.digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 10**DIGITS:0{DIGITS}d}"


def seconds_left(moment: float | None = None) -> float:
    """How long the code of `moment` (now) works for."""
    now = time.time() if moment is None else moment
    return PERIOD - now % PERIOD
