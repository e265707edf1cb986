"""Making people ready to use Footsteps through the real services, for the demo
data, the benchmarks' data and the tests: one place, so all three follow the
same rules as a person clicking through their invitation."""

from footsteps.access.actor import Actor
from footsteps.people import services as people
from footsteps.people.models import Invitation, Membership, Role, hash_token, new_token
from footsteps.tenancy import services as tenancy
from footsteps.tenancy.selectors import current_agreement


def actor_of(membership: Membership) -> Actor:
    membership.refresh_from_db()
    return Actor(user=membership.user, membership=membership)


def activate(membership: Membership, password: str) -> Membership:
    """Accept the latest invitation as the invitee would (the emailed token is
    not stored, so swap in one we know): someone new chooses `password`; an
    existing account accepts signed in, typing it."""
    token = new_token()
    Invitation.objects.filter(
        membership=membership, used_at__isnull=True, revoked_at__isnull=True
    ).update(token_hash=hash_token(token))
    user = membership.user
    return people.invitation_accept(
        token=token,
        password=password,
        signed_in_user=user if user.has_usable_password() else None,
    )


def authenticator_app(user, secret: str | None = None) -> str:
    """Give `user` an authenticator app (their second sign-in step, R37), saved
    as allauth's set-up page saves one; returns its secret (base32), from which
    the app's codes are computed (footsteps.core.demo_accounts.app_code)."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    secret = secret or generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def accept_agreement(membership: Membership, image_consent: str = "granted") -> None:
    """Accept the current agreement; a parent consents to the journal and gives
    `image_consent` for each of their children."""
    actor = actor_of(membership)
    audience = "parent" if membership.role == Role.PARENT else "staff"
    tenancy.agreement_accept(
        actor=actor,
        agreement=current_agreement(membership.setting_id, audience),
        journal_consent=True if audience == "parent" else None,
        image_consents=dict.fromkeys(actor.child_ids, image_consent),
    )
