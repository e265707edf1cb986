"""Every URL, for every kind of person: the answer each one gets.

The test enumerates the URL configuration, the sign-in library's (allauth) and
the operator's admin included, so a new URL without a row here, or a page a
library upgrade adds, fails `test_every_url_has_a_row`. Another setting's or
family's object answers 404; a page a role may never use answers 403 (pages)
and 404 (API objects), never with details. Each request runs in a rolled-back
savepoint, so one role's successful write does not change what the next role
sees.

Covers R3, R4 (agreement gate), R5 (families), R7 (suspended), R12 (managers
only administer), R32 (the operator reaches the admin only, and no setting),
and isolation between settings.
"""

import re

import pytest
from django.contrib import messages
from django.contrib.messages import get_messages
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from footsteps.conftest import signed_in_client

ROLES = {
    "manager": "manager",
    "senior": "senior",
    "practitioner": "practitioner",
    "parent_child": "parent_amy",
    "parent_other": "parent_ben",
    "parent_unaccepted": "parent_unaccepted",
    "suspended": "suspended",
    "other_manager": "other_manager",
    "operator": "operator",
    "anonymous": None,
}
STAFF = ("manager", "senior", "practitioner")
PARENTS = ("parent_child", "parent_other")


def page(ok=(), forbidden=(), missing=(), other_manager="404"):
    """Expected answers for a page: roles in `ok` succeed, `forbidden` get 403,
    `missing` get 404; the rest follow the rules every page shares."""
    expected = {
        "anonymous": "login",
        "suspended": "login",
        "parent_unaccepted": "agreement",
        "other_manager": other_manager,
        # The operator has no place in any setting (R32).
        "operator": "no_access",
    }
    for roles, answer in ((ok, "ok"), (forbidden, "403"), (missing, "404")):
        expected.update(dict.fromkeys(roles, answer))
    return expected


def api(ok=(), forbidden=(), missing=(), invalid=(), other_manager="404"):
    expected = {
        "anonymous": "401",
        "suspended": "401",
        "parent_unaccepted": "403",
        "other_manager": other_manager,
        "operator": "401",
    }
    for roles, answer in ((ok, "ok"), (forbidden, "403"), (missing, "404"), (invalid, "422")):
        expected.update(dict.fromkeys(roles, answer))
    return expected


MANAGER_PAGE = page(
    ok=["manager"], forbidden=["senior", "practitioner", *PARENTS], other_manager="ok"
)
MANAGER_OBJECT = page(ok=["manager"], forbidden=["senior", "practitioner", *PARENTS])
STAFF_PAGE = page(ok=STAFF, forbidden=PARENTS, other_manager="ok")
STAFF_OBJECT = page(ok=STAFF, forbidden=PARENTS)
PARENT_PAGE = page(ok=PARENTS, forbidden=STAFF, other_manager="403")
EVERYONE_PAGE = page(ok=[*STAFF, *PARENTS], other_manager="ok")
SIGNED_IN_UNGATED = {**EVERYONE_PAGE, "parent_unaccepted": "ok"}
# Pages about one's own account (sign-in address): anyone signed in, the operator too.
PERSONAL_PAGE = {**SIGNED_IN_UNGATED, "operator": "ok"}
COHORT_PAGE = page(
    ok=["manager", "senior"], forbidden=["practitioner", *PARENTS], other_manager="ok"
)
COHORT_OBJECT = page(ok=["manager", "senior"], forbidden=["practitioner", *PARENTS])
EVERYBODY = dict.fromkeys(ROLES, "ok")
# A closed page; a suspended person's session ends before anything else is served.
NOBODY = {**dict.fromkeys(ROLES, "404"), "suspended": "login"}
# The operator's admin: the operator only; everyone else is sent to sign in.
OPERATOR_ONLY = {**dict.fromkeys(ROLES, "login"), "operator": "ok"}
NOT_A_TABLET = {
    **dict.fromkeys(ROLES, "404"),
    "suspended": "login",
    "parent_unaccepted": "agreement",
    "operator": "no_access",
}
OPERATOR_SUPPORT = {**dict.fromkeys(ROLES, "404"), "suspended": "login", "operator": "ok"}
API_EVERYONE = api(ok=[*STAFF, *PARENTS], other_manager="ok")
API_MANAGER = api(
    ok=["manager"], forbidden=["senior", "practitioner", *PARENTS], other_manager="ok"
)
API_MANAGER_OBJECT = api(ok=["manager"], missing=["senior", "practitioner", *PARENTS])
API_STAFF_OBJECT = api(ok=STAFF, missing=PARENTS)
API_REVIEWER_OBJECT = api(ok=["manager", "senior"], missing=["practitioner", *PARENTS])
# API actions on an object: 404 for whoever cannot see it, 403 for whoever can
# see it but may not do this to it (Amy's parent sees Amy and her entries).
API_STAFF_ACT = api(ok=STAFF, forbidden=["parent_child"], missing=["parent_other"])
API_MANAGER_SEES = api(
    ok=["manager"], forbidden=["senior", "practitioner", "parent_child"], missing=["parent_other"]
)

# name -> (method, path arguments from the world, request body, expected answers)
MATRIX = {
    "home": ("get", {}, None, {**EVERYONE_PAGE, "operator": "no_access"}),
    "health": ("get", {}, None, dict.fromkeys(ROLES, "ok")),
    "choose_setting": ("get", {}, None, {**SIGNED_IN_UNGATED, "operator": "ok"}),
    "no_access": ("get", {}, None, {**SIGNED_IN_UNGATED, "operator": "403"}),
    "sign_out_everywhere": ("post", {}, {}, dict.fromkeys(ROLES, "login")),
    "agreement": ("get", {}, None, {**SIGNED_IN_UNGATED, "operator": "403"}),
    "email_change": ("get", {}, None, PERSONAL_PAGE),
    # A link that is not (or no longer) the signed-in person's own: gone.
    "email_change_confirm": (
        "get",
        {"token": "not-a-real-token"},
        None,
        {**dict.fromkeys(ROLES, "410"), "anonymous": "login", "suspended": "login"},
    ),
    "invitation_accept": (
        "get",
        {"token": "not-a-real-token"},
        None,
        {**dict.fromkeys(ROLES, "404"), "suspended": "login"},
    ),
    "api_tokens": ("get", {}, None, EVERYONE_PAGE),
    "api_token_revoke": (
        "post",
        {"token_id": "@manager_token"},
        {},
        page(ok=["manager"], missing=["senior", "practitioner", *PARENTS]),
    ),
    "preferences": ("get", {}, None, EVERYONE_PAGE),
    # Where one is signed in (R9): one's own sessions only; another's is not found.
    "sessions": ("get", {}, None, PERSONAL_PAGE),
    # One's second sign-in step (R37): one's own only.
    "second_factor": ("get", {}, None, PERSONAL_PAGE),
    "recovery_codes": ("get", {}, None, PERSONAL_PAGE),
    "session_end": (
        "post",
        {"record_id": "@manager_session"},
        {},
        {
            **dict.fromkeys(ROLES, "404"),
            "manager": "ok",
            "anonymous": "login",
            "suspended": "login",
        },
    ),
    "sessions_end_others": ("post", {}, {}, PERSONAL_PAGE),
    "session_ping": ("get", {}, None, PERSONAL_PAGE),
    "access_rules": ("get", {}, None, MANAGER_PAGE),
    "setting_options": ("get", {}, None, MANAGER_PAGE),
    "room_create": ("post", {}, {"name": "Garden room"}, MANAGER_PAGE),
    "agreement_list": ("get", {}, None, MANAGER_PAGE),
    "audit_log": ("get", {}, None, MANAGER_PAGE),
    "staff_list": ("get", {}, None, MANAGER_PAGE),
    "staff_invite": ("get", {}, None, MANAGER_PAGE),
    "parent_list": ("get", {}, None, MANAGER_PAGE),
    "parent_invite": ("get", {}, None, MANAGER_PAGE),
    "person_detail": ("get", {"membership_id": "@practitioner"}, None, MANAGER_OBJECT),
    "person_role": ("post", {"membership_id": "@practitioner"}, {"role": "senior"}, MANAGER_OBJECT),
    "person_review": (
        "post",
        {"membership_id": "@practitioner"},
        {"needs_review": "on"},
        MANAGER_OBJECT,
    ),
    "person_suspend": ("post", {"membership_id": "@practitioner"}, {}, MANAGER_OBJECT),
    "person_reactivate": ("post", {"membership_id": "@suspended"}, {}, MANAGER_OBJECT),
    "person_resend": ("post", {"membership_id": "@practitioner"}, {}, MANAGER_OBJECT),
    "person_new_login": ("post", {"membership_id": "@practitioner"}, {}, MANAGER_OBJECT),
    "person_unlock": ("post", {"membership_id": "@practitioner"}, {}, MANAGER_OBJECT),
    "person_link": (
        "post",
        {"membership_id": "@parent_amy"},
        {"child": "@ben", "relationship": "carer"},
        MANAGER_OBJECT,
    ),
    "link_remove": ("post", {"link_id": "@amy_link"}, {}, MANAGER_OBJECT),
    "link_relationship": (
        "post",
        {"link_id": "@amy_link"},
        {"relationship": "carer"},
        MANAGER_OBJECT,
    ),
    "person_details": ("get", {"membership_id": "@practitioner"}, None, MANAGER_OBJECT),
    "person_delete": ("post", {"membership_id": "@practitioner"}, {}, MANAGER_OBJECT),
    # Support access (R32): the setting's managers let the operator in; only
    # the operator sees the settings that did, and enters one.
    "support_access": ("get", {}, None, MANAGER_PAGE),
    "support_end": ("post", {"grant_id": "@support_grant"}, {}, MANAGER_OBJECT),
    "operator_support": ("get", {}, None, OPERATOR_SUPPORT),
    # Shared tablets (R11). The switch-user page answers only on a registered
    # tablet (its cookie): to everyone else it is not there.
    "tablets": ("get", {}, None, MANAGER_PAGE),
    "tablet_revoke": ("post", {"tablet_id": "@tablet"}, {}, MANAGER_OBJECT),
    "tablet_pin": ("get", {}, None, STAFF_PAGE),
    "tablet_switch": ("get", {}, None, NOT_A_TABLET),
    "tablet_rules": ("post", {}, {"supervised_sign_in": "on"}, MANAGER_PAGE),
    # Only asked where the setting wants it; everyone else is sent on home.
    "signin_supervise": ("get", {}, None, EVERYONE_PAGE),
    "operator_support_enter": ("post", {"grant_id": "@support_grant"}, {}, OPERATOR_SUPPORT),
    "child_list": ("get", {}, None, STAFF_PAGE),
    "child_create": ("get", {}, None, MANAGER_PAGE),
    "child_detail": ("get", {"child_id": "@amy"}, None, STAFF_OBJECT),
    "child_edit": ("get", {"child_id": "@amy"}, None, MANAGER_OBJECT),
    "child_status": ("post", {"child_id": "@amy"}, {"status": "left"}, MANAGER_OBJECT),
    "child_consent": ("post", {"child_id": "@amy"}, {"image_consent": "refused"}, MANAGER_OBJECT),
    "next_step_add": ("post", {"child_id": "@amy"}, {"text": "Count to 20"}, STAFF_OBJECT),
    "next_step_achieve": ("post", {"step_id": "@amy_step"}, {}, STAFF_OBJECT),
    "feed": ("get", {}, None, PARENT_PAGE),
    "contribution_create": ("get", {}, None, PARENT_PAGE),
    "key_children": ("get", {}, None, STAFF_PAGE),
    "review_queue": (
        "get",
        {},
        None,
        page(ok=["manager", "senior"], forbidden=["practitioner", *PARENTS], other_manager="ok"),
    ),
    "monitoring": ("get", {}, None, MANAGER_PAGE),
    "observation_list": ("get", {}, None, STAFF_PAGE),
    "observation_create": ("get", {}, None, STAFF_PAGE),
    "observation_detail": (
        "get",
        {"observation_id": "@amy_only"},
        None,
        page(ok=[*STAFF, "parent_child"], missing=["parent_other"]),
    ),
    # amy_only is the senior's: a practitioner amends only their own (R16).
    "observation_edit": (
        "get",
        {"observation_id": "@amy_only"},
        None,
        page(ok=["manager", "senior"], missing=["practitioner"], forbidden=PARENTS),
    ),
    "observation_history": ("get", {"observation_id": "@amy_only"}, None, STAFF_OBJECT),
    "observation_review": (
        "post",
        {"observation_id": "@awaiting"},
        {"decision": "approve"},
        page(ok=["manager", "senior"], forbidden=["practitioner", *PARENTS]),
    ),
    "contribution_review": (
        "post",
        {"observation_id": "@contribution"},
        {"decision": "approve", "title": "At the park", "notes": "Slide"},
        STAFF_OBJECT,
    ),
    "contribution_withdraw": (
        "post",
        {"observation_id": "@contribution"},
        {},
        page(ok=["parent_child"], missing=["parent_other"], forbidden=STAFF, other_manager="403"),
    ),
    "comment_add": (
        "post",
        {"observation_id": "@amy_only"},
        {"child": "@amy", "body": "Hello"},
        page(ok=[*STAFF, "parent_child"], missing=["parent_other"]),
    ),
    "comment_approve": ("post", {"comment_id": "@pending_comment"}, {}, STAFF_OBJECT),
    # Photos and videos (R28, R31): Amy's photo is hers and staff's to see;
    # Ben's family gets 404, as for any file not theirs.
    "media_file": (
        "get",
        {"key": "@amy_photo", "variant": "thumbnail"},
        None,
        page(ok=[*STAFF, "parent_child"], missing=["parent_other"]),
    ),
    "media_download": (
        "get",
        {"key": "@amy_photo"},
        None,
        page(ok=[*STAFF, "parent_child"], missing=["parent_other"]),
    ),
    "media_manage": ("get", {"key": "@amy_photo"}, None, page(ok=STAFF, missing=PARENTS)),
    "media_redact": (
        "post",
        {"key": "@amy_photo"},
        {"regions": '[{"x": 0.1, "y": 0.1, "w": 0.3, "h": 0.3}]', "covered": "@amy"},
        page(ok=STAFF, missing=PARENTS),
    ),
    "media_remove": ("post", {"key": "@amy_photo"}, {}, page(ok=STAFF, missing=PARENTS)),
    "media_retry": (
        "post",
        {"key": "@waiting_upload"},
        {},
        page(ok=["manager"], missing=["senior", "practitioner", *PARENTS]),
    ),
    # EYFS (R23, R24, R27): a child's progress for staff and the child's own
    # family; recording, points and stories for staff; cohorts and the EYFS
    # Profile for managers and seniors, never families.
    "child_progress": (
        "get",
        {"child_id": "@amy"},
        None,
        page(ok=[*STAFF, "parent_child"], missing=["parent_other"]),
    ),
    "assess_child": ("get", {"child_id": "@amy", "period_id": "@period"}, None, STAFF_OBJECT),
    "summary_create": ("get", {"child_id": "@amy"}, None, STAFF_OBJECT),
    "periods": ("get", {}, None, STAFF_PAGE),
    "period_detail": ("get", {"period_id": "@period"}, None, STAFF_OBJECT),
    "cohort": ("get", {}, None, COHORT_PAGE),
    "cohort_csv": ("get", {}, None, COHORT_PAGE),
    # Without a period and aspect there is no figure to explain.
    "cohort_children": (
        "get",
        {},
        None,
        page(missing=["manager", "senior"], forbidden=["practitioner", *PARENTS]),
    ),
    "eyfs_profile": ("get", {"period_id": "@profile_period"}, None, COHORT_OBJECT),
    "eyfs_profile_csv": ("get", {"period_id": "@profile_period"}, None, COHORT_OBJECT),
    "frameworks": ("get", {}, None, MANAGER_PAGE),
    "framework_example": ("get", {}, None, MANAGER_PAGE),
    # PDF journals (R35): staff for any child; Amy's family only where the
    # setting allows it (not here); an export is its requester's (and managers').
    "journal_pdf": ("get", {"child_id": "@amy"}, None, page(ok=STAFF, missing=PARENTS)),
    "export_detail": (
        "get",
        {"key": "@manager_export"},
        None,
        page(ok=["manager"], missing=["senior", "practitioner", *PARENTS]),
    ),
    "export_download": (
        "get",
        {"key": "@manager_export"},
        None,
        page(ok=["manager"], missing=["senior", "practitioner", *PARENTS]),
    ),
    # Subject access (R33, R35): managers only, their own setting's children
    # and people; another setting's manager gets 404.
    "subject_access_child": ("get", {"child_id": "@amy"}, None, MANAGER_OBJECT),
    "subject_access_person": ("get", {"membership_id": "@parent_amy"}, None, MANAGER_OBJECT),
    "subject_access_detail": ("get", {"key": "@subject_export"}, None, MANAGER_OBJECT),
    "subject_access_download": ("get", {"key": "@subject_export"}, None, MANAGER_OBJECT),
    # Moving a journal to another setting (R36): managers only; another
    # setting's manager imports into their own setting, and gets 404 for ours.
    "transfer_start": ("get", {"child_id": "@amy"}, None, MANAGER_OBJECT),
    "transfer_detail": ("get", {"key": "@manager_transfer"}, None, MANAGER_OBJECT),
    "transfer_download": ("get", {"key": "@manager_transfer"}, None, MANAGER_OBJECT),
    "transfer_import": ("get", {}, None, MANAGER_PAGE),
    "transfer_imported": ("get", {"package_pk": "@imported_package"}, None, MANAGER_OBJECT),
    # The deleted area (R34).
    "deleted_area": ("get", {}, None, MANAGER_PAGE),
    "deletion_restore": ("post", {"deletion_id": "@deleted_item"}, {}, MANAGER_OBJECT),
    "observation_delete": (
        "post",
        {"observation_id": "@amy_only"},
        {},
        page(ok=["manager", "senior"], missing=["practitioner"], forbidden=PARENTS),
    ),
    "comment_delete": (
        "post",
        {"comment_id": "@pending_comment"},
        {},
        page(ok=["manager", "senior", "parent_child"], missing=["practitioner", "parent_other"]),
    ),
    "child_delete": ("post", {"child_id": "@amy"}, {}, MANAGER_OBJECT),
    # Taking down what is inappropriate (R38): Amy's family's approved reply.
    "comment_remove": (
        "post",
        {"comment_id": "@amy_reply"},
        {"reason": "Names another child"},
        page(ok=["manager", "senior"], forbidden=["practitioner", *PARENTS]),
    ),
    "contribution_remove": (
        "post",
        {"observation_id": "@approved_contribution"},
        {"reason": "Not about Amy"},
        page(ok=["manager", "senior"], forbidden=["practitioner", *PARENTS]),
    ),
    # The JSON API.
    "api:api_me": ("get", {}, None, API_EVERYONE),
    "api:api_frameworks": ("get", {}, None, API_EVERYONE),
    "api:api_child_assessments": (
        "get",
        {"child_id": "@amy"},
        None,
        api(ok=[*STAFF, "parent_child"], missing=["parent_other"]),
    ),
    "api:api_staff": ("get", {}, None, API_MANAGER),
    "api:api_staff_invite": (
        "post",
        {},
        {"email": "new@acorns.test", "full_name": "New", "role": "practitioner"},
        API_MANAGER,
    ),
    "api:api_parents": ("get", {}, None, API_MANAGER),
    "api:api_parent_invite": (
        "post",
        {},
        {"email": "new@family.test", "full_name": "New", "child_id": "@amy"},
        api(ok=["manager"], forbidden=["senior", "practitioner", *PARENTS]),
    ),
    "api:api_person": (
        "patch",
        {"membership_id": "@practitioner"},
        {"role": "senior"},
        API_MANAGER_OBJECT,
    ),
    "api:api_suspend": ("post", {"membership_id": "@practitioner"}, None, API_MANAGER_OBJECT),
    "api:api_reactivate": ("post", {"membership_id": "@suspended"}, None, API_MANAGER_OBJECT),
    "api:api_resend": ("post", {"membership_id": "@practitioner"}, None, API_MANAGER_OBJECT),
    "api:api_link": (
        "post",
        {"membership_id": "@parent_amy"},
        {"child_id": "@ben"},
        API_MANAGER_OBJECT,
    ),
    "api:api_unlink": ("delete", {"link_id": "@amy_link"}, None, API_MANAGER_OBJECT),
    # R34: amy_only is the senior's: a practitioner sees it but may not delete it.
    "api:api_observation_delete": (
        "delete",
        {"observation_id": "@amy_only"},
        None,
        api(
            ok=["manager", "senior"],
            forbidden=["practitioner", "parent_child"],
            missing=["parent_other"],
        ),
    ),
    "api:api_children": ("get", {}, None, API_EVERYONE),
    "api:api_child": (
        "get",
        {"child_id": "@amy"},
        None,
        api(ok=[*STAFF, "parent_child"], missing=["parent_other"]),
    ),
    "api:api_child_create": (
        "post",
        {},
        {"first_name": "Dan", "last_name": "New", "date_of_birth": "2023-01-01"},
        API_MANAGER,
    ),
    "api:api_child_update": (
        "patch",
        {"child_id": "@amy"},
        {"first_name": "Amelia"},
        API_MANAGER_SEES,
    ),
    "api:api_upload_start": (
        "post",
        {},
        {"name": "photo.jpg", "size": 1000},
        api(ok=[*STAFF, *PARENTS], other_manager="ok"),
    ),
    # An upload is its sender's alone until it is on an entry.
    "api:api_upload": (
        "get",
        {"key": "@manager_upload"},
        None,
        api(ok=["manager"], missing=["senior", "practitioner", *PARENTS]),
    ),
    "api:api_upload_chunk": (
        "put",
        {"key": "@manager_upload"},
        {},
        api(ok=["manager"], missing=["senior", "practitioner", *PARENTS]),
    ),
    "api:api_upload_remove": (
        "delete",
        {"key": "@manager_upload"},
        None,
        api(ok=["manager"], missing=["senior", "practitioner", *PARENTS]),
    ),
    "api:api_upload_retry": (
        "post",
        {"key": "@waiting_upload"},
        None,
        api(ok=["manager"], missing=["senior", "practitioner", *PARENTS]),
    ),
    "api:api_media_children": (
        "put",
        {"key": "@amy_photo"},
        {"appears": ["@amy"], "left_out": []},
        API_STAFF_ACT,
    ),
    "api:api_media_file": (
        "get",
        {"key": "@amy_photo", "variant": "display"},
        None,
        api(ok=[*STAFF, "parent_child"], missing=["parent_other"]),
    ),
    "api:api_media_download": (
        "get",
        {"key": "@amy_photo"},
        None,
        api(ok=[*STAFF, "parent_child"], missing=["parent_other"]),
    ),
    "api:api_observations": ("get", {}, None, API_EVERYONE),
    "api:api_observation": (
        "get",
        {"observation_id": "@amy_only"},
        None,
        api(ok=[*STAFF, "parent_child"], missing=["parent_other"]),
    ),
    "api:api_observation_create": (
        "post",
        {},
        {
            "title": "Jumping",
            "child_ids": ["@amy"],
            "observed_at": "2026-01-05T10:00:00Z",
            "publish": True,
        },
        # Another setting's child named in the body: not found here.
        api(ok=STAFF, forbidden=PARENTS, other_manager="404"),
    ),
    "api:api_observation_update": (
        "patch",
        {"observation_id": "@amy_only"},
        {"version": 1, "title": "Amended"},
        api(
            ok=["manager", "senior"],
            forbidden=["practitioner", "parent_child"],
            missing=["parent_other"],
        ),
    ),
    "api:api_observation_approve": (
        "post",
        {"observation_id": "@awaiting"},
        None,
        api(ok=["manager", "senior"], forbidden=["practitioner"], missing=PARENTS),
    ),
    "api:api_observation_return": (
        "post",
        {"observation_id": "@awaiting"},
        {"note": "Add more detail"},
        api(ok=["manager", "senior"], forbidden=["practitioner"], missing=PARENTS),
    ),
    "api:api_contribution_create": (
        "post",
        {},
        {
            "title": "Home",
            "child_ids": ["@amy"],
            "observed_at": "2026-01-05T10:00:00Z",
            "notes": "At home",
        },
        api(ok=["parent_child"], missing=["parent_other"], forbidden=STAFF, other_manager="403"),
    ),
    "api:api_contribution_approve": (
        "post",
        {"observation_id": "@contribution"},
        {},
        API_STAFF_ACT,
    ),
    "api:api_contribution_decline": (
        "post",
        {"observation_id": "@contribution"},
        {"note": "Not about Amy"},
        API_STAFF_ACT,
    ),
    "api:api_contribution_withdraw": (
        "post",
        {"observation_id": "@contribution"},
        None,
        api(ok=["parent_child"], forbidden=STAFF, missing=["parent_other"]),
    ),
    "api:api_comment_add": (
        "post",
        {"observation_id": "@amy_only"},
        {"child_id": "@amy", "body": "Hello"},
        api(ok=[*STAFF, "parent_child"], missing=["parent_other"]),
    ),
    "api:api_comment_approve": ("post", {"comment_id": "@pending_comment"}, None, API_STAFF_ACT),
    "api:api_observation_history": (
        "get",
        {"observation_id": "@amy_only"},
        None,
        API_STAFF_ACT,
    ),
    "api:api_next_steps": ("get", {"child_id": "@amy"}, None, API_STAFF_ACT),
    "api:api_next_step_add": (
        "post",
        {"child_id": "@amy"},
        {"text": "Count to 20"},
        API_STAFF_ACT,
    ),
    "api:api_next_step_achieve": ("post", {"step_id": "@amy_step"}, None, API_STAFF_OBJECT),
    "api:api_key_children": (
        "get",
        {},
        None,
        api(ok=STAFF, forbidden=PARENTS, other_manager="ok"),
    ),
    "api:api_monitoring": ("get", {}, None, API_MANAGER),
    "api:api_review_queue": (
        "get",
        {},
        None,
        api(ok=["manager", "senior"], forbidden=["practitioner", *PARENTS], other_manager="ok"),
    ),
    # Ninja's root answers nothing by itself; the schema and docs are public.
    "api:api-root": ("get", {}, None, dict.fromkeys(ROLES, "404")),
    "api:openapi-json": ("get", {}, None, dict.fromkeys(ROLES, "ok")),
    "api:openapi-view": ("get", {}, None, dict.fromkeys(ROLES, "ok")),
}

# The sign-in library's pages (allauth). Footsteps uses sign-in, sign-out, the
# password change and reset; every other page answers 404 (config/urls.py).
LIBRARY_MATRIX = {
    "account_login": ("get", {}, None, {**EVERYBODY, "suspended": "login"}),
    # Anonymous visitors are sent home, which sends them to sign in.
    "account_logout": ("get", {}, None, {**EVERYBODY, "suspended": "login"}),
    "account_change_password": (
        "get",
        {},
        None,
        {**EVERYBODY, "anonymous": "login", "suspended": "login"},
    ),
    "account_reset_password": ("get", {}, None, {**EVERYBODY, "suspended": "login"}),
    "account_reset_password_done": ("get", {}, None, {**EVERYBODY, "suspended": "login"}),
    "account_reset_password_from_key": (
        "get",
        {"uidb36": "1", "key": "not-a-key"},
        None,
        {**EVERYBODY, "suspended": "login"},
    ),
    "account_reset_password_from_key_done": (
        "get",
        {},
        None,
        {**EVERYBODY, "suspended": "login"},
    ),
    "account_signup": ("get", {}, None, NOBODY),
    "account_email": ("get", {}, None, NOBODY),
    "account_email_verification_sent": ("get", {}, None, NOBODY),
    "account_confirm_email": ("get", {"key": "some-key"}, None, NOBODY),
    "account_set_password": ("get", {}, None, NOBODY),
    "account_inactive": ("get", {}, None, NOBODY),
    # The password again before a sensitive action (R37).
    "account_reauthenticate": ("get", {}, None, PERSONAL_PAGE),
    # The second step (R37), allauth's pages (ours at its addresses, for adding
    # and removing one: footsteps/security/mfa_urls.py). The sign-in step only
    # while signing in: whoever is signed in already goes home, anyone else to sign in.
    "mfa_index": ("get", {}, None, PERSONAL_PAGE),
    "mfa_authenticate": (
        "get",
        {},
        None,
        {**EVERYBODY, "anonymous": "login", "suspended": "login"},
    ),
    "mfa_reauthenticate": ("get", {}, None, PERSONAL_PAGE),
    "mfa_reauthenticate_webauthn": ("get", {}, None, PERSONAL_PAGE),
    # Staff have an app already: sent to the page that removes it.
    "mfa_activate_totp": ("get", {}, None, PERSONAL_PAGE),
    "mfa_deactivate_totp": (
        "get",
        {},
        None,
        {**PERSONAL_PAGE, **dict.fromkeys([*PARENTS, "parent_unaccepted"], "404")},
    ),
    "mfa_add_webauthn": ("get", {}, None, PERSONAL_PAGE),
    # Another person's passkey is not found.
    "mfa_remove_webauthn": (
        "get",
        {"pk": "@manager_passkey"},
        None,
        {
            **dict.fromkeys(ROLES, "404"),
            "manager": "ok",
            "anonymous": "login",
            "suspended": "login",
        },
    ),
    "mfa_list_webauthn": ("get", {}, None, NOBODY),
    "mfa_edit_webauthn": ("get", {"pk": "@manager_passkey"}, None, NOBODY),
    "account_confirm_login_code": ("get", {}, None, NOBODY),
    # The operator's admin (R32): settings and accounts only, through the same sign-in.
    "admin:index": ("get", {}, None, OPERATOR_ONLY),
    "admin:login": ("get", {}, None, dict.fromkeys(ROLES, "login")),
    # Sends anyone to Footsteps' own sign-out page.
    "admin:logout": ("get", {}, None, EVERYBODY),
    "admin:password_change": ("get", {}, None, {**OPERATOR_ONLY, "operator": "ok"}),
    "admin:password_change_done": ("get", {}, None, OPERATOR_ONLY),
    "admin:autocomplete": ("get", {}, None, {**OPERATOR_ONLY, "operator": "403"}),
    # Settings have no public page to show.
    "admin:view_on_site": (
        "get",
        {"content_type_id": "@setting_type", "object_id": "@setting"},
        None,
        {**OPERATOR_ONLY, "operator": "404"},
    ),
    "admin:jsi18n": ("get", {}, None, OPERATOR_ONLY),
    "admin:app_list": ("get", {"app_label": "people"}, None, OPERATOR_ONLY),
    "admin:people_user_changelist": ("get", {}, None, OPERATOR_ONLY),
    "admin:people_user_add": ("get", {}, None, {**OPERATOR_ONLY, "operator": "403"}),
    "admin:people_user_change": ("get", {"object_id": "@manager_user"}, None, OPERATOR_ONLY),
    "admin:people_user_history": ("get", {"object_id": "@manager_user"}, None, OPERATOR_ONLY),
    "admin:people_user_delete": (
        "get",
        {"object_id": "@manager_user"},
        None,
        {**OPERATOR_ONLY, "operator": "403"},
    ),
    "admin:tenancy_setting_changelist": ("get", {}, None, OPERATOR_ONLY),
    "admin:tenancy_setting_add": ("get", {}, None, {**OPERATOR_ONLY, "operator": "403"}),
    "admin:tenancy_setting_change": ("get", {"object_id": "@setting"}, None, OPERATOR_ONLY),
    "admin:tenancy_setting_history": ("get", {"object_id": "@setting"}, None, OPERATOR_ONLY),
    "admin:tenancy_setting_delete": (
        "get",
        {"object_id": "@setting"},
        None,
        {**OPERATOR_ONLY, "operator": "403"},
    ),
}
MATRIX.update(LIBRARY_MATRIX)


def _walk(patterns, namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}{entry.namespace}:"
            yield from _walk(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry


def _all_urls():
    return dict(_walk(get_resolver().url_patterns))


def _is_library(name: str, pattern) -> bool:
    return name.startswith("admin:") or pattern.callback.__module__.startswith(
        ("allauth.", "django.")
    )


def test_every_url_has_a_row():
    urls = _all_urls()
    missing = sorted(set(urls) - set(MATRIX))
    stale = sorted(set(MATRIX) - set(urls))
    assert not missing, f"URLs with no row in the access matrix: {missing}"
    assert not stale, f"Rows for URLs that no longer exist: {stale}"


def test_every_row_names_every_role():
    for name, (_method, _args, _body, expected) in MATRIX.items():
        assert set(expected) == set(ROLES), f"{name}: roles {set(ROLES) ^ set(expected)}"


def test_every_page_view_declares_its_action():
    for name, pattern in _all_urls().items():
        if name.startswith("api:") or _is_library(name, pattern):
            continue  # API routes: the next test
        assert getattr(pattern.callback, "footsteps_action", None), f"{name} declares no action"


def test_every_api_route_declares_its_action():
    from footsteps.access.policy import RULES
    from footsteps.api.api import api

    routes = [
        (path, operation.view_func)
        for _prefix, router in api._routers
        for path, path_view in router.path_operations.items()
        for operation in path_view.operations
    ]
    assert len(routes) > 30
    for path, route in routes:
        assert getattr(route, "footsteps_action", None) in RULES, f"{path} declares no action"


def outcome(response) -> str:
    """What the person got. A redirect is success only when it is where success
    goes: not to sign in, the agreement or "no access", and carrying no error
    message (a refused form redirects back with one: "refused")."""
    if response.status_code in (301, 302, 303):
        location = response["Location"]
        if location.startswith((reverse("account_login"), reverse("admin:login"))):
            return "login"
        if location.startswith(reverse("agreement")):
            return "agreement"
        if location.startswith(reverse("no_access")):
            return "no_access"
        if any(m.level >= messages.ERROR for m in get_messages(response.wsgi_request)):
            return "refused"
        return "ok"
    if 200 <= response.status_code < 300:
        return "ok"
    return str(response.status_code)


def _resolve(value, ids):
    """ "@name" stands for the id of a world object; anything else is literal."""
    if isinstance(value, list):
        return [_resolve(v, ids) for v in value]
    if isinstance(value, str) and value.startswith("@"):
        return ids[value[1:]]
    return value


def _request(client, method, url, body, is_api):
    if method == "get":
        return client.get(url)
    if is_api:
        return getattr(client, method)(url, data=body or {}, content_type="application/json")
    return client.post(url, data=body or {})


def documented_statuses(method: str, url: str) -> set[str]:
    """The statuses the OpenAPI schema lists for this request's operation."""
    from footsteps.api.api import api

    for template, operations in api.get_openapi_schema()["paths"].items():
        pattern = re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(template))
        if re.fullmatch(pattern, url) and method in operations:
            return {str(status) for status in operations[method]["responses"]}
    raise AssertionError(f"{method.upper()} {url} is not in the schema")


# Rows that change with every request, whatever its answer (sessions, key use).
_VOLATILE = {"sessions.session", "people.apitoken", "django_tasks_db.dbtaskresult"}


# Where success itself is the sign-in page.
SIGNS_OUT_ON_SUCCESS = {"sign_out_everywhere"}


# The data a request could change: Footsteps' own, and allauth's addresses.
_APPS = {"people", "children", "journal", "tenancy", "audit", "account", "auth"}


def database_snapshot() -> dict:
    """Every row of every table a request could change (read with plain SQL:
    the matrix takes hundreds of these)."""
    from django.apps import apps
    from django.db import connection

    tables = [
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label in _APPS
        and model._meta.managed
        and model._meta.label_lower not in _VOLATILE
        and model._meta.label_lower != "auth.permission"
    ]
    snapshot = {}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            snapshot[table] = sorted(map(repr, cursor.fetchall()))
    return snapshot


def test_the_snapshot_sees_every_kind_of_change(world):
    """The "nothing changed" checks rest on this: an insert, an update and a
    delete each show."""
    from footsteps.children.models import ParentLink

    before = database_snapshot()
    assert len(before) > 15
    assert any(before.values())
    with transaction.atomic():
        ParentLink.objects.filter(child=world.children["amy"]).update(relationship="carer")
        assert database_snapshot() != before
        transaction.set_rollback(True)
    with transaction.atomic():
        ParentLink.objects.filter(child=world.children["amy"]).delete()
        assert database_snapshot() != before
        transaction.set_rollback(True)
    assert database_snapshot() == before


def client_for(matrix_world, member):
    if member == "operator":
        return signed_in_client(matrix_world["operator_user"])
    return matrix_world["world"].client(member) if member else Client()


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_url_answers_each_role_as_the_matrix_says(matrix_world, name):
    method, args, body, expected = MATRIX[name]
    kwargs = {key: _resolve(value, matrix_world) for key, value in args.items()}
    url = reverse(name, kwargs=kwargs)
    body = {key: _resolve(value, matrix_world) for key, value in (body or {}).items()}
    is_api = name.startswith("api:") and not name.startswith("api:openapi")
    answers, statuses, changed = {}, set(), []
    clients = {role: client_for(matrix_world, member) for role, member in ROLES.items()}
    # Each role's request is rolled back, so they all start from this state.
    before = database_snapshot() if method != "get" else None
    for role, client in clients.items():
        with transaction.atomic():
            response = _request(client, method, url, body, name.startswith("api:"))
            answers[role] = outcome(response)
            # Whatever was refused (403, 404, a failed form) changed nothing.
            refused = answers[role] != "ok" and name not in SIGNS_OUT_ON_SUCCESS
            if before is not None and refused and database_snapshot() != before:
                changed.append(role)
            transaction.set_rollback(True)
        if is_api and name != "api:api-root":
            statuses.add(str(response.status_code))
            if response.status_code >= 400:
                # One error shape for every error the API answers.
                assert set(response.json()) == {"detail", "errors"}, (role, response.json())
    assert answers == expected
    assert changed == [], f"refused, yet the database changed for {changed}"
    if statuses:
        # The schema tells the truth: every answer seen here is documented.
        assert statuses <= documented_statuses(method, url), statuses
