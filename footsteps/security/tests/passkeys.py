"""A passkey as allauth stores one after a browser registered it, made without
a browser (for tests that need a person with a passkey, not the ceremony:
test_mfa_browser.py goes through the real one with Chromium's virtual
authenticator)."""

import hashlib
import json
import secrets

from allauth.mfa.models import Authenticator
from allauth.mfa.webauthn.internal.auth import WebAuthn
from cryptography.hazmat.primitives.asymmetric import ec
from fido2.cose import ES256
from fido2.webauthn import (
    AttestationObject,
    AttestedCredentialData,
    AuthenticatorAttestationResponse,
    AuthenticatorData,
    CollectedClientData,
    RegistrationResponse,
)


def stored_passkey(user, name: str = "Phone", host: str = "testserver") -> Authenticator:
    public_key = ES256.from_cryptography_key(ec.generate_private_key(ec.SECP256R1()).public_key())
    credential_id = secrets.token_bytes(16)
    auth_data = AuthenticatorData.create(
        hashlib.sha256(host.encode()).digest(),
        AuthenticatorData.FLAG.UP | AuthenticatorData.FLAG.AT,
        0,
        AttestedCredentialData.create(bytes(16), credential_id, public_key),
    )
    response = RegistrationResponse(
        raw_id=credential_id,
        response=AuthenticatorAttestationResponse(
            client_data=CollectedClientData.create(
                "webauthn.create", secrets.token_bytes(16), f"http://{host}"
            ),
            attestation_object=AttestationObject.create("none", auth_data, {}),
        ),
    )
    credential = json.loads(json.dumps(dict(response)))
    return WebAuthn.add(user, name, credential).instance
