"""Two-step sign-in (R37, with R9's sessions and R39's log): after the password,
a code from an authenticator app, a passkey or a recovery code. Staff must have
one unless their setting turns it off, families only if it turns it on, the
operator always. Sensitive actions ask for the password or second step again
when the last check is more than 10 minutes old.

Sign-ins go through allauth's real forms; the app's code is computed from the
person's secret as their phone would."""

import re
import time

import pytest
from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth import SESSION_KEY as USER_KEY
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.test import Client
from django.urls import reverse

from footsteps.audit.models import AuditEvent
from footsteps.conftest import (
    PASSWORD,
    page_text,
    second_step_code,
    set_up_authenticator_app,
    sign_in_with_form,
    signed_in_client,
)
from footsteps.core import seeding
from footsteps.core.demo_accounts import app_code, seconds_left
from footsteps.exports.models import Export
from footsteps.people import services as people
from footsteps.people.models import User
from footsteps.security.adapter import MFAAdapter
from footsteps.security.models import AccessRules, RecoveryCode
from footsteps.security.tests.conftest import RULES_FORM, set_rules
from footsteps.security.tests.passkeys import stored_passkey

PRACTITIONER = "practitioner@acorns.test"
CODE = re.compile(r"<code>([A-Z2-7]{4}(?:-[A-Z2-7]{4}){3})</code>")


def signed_in(client) -> bool:
    return USER_KEY in client.session


def passed_second_step(client) -> bool:
    records = client.session.get(AUTHENTICATION_METHODS_SESSION_KEY, [])
    return any(record["method"] == "mfa" for record in records)


def password_step(client, email=PRACTITIONER, password=PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def a_fresh_code_window():
    """A code about to expire might expire between being read and being typed."""
    if seconds_left() < 3:
        time.sleep(seconds_left() + 0.1)


def without_second_step(world, name):
    """A member of staff who has not set one up, signed in with their password."""
    user = world.members[name].user
    Authenticator.objects.filter(user=user).delete()
    return world.client(name)


def a_session_that_skipped_it(world, name):
    """A session with the password only, of someone who has a second step (as
    one made before the rule, or before they set it up)."""
    client = world.client(name)
    session = client.session
    records = session[AUTHENTICATION_METHODS_SESSION_KEY]
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [r for r in records if r["method"] != "mfa"]
    session.save()
    return client


def checked_minutes_ago(client, minutes):
    """As if the session's last check (sign-in or checking again) was that long ago."""
    session = client.session
    records = session[AUTHENTICATION_METHODS_SESSION_KEY]
    for record in records:
        record["at"] -= minutes * 60
    session[AUTHENTICATION_METHODS_SESSION_KEY] = records
    session.save()


def make_recovery_codes(client) -> list[str]:
    made = client.post(reverse("recovery_codes"))
    assert made.status_code == 200
    return CODE.findall(made.content.decode())


# --- Signing in ----------------------------------------------------------------------


def test_r37_staff_sign_in_with_the_password_then_the_apps_code(world):
    a_fresh_code_window()
    client = Client()

    first = password_step(client)

    assert first.url == reverse("mfa_authenticate")
    assert not signed_in(client)
    assert client.get(reverse("child_list")).url.startswith(reverse("account_login"))
    page = client.get(reverse("mfa_authenticate"))
    assert "Code from your authenticator app, or a recovery code" in page_text(page)
    done = client.post(reverse("mfa_authenticate"), {"code": second_step_code(PRACTITIONER)})
    assert done.url == reverse("home")
    assert signed_in(client)
    assert passed_second_step(client)
    assert client.get(reverse("child_list")).status_code == 200
    assert client.get("/api/v1/me").status_code == 200


def test_r37_a_wrong_code_signs_nobody_in(world):
    client = Client()
    password_step(client)
    right = second_step_code(PRACTITIONER)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"

    refused = client.post(reverse("mfa_authenticate"), {"code": wrong})

    assert refused.status_code == 200
    assert "That code is not right, or it was used already" in page_text(refused)
    assert not signed_in(client)


def test_r37_a_replayed_code_is_refused(world):
    """Someone who watched the code being typed, or caught it on the way, cannot
    use it again: allauth remembers a used code in the shared cache (Redis in
    production) for as long as it is valid, which is one period only."""
    a_fresh_code_window()
    code = second_step_code(PRACTITIONER)
    assert sign_in_with_form(Client(), PRACTITIONER).url == reverse("home")

    attacker = Client()
    password_step(attacker)
    replayed = attacker.post(reverse("mfa_authenticate"), {"code": code})

    assert code == second_step_code(PRACTITIONER)  # still the code of the moment
    assert "used already" in page_text(replayed)
    assert not signed_in(attacker)
    # The memory lasts as long as a code does: no tolerance of other periods.
    assert settings.MFA_TOTP_TOLERANCE == 0


def test_r37_wrong_codes_are_limited_per_person(world):
    client = Client()
    password_step(client)
    for _ in range(5):
        client.post(reverse("mfa_authenticate"), {"code": "000000"})

    blocked = client.post(reverse("mfa_authenticate"), {"code": second_step_code(PRACTITIONER)})

    assert "Too many failed" in page_text(blocked)
    assert not signed_in(client)
    # A colleague on the same network is not held up.
    assert sign_in_with_form(Client(), "senior@acorns.test").url == reverse("home")


def test_r37_the_apps_secret_is_stored_encrypted(world, stored_in_database):
    secret = set_up_authenticator_app(without_second_step(world, "practitioner"))

    assert stored_in_database(secret) == []
    assert stored_in_database(secret.lower()) == []


# --- Recovery codes --------------------------------------------------------------------


def test_r37_a_recovery_code_works_once_and_only_its_hash_is_stored(world, stored_in_database):
    codes = make_recovery_codes(world.client("practitioner"))
    assert len(set(codes)) == 10
    for code in codes:
        assert stored_in_database(code) == []
        assert stored_in_database(code.replace("-", "").lower()) == []  # as it is hashed

    phone_lost = Client()
    password_step(phone_lost)
    used = phone_lost.post(reverse("mfa_authenticate"), {"code": codes[3].lower()})

    assert used.url == reverse("home")
    assert signed_in(phone_lost)
    assert passed_second_step(phone_lost)
    assert phone_lost.get(reverse("child_list")).status_code == 200
    again = Client()
    password_step(again)
    refused = again.post(reverse("mfa_authenticate"), {"code": codes[3]})
    assert "used already" in page_text(refused)
    assert not signed_in(again)
    event = AuditEvent.objects.filter(action="user.recovery_code_used").latest("pk")
    assert event.data["left"] == 9
    page = page_text(world.client("practitioner").get(reverse("second_factor")))
    assert "9 of your codes" in page


def test_r37_new_recovery_codes_end_the_old_ones_and_are_shown_once(world):
    client = world.client("practitioner")
    old = make_recovery_codes(client)
    new = make_recovery_codes(client)

    assert not set(old) & set(new)
    assert RecoveryCode.objects.filter(user=world.members["practitioner"].user).count() == 10
    page = page_text(client.get(reverse("second_factor")))
    assert not any(code in page for code in new)
    signing_in = Client()
    password_step(signing_in)
    refused = signing_in.post(reverse("mfa_authenticate"), {"code": old[0]})
    assert not signed_in(signing_in)
    assert "used already" in page_text(refused)
    assert AuditEvent.objects.filter(action="user.recovery_codes_made").count() >= 2


def test_r37_recovery_codes_need_a_second_step_first(world):
    client = world.client("parent_amy")

    refused = client.post(reverse("recovery_codes"))

    assert refused.url == reverse("second_factor")
    assert not RecoveryCode.objects.exists()


# --- Who must have one ---------------------------------------------------------------


STAFF_PAGES = ["child_list", "preferences", "api_tokens", "sessions", "email_change", "home"]


@pytest.mark.parametrize("name", ["manager", "practitioner"])
def test_r37_staff_without_a_second_step_set_it_up_and_reach_nothing_else(world, name):
    client = without_second_step(world, name)

    for page in STAFF_PAGES:
        assert client.get(reverse(page)).url == reverse("second_factor"), page
    assert client.post(reverse("api_tokens"), {"name": "x"}).url == reverse("second_factor")
    api = client.get("/api/v1/children")
    assert api.status_code == 403
    assert "second sign-in step" in api.json()["detail"]
    setup = page_text(client.get(reverse("second_factor")))
    assert "Set up a second step to carry on" in setup
    assert "Little Acorns asks you" in setup

    set_up_authenticator_app(client)

    assert client.get(reverse("child_list")).status_code == 200
    assert client.get("/api/v1/children").status_code == 200
    assert "Set up a second step" not in page_text(client.get(reverse("second_factor")))
    assert AuditEvent.objects.filter(
        action="user.second_factor_added", actor=world.members[name].user
    ).exists()


def test_r37_a_session_that_skipped_the_second_step_is_signed_out_and_refused_on_the_api(world):
    api = a_session_that_skipped_it(world, "senior")
    assert api.get("/api/v1/me").status_code == 403

    page = a_session_that_skipped_it(world, "senior")
    ended = page.get(reverse("child_list"))

    assert ended.url == reverse("account_login") + "?next=%2Fchildren%2F"
    assert not signed_in(page)


def test_r37_parents_need_none_unless_their_setting_asks(world):
    assert world.client("parent_amy").get(reverse("feed")).status_code == 200
    assert world.client("parent_amy").get("/api/v1/me").status_code == 200

    set_rules(world, parent_second_factor="on", staff_second_factor="on")

    parent = world.client("parent_amy")
    assert parent.get(reverse("feed")).url == reverse("second_factor")
    assert parent.get("/api/v1/me").status_code == 403
    # Another setting's rule is its own.
    assert world.client("parent_zed").get(reverse("feed")).status_code == 200
    set_up_authenticator_app(parent)
    assert parent.get(reverse("feed")).status_code == 200


def test_r37_the_staff_rule_is_on_by_default_and_a_manager_may_turn_it_off(world):
    assert AccessRules().staff_second_factor is True
    assert not AccessRules().parent_second_factor
    client = without_second_step(world, "practitioner")
    assert client.get(reverse("child_list")).url == reverse("second_factor")

    set_rules(world, staff_second_factor="")

    assert client.get(reverse("child_list")).status_code == 200
    event = AuditEvent.objects.filter(action="access_rules.updated").latest("pk")
    assert event.data["changes"]["staff_second_factor"] == ["True", "False"]


def test_r37_the_operator_always_needs_one(world):
    set_rules(world, staff_second_factor="")  # not the operator's rule
    operator = User.objects.create_superuser("ops@footsteps.test", PASSWORD, full_name="Ops")
    client = signed_in_client(operator)

    assert client.get("/operator/").url == reverse("second_factor")
    assert client.get(reverse("operator_support")).url == reverse("second_factor")
    set_up_authenticator_app(client)
    assert client.get("/operator/").status_code == 200


def test_r37_removing_the_last_second_step_sends_staff_to_set_one_up_again(world):
    client = world.client("practitioner")

    removed = client.post(reverse("mfa_deactivate_totp"))

    assert removed.url == reverse("second_factor")
    assert not Authenticator.objects.filter(user=world.members["practitioner"].user).exists()
    assert client.get(reverse("child_list")).url == reverse("second_factor")
    assert AuditEvent.objects.filter(action="user.second_factor_removed").exists()


def test_r37_with_a_passkey_left_the_app_can_go(world):
    user = world.members["practitioner"].user
    passkey = stored_passkey(user)
    client = world.client("practitioner")

    client.post(reverse("mfa_deactivate_totp"))

    assert client.get(reverse("child_list")).status_code == 200
    page = page_text(client.get(reverse("second_factor")))
    assert "Phone" in page
    assert "Set up an authenticator app" in page
    removed = client.post(reverse("mfa_remove_webauthn", args=[passkey.pk]))
    assert removed.url == reverse("second_factor")
    assert client.get(reverse("child_list")).url == reverse("second_factor")


def test_r37_r8_new_login_details_clear_the_second_step(world):
    user = world.members["practitioner"].user
    make_recovery_codes(world.client("practitioner"))
    stored_passkey(user)

    people.login_details_reset(
        actor=world.actor("manager"), membership=world.members["practitioner"]
    )

    assert not Authenticator.objects.filter(user=user).exists()
    assert not RecoveryCode.objects.filter(user=user).exists()


def test_r37_the_second_step_page_lists_passkeys_at_a_fixed_number_of_queries(
    world, django_assert_num_queries
):
    user = world.members["practitioner"].user
    client = world.client("practitioner")
    make_recovery_codes(client)
    stored_passkey(user, "Phone")
    client.get(reverse("second_factor"))
    # The session, the identity's version check, the authenticators, the
    # recovery codes: the same with one passkey or three.
    with django_assert_num_queries(4) as one:
        client.get(reverse("second_factor"))
    stored_passkey(user, "Laptop")
    stored_passkey(user, "Key")
    with django_assert_num_queries(len(one.captured_queries)):
        page = client.get(reverse("second_factor"))
    assert all(name in page_text(page) for name in ("Phone", "Laptop", "Key"))


# --- Checking again before sensitive actions ------------------------------------------


def _ready_export(world):
    return Export.objects.create(
        setting_id=world.members["manager"].setting_id,
        child=world.children["amy"],
        requested_by=world.members["manager"],
        status=Export.Status.READY,
        file=default_storage.save("exports/again.pdf", ContentFile(b"%PDF-1.4 again")),
    )


SENSITIVE = {
    "journal_pdf": lambda w: ("post", reverse("journal_pdf", args=[w.children["amy"].pk]), {}),
    "subject_access": lambda w: (
        "post",
        reverse("subject_access_child", args=[w.children["amy"].pk]),
        {},
    ),
    "transfer": lambda w: ("post", reverse("transfer_start", args=[w.children["amy"].pk]), {}),
    "support_grant": lambda w: (
        "post",
        reverse("support_access"),
        {"hours": "2", "reason": "Uploads fail"},
    ),
    "sign_in_rules": lambda w: ("post", reverse("access_rules"), RULES_FORM),
    "recovery_codes": lambda w: ("post", reverse("recovery_codes"), {}),
    "remove_app": lambda w: ("post", reverse("mfa_deactivate_totp"), {}),
    "add_passkey": lambda w: ("get", reverse("mfa_add_webauthn"), None),
    "pdf_download": lambda w: (
        "get",
        reverse("export_download", args=[_ready_export(w).key]),
        None,
    ),
}


def _act(client, method, url, data):
    return client.post(url, data) if method == "post" else client.get(url)


@pytest.mark.parametrize("action", sorted(SENSITIVE))
def test_r37_sensitive_actions_ask_again_after_ten_minutes_and_not_before(world, action):
    method, url, data = SENSITIVE[action](world)
    with transaction.atomic():  # undone, so the second try meets the same state
        recent = world.client("manager")
        checked_minutes_ago(recent, 9)
        done = _act(recent, method, url, data)
        assert done.status_code in (200, 302)
        assert not (done.status_code == 302 and "reauthenticate" in done.url), done.url
        transaction.set_rollback(True)

    stale = world.client("manager")
    checked_minutes_ago(stale, 11)
    asked = _act(stale, method, url, data)
    assert asked.status_code == 302
    assert asked.url.startswith(reverse("account_reauthenticate") + "?next=")
    assert "Is it you?" in page_text(stale.get(asked.url))

    # The password again: the action asked for goes ahead, as it was sent.
    again = stale.post(asked.url, {"password": PASSWORD})
    assert again.status_code in (200, 302)
    if again.status_code == 302:
        assert "reauthenticate" not in again.url
        assert not again.url.startswith(reverse("account_login"))


def test_r37_checking_again_with_the_apps_code_or_a_recovery_code(world):
    a_fresh_code_window()
    client = world.client("manager")
    codes = make_recovery_codes(client)
    checked_minutes_ago(client, 11)
    url = reverse("transfer_start", args=[world.children["amy"].pk])
    asked = client.post(url)
    assert asked.url.startswith(reverse("account_reauthenticate"))
    alternatives = page_text(client.get(asked.url))
    assert "Type a code from your app, or a recovery code" in alternatives

    by_app = reverse("mfa_reauthenticate") + "?next=" + url
    done = client.post(by_app, {"code": second_step_code("manager@acorns.test")})
    assert done.status_code == 302
    assert "reauthenticate" not in done.url

    checked_minutes_ago(client, 11)
    client.post(url)
    done = client.post(by_app, {"code": codes[0]})
    assert done.status_code == 302
    assert "reauthenticate" not in done.url
    assert AuditEvent.objects.filter(action="transfer.exported").count() == 2


def test_r37_r1_checking_again_proves_only_the_signed_in_person(world):
    """The check-again page (opened for this) changes nobody's identity: only
    the signed-in person's own password passes it."""
    client = world.client("parent_ben")
    checked_minutes_ago(client, 11)

    other = client.post(reverse("account_reauthenticate"), {"password": "another-password-9"})
    assert other.status_code == 200
    assert client.session[USER_KEY] == str(world.members["parent_ben"].user.pk)
    anonymous = Client().post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert anonymous.url.startswith(reverse("account_login"))


def test_r37_email_password_and_api_keys_ask_for_the_password_every_time(world):
    """Stricter than ten minutes: these forms ask for it each time."""
    client = world.client("practitioner")

    email = client.post(reverse("email_change"), {"new_email": "new@acorns.test"})
    key = client.post(reverse("api_tokens"), {"name": "Tablet", "days": "30"})
    password = client.post(
        reverse("account_change_password"),
        {"password1": "a-new-long-phrase", "password2": "a-new-long-phrase"},
    )

    for refused, field in ((email, "password"), (key, "password"), (password, "oldpassword")):
        assert refused.status_code == 200
        assert field in refused.context["form"].errors


def test_r37_a_new_staff_member_sets_it_up_right_after_choosing_a_password(
    world, django_capture_on_commit_callbacks
):
    """No check again just after joining: choosing the password counts."""
    from django.core import mail

    with django_capture_on_commit_callbacks(execute=True):
        people.staff_invite(
            actor=world.actor("manager"), email="sam@acorns.test", full_name="Sam", role="senior"
        )
    (sent,) = [m for m in mail.outbox if m.to == ["sam@acorns.test"]]
    link = re.search(r"http://testserver(/invite/\S+/)", sent.body).group(1)
    visitor = Client()
    visitor.post(
        link,
        {
            "full_name": "Sam",
            "password1": "a-long-new-passphrase",
            "password2": "a-long-new-passphrase",
        },
    )

    first = visitor.get(reverse("home"), follow=True)
    assert first.redirect_chain[-1][0] == reverse("second_factor")
    set_up_authenticator_app(visitor)
    assert visitor.get(reverse("child_list")).url == reverse("agreement")


def test_r37_the_demo_code_matches_what_allauth_checks(world):
    """Tools outside the server (the demo's `demo_code`, the API's test server,
    screenshots) compute codes themselves; allauth must agree."""
    from allauth.mfa.totp.internal.auth import validate_totp_code

    secret = seeding.authenticator_app(world.members["parent_amy"].user)

    a_fresh_code_window()
    assert validate_totp_code(secret, app_code(secret))


def test_r37_apps_keep_working_through_a_secret_key_rotation(world, settings):
    """The app's secret is encrypted with a key derived from SECRET_KEY: after a
    rotation (the old key in SECRET_KEY_FALLBACKS) it still opens, and is
    encrypted again with the new key when next used."""
    app = Authenticator.objects.get(
        user=world.members["practitioner"].user, type=Authenticator.Type.TOTP
    )
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-key-after-rotation-" + "y" * 40
    a_fresh_code_window()

    assert sign_in_with_form(Client(), PRACTITIONER).url == reverse("home")

    app.refresh_from_db()
    settings.SECRET_KEY_FALLBACKS = []
    assert MFAAdapter().decrypt(app.data["secret"])  # opens with the new key alone


def test_r37_a_session_that_skipped_the_step_cannot_set_up_another_to_pass_it(world):
    """An old password-only session of someone who has an app cannot add a
    passkey (which would count as passing) instead of using the app."""
    client = a_session_that_skipped_it(world, "senior")

    answer = client.get(reverse("mfa_add_webauthn"))

    assert answer.url.startswith(reverse("account_login"))
    assert not signed_in(client)
