from allauth.account import urls as allauth_account_urls
from django.contrib import admin
from django.urls import URLPattern, include, path

from footsteps.api.api import api
from footsteps.assessments import views as assessments
from footsteps.children import views as children
from footsteps.core import views as core
from footsteps.exports import views as exports
from footsteps.journal import views as journal
from footsteps.media import views as media
from footsteps.people import views as people
from footsteps.records import views as records
from footsteps.security import views as security
from footsteps.subject_access import views as subject_access
from footsteps.support import views as support
from footsteps.tablets import views as tablets
from footsteps.tenancy import views as tenancy
from footsteps.transfers import views as transfers

# The allauth pages Footsteps uses. Every other one (its email addresses page,
# sign-up...) answers 404: routed ahead of allauth's include, so a page a new
# allauth version adds is closed until someone opens it here. Its second-step
# pages: footsteps/security/mfa_urls.py.
ALLAUTH_PAGES_USED = {
    "account_login",
    "account_logout",
    # The password again before a sensitive action (footsteps.security.second_factor).
    "account_reauthenticate",
    "account_change_password",
    "account_reset_password",
    "account_reset_password_done",
    "account_reset_password_from_key",
    "account_reset_password_from_key_done",
}
allauth_pages_closed = [
    URLPattern(pattern.pattern, core.not_found)
    for pattern in allauth_account_urls.urlpatterns
    if isinstance(pattern, URLPattern) and pattern.name not in ALLAUTH_PAGES_USED
]

urlpatterns = [
    path("", core.home, name="home"),
    path("health/", core.health, name="health"),
    path("choose-setting/", core.choose_setting, name="choose_setting"),
    path("no-access/", core.no_access, name="no_access"),
    path("sign-out-everywhere/", core.sign_out_everywhere, name="sign_out_everywhere"),
    path("agreement/", tenancy.agreement, name="agreement"),
    path("invite/<str:token>/", people.invitation_accept, name="invitation_accept"),
    path("accounts/", include(allauth_pages_closed)),
    path("accounts/2fa/", include("footsteps.security.mfa_urls")),
    path("accounts/", include("allauth.urls")),
    path("account/email/", people.email_change, name="email_change"),
    path(
        "account/email/confirm/<str:token>/",
        people.email_change_confirm,
        name="email_change_confirm",
    ),
    path("account/api-keys/", people.api_tokens, name="api_tokens"),
    path(
        "account/api-keys/<int:token_id>/revoke/", people.api_token_revoke, name="api_token_revoke"
    ),
    path("account/preferences/", people.preferences, name="preferences"),
    # Where one is signed in, and the idle warning's ping (R9).
    path("account/sessions/", security.session_list, name="sessions"),
    path("account/sessions/<int:record_id>/end/", security.session_end, name="session_end"),
    path(
        "account/sessions/end-others/",
        security.sessions_end_others,
        name="sessions_end_others",
    ),
    path("account/sessions/ping/", security.session_ping, name="session_ping"),
    # Managing the setting (R12).
    path("manage/setting/", tenancy.setting_options, name="setting_options"),
    path("manage/access/", security.access_rules, name="access_rules"),
    path("manage/rooms/new/", tenancy.room_create, name="room_create"),
    path("manage/agreements/", tenancy.agreement_list, name="agreement_list"),
    path("manage/audit/", tenancy.audit_log, name="audit_log"),
    path("manage/staff/", people.staff_list, name="staff_list"),
    path("manage/staff/invite/", people.staff_invite, name="staff_invite"),
    path("manage/parents/", people.parent_list, name="parent_list"),
    path("manage/parents/invite/", people.parent_invite, name="parent_invite"),
    path("manage/people/<int:membership_id>/", people.person_detail, name="person_detail"),
    path("manage/people/<int:membership_id>/role/", people.person_role, name="person_role"),
    path("manage/people/<int:membership_id>/review/", people.person_review, name="person_review"),
    path(
        "manage/people/<int:membership_id>/suspend/", people.person_suspend, name="person_suspend"
    ),
    path(
        "manage/people/<int:membership_id>/reactivate/",
        people.person_reactivate,
        name="person_reactivate",
    ),
    path("manage/people/<int:membership_id>/resend/", people.person_resend, name="person_resend"),
    path(
        "manage/people/<int:membership_id>/new-login/",
        people.person_new_login,
        name="person_new_login",
    ),
    path("manage/people/<int:membership_id>/unlock/", people.person_unlock, name="person_unlock"),
    path("manage/people/<int:membership_id>/link/", people.person_link, name="person_link"),
    path(
        "manage/people/<int:membership_id>/details/",
        people.person_details,
        name="person_details",
    ),
    path("manage/links/<int:link_id>/remove/", people.link_remove, name="link_remove"),
    path(
        "manage/links/<int:link_id>/relationship/",
        people.link_relationship,
        name="link_relationship",
    ),
    # Children.
    path("children/", children.child_list, name="child_list"),
    path("children/new/", children.child_create, name="child_create"),
    path("children/<int:child_id>/", journal.child_detail, name="child_detail"),
    path("children/<int:child_id>/edit/", children.child_edit, name="child_edit"),
    path("children/<int:child_id>/status/", children.child_status, name="child_status"),
    path("children/<int:child_id>/consent/", children.child_consent, name="child_consent"),
    path("children/<int:child_id>/next-steps/", journal.next_step_add, name="next_step_add"),
    # EYFS: a child's progress, assessing them, stories and checks (R23, R27).
    path("children/<int:child_id>/progress/", assessments.child_progress, name="child_progress"),
    path(
        "children/<int:child_id>/assess/<int:period_id>/",
        assessments.assess_child,
        name="assess_child",
    ),
    path("children/<int:child_id>/summaries/new/", journal.summary_create, name="summary_create"),
    path("assessments/", assessments.periods, name="periods"),
    path("assessments/<int:period_id>/", assessments.period_detail, name="period_detail"),
    path("assessments/cohort/", assessments.cohort, name="cohort"),
    path("assessments/cohort.csv", assessments.cohort_csv, name="cohort_csv"),
    path("assessments/cohort/children/", assessments.cohort_children, name="cohort_children"),
    path("assessments/<int:period_id>/profile/", assessments.eyfs_profile, name="eyfs_profile"),
    path(
        "assessments/<int:period_id>/profile.csv",
        assessments.eyfs_profile_csv,
        name="eyfs_profile_csv",
    ),
    path("manage/frameworks/", assessments.frameworks, name="frameworks"),
    # PDF journals (R35, R36).
    path("children/<int:child_id>/pdf/", exports.journal_pdf, name="journal_pdf"),
    path("exports/<uuid:key>/", exports.export_detail, name="export_detail"),
    path("exports/<uuid:key>/download/", exports.export_download, name="export_download"),
    # Moving a journal to another setting (R36).
    path("children/<int:child_id>/transfer/", transfers.transfer_start, name="transfer_start"),
    path("transfers/<uuid:key>/", transfers.transfer_detail, name="transfer_detail"),
    path("transfers/<uuid:key>/download/", transfers.transfer_download, name="transfer_download"),
    path("transfers/import/", transfers.transfer_import, name="transfer_import"),
    path(
        "transfers/imported/<int:package_pk>/",
        transfers.transfer_imported,
        name="transfer_imported",
    ),
    # Subject access exports (R33, R35): everything held about a child or person.
    path(
        "children/<int:child_id>/subject-access/",
        subject_access.child_request,
        name="subject_access_child",
    ),
    path(
        "manage/people/<int:membership_id>/subject-access/",
        subject_access.person_request,
        name="subject_access_person",
    ),
    path(
        "subject-access/<uuid:key>/",
        subject_access.export_detail,
        name="subject_access_detail",
    ),
    path(
        "subject-access/<uuid:key>/download/",
        subject_access.export_download,
        name="subject_access_download",
    ),
    # The deleted area (R34).
    path("manage/deleted/", records.deleted_area, name="deleted_area"),
    path(
        "manage/deleted/<int:deletion_id>/restore/",
        records.deletion_restore,
        name="deletion_restore",
    ),
    path(
        "observations/<int:observation_id>/delete/",
        records.observation_delete,
        name="observation_delete",
    ),
    path("comments/<int:comment_id>/delete/", records.comment_delete, name="comment_delete"),
    # Taking down what is inappropriate (R38).
    path("comments/<int:comment_id>/remove/", records.comment_remove, name="comment_remove"),
    path(
        "observations/<int:observation_id>/remove/",
        records.contribution_remove,
        name="contribution_remove",
    ),
    path("children/<int:child_id>/delete/", records.child_delete, name="child_delete"),
    # Support access (R32): a manager lets the operator in for a while.
    path("manage/support/", support.support_access, name="support_access"),
    path("manage/support/<int:grant_id>/end/", support.support_end, name="support_end"),
    path("operator-support/", support.operator_support, name="operator_support"),
    # Shared tablets (R11).
    path("manage/tablets/", tablets.tablets, name="tablets"),
    path("manage/tablets/<int:tablet_id>/revoke/", tablets.tablet_revoke, name="tablet_revoke"),
    path("account/tablet-pin/", tablets.tablet_pin, name="tablet_pin"),
    path("tablet/", tablets.tablet_switch, name="tablet_switch"),
    path("manage/tablets/rules/", tablets.tablet_rules, name="tablet_rules"),
    path("sign-in/confirm/", tablets.signin_supervise, name="signin_supervise"),
    path(
        "operator-support/<int:grant_id>/enter/",
        support.operator_enter,
        name="operator_support_enter",
    ),
    path(
        "manage/people/<int:membership_id>/delete/",
        records.person_delete,
        name="person_delete",
    ),
    path("manage/frameworks/example.csv", assessments.framework_example, name="framework_example"),
    path("next-steps/<int:step_id>/achieved/", journal.next_step_achieve, name="next_step_achieve"),
    # The journal.
    path("journal/", journal.feed, name="feed"),
    path("journal/add/", journal.contribution_create, name="contribution_create"),
    path("key-children/", journal.key_children, name="key_children"),
    path("review/", journal.review_queue, name="review_queue"),
    path("monitoring/", journal.monitoring, name="monitoring"),
    path("observations/", journal.observation_list, name="observation_list"),
    path("observations/new/", journal.observation_create, name="observation_create"),
    path(
        "observations/<int:observation_id>/", journal.observation_detail, name="observation_detail"
    ),
    path(
        "observations/<int:observation_id>/edit/", journal.observation_edit, name="observation_edit"
    ),
    path(
        "observations/<int:observation_id>/history/",
        journal.observation_history,
        name="observation_history",
    ),
    path(
        "observations/<int:observation_id>/review/",
        journal.observation_review,
        name="observation_review",
    ),
    path(
        "observations/<int:observation_id>/contribution/",
        journal.contribution_review,
        name="contribution_review",
    ),
    path(
        "observations/<int:observation_id>/withdraw/",
        journal.contribution_withdraw,
        name="contribution_withdraw",
    ),
    path("observations/<int:observation_id>/comments/", journal.comment_add, name="comment_add"),
    path("comments/<int:comment_id>/approve/", journal.comment_approve, name="comment_approve"),
    # Photos and videos: every file through the policy (R31).
    path("media/<uuid:key>/", media.media_manage, name="media_manage"),
    path("media/<uuid:key>/cover/", media.media_redact, name="media_redact"),
    path("media/<uuid:key>/retry/", media.media_retry, name="media_retry"),
    path("media/<uuid:key>/remove/", media.media_remove, name="media_remove"),
    path("media/<uuid:key>/download/", media.media_download, name="media_download"),
    path(
        "media/<uuid:key>/<str:variant>/",
        media.media_file,
        name="media_file",
    ),
    # Machine clients.
    path("api/v1/", api.urls),
    # The operator's admin: settings and accounts only, never children's records (R32).
    path("operator/", admin.site.urls),
]
