"""allauth's MFA module, as Footsteps uses it (R37): the authenticator app's
secret is stored encrypted, the app and the browser say "Footsteps", and the
error messages say what to do."""

import base64
import hashlib

from allauth.mfa.adapter import DefaultMFAAdapter
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

SITE_NAME = "Footsteps"


def _fernet(secret_key: str) -> Fernet:
    digest = hashlib.sha256(f"footsteps.security.totp:{secret_key}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def secrets_box() -> MultiFernet:
    """The current SECRET_KEY encrypts; it and SECRET_KEY_FALLBACKS decrypt, so
    authenticator apps keep working while a key rotation settles (a secret is
    re-encrypted with the new key when next used: receivers.py)."""
    keys = [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    return MultiFernet([_fernet(key) for key in keys])


def sealed_with_current_key(token: str) -> bool:
    try:
        _fernet(settings.SECRET_KEY).decrypt(token.encode())
    except InvalidToken:
        return False
    return True


def reseal(token: str) -> str:
    """The same secret, encrypted with the current key."""
    return secrets_box().rotate(token.encode()).decode()


class MFAAdapter(DefaultMFAAdapter):
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "incorrect_code": (
            "That code is not right, or it was used already. Type the code your app shows "
            "now, or one of your recovery codes."
        ),
    }

    def encrypt(self, text: str) -> str:
        return secrets_box().encrypt(text.encode()).decode()

    def decrypt(self, encrypted_text: str) -> str:
        return secrets_box().decrypt(encrypted_text.encode()).decode()

    def get_public_key_credential_rp_entity(self) -> dict[str, str]:
        # The browser shows the name when it asks for the passkey; the id is the host.
        return {**super().get_public_key_credential_rp_entity(), "name": SITE_NAME}
