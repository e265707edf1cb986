"""Email leaves the request through a background task.

QueuedEmailBackend is Django's EMAIL_BACKEND: it turns each message into plain
data and enqueues `deliver_email`, which hands it to the real backend named in
EMAIL_DELIVERY_BACKEND (SMTP in production, the console locally). Everything
that sends mail (invitations, password resets from allauth, notices) goes this
way without knowing it.

Emails carry working sign-in links (invitations, password resets), and only
their hashes may be stored (R2). So the queued copy is encrypted with a key
derived (HKDF) from SECRET_KEY, which never lives in the database, and the task
wipes it once the message is delivered. Keys derived from SECRET_KEY_FALLBACKS
still open mail queued before a key rotation.
"""

import base64
import json

from cryptography.fernet import Fernet, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction


def message_to_data(message) -> dict:
    return {
        "subject": str(message.subject),
        "body": str(message.body),
        "from_email": message.from_email,
        "to": list(message.to),
        "cc": list(message.cc),
        "bcc": list(message.bcc),
        "reply_to": list(message.reply_to),
        "alternatives": [
            [str(content), mimetype] for content, mimetype in getattr(message, "alternatives", [])
        ],
    }


def data_to_message(data: dict, connection) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=data["subject"],
        body=data["body"],
        from_email=data["from_email"],
        to=data["to"],
        cc=data["cc"],
        bcc=data["bcc"],
        reply_to=data["reply_to"],
        connection=connection,
    )
    for content, mimetype in data["alternatives"]:
        message.attach_alternative(content, mimetype)
    return message


def _fernet_for(secret: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"footsteps.mail").derive(
        secret.encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


def _fernet() -> MultiFernet:
    """Encrypts with the current key; decrypts with it or any fallback key."""
    secrets = [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    return MultiFernet([_fernet_for(secret) for secret in secrets])


def seal(data: dict) -> str:
    return _fernet().encrypt(json.dumps(data).encode()).decode()


def unseal(sealed: str) -> dict:
    return json.loads(_fernet().decrypt(sealed.encode()))


class QueuedEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        from footsteps.core.tasks import deliver_email

        for message in email_messages:
            data = seal(message_to_data(message))
            # After commit: an invitation is never mailed for a membership that rolled back.
            transaction.on_commit(lambda data=data: deliver_email.enqueue(data))
        return len(email_messages)
