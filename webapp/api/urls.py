from django.urls import URLPattern, URLResolver, path, re_path
from drf_spectacular.views import SpectacularAPIView

from .errors import not_found
from .views import admin, cases, docs, inbox, member, oversight, public, records, staff

app_name = "api"
urlpatterns: list[URLPattern | URLResolver] = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", docs.api_docs, name="docs"),
    path("token/", docs.api_token, name="token"),
    path("inbox/", inbox.InboxList.as_view(), name="inbox"),
    path("tasks/<int:task_id>/", inbox.task_detail, name="task"),
    path("tasks/<int:task_id>/claim/", inbox.task_claim, name="task_claim"),
    path("tasks/<int:task_id>/release/", inbox.task_release, name="task_release"),
    path("tasks/<int:task_id>/complete/", inbox.task_complete, name="task_complete"),
    path("cases/", cases.CaseList.as_view(), name="cases"),
    path("cases/<int:case_id>/", cases.case_detail, name="case"),
    path("recruitments/", cases.recruitment_start, name="recruitments"),
    path("usage-plans/", cases.usage_plan_start, name="usage_plans"),
    path("cases/<int:case_id>/history/", cases.case_history, name="case_history"),
    path("staff/", staff.StaffList.as_view(), name="staff"),
    path("staff/<int:staff_id>/", staff.StaffDetail.as_view(), name="staff_detail"),
    path("certificates/", staff.CertificateList.as_view(), name="certificates"),
    path(
        "certificates/<int:certificate_id>/",
        staff.CertificateDetail.as_view(),
        name="certificate",
    ),
    path("staff/<int:staff_id>/duties/", records.staff_duties, name="staff_duties"),
    path("staff/<int:staff_id>/grade/", records.staff_grade, name="staff_grade"),
    path("staff/<int:staff_id>/sign-in/", records.staff_sign_in, name="staff_sign_in"),
    path(
        "certificates/<int:certificate_id>/pdf/",
        records.certificate_pdf_download,
        name="certificate_pdf",
    ),
    path("agencies/", records.AgencyList.as_view(), name="agencies"),
    path("recruitments/ranking/", records.recruitment_ranking_list, name="ranking"),
    path("cases/lookup/", records.case_lookup, name="case_lookup"),
    path("integrity-runs/", oversight.integrity_runs, name="integrity_runs"),
    path("integrity-runs/<int:run_id>/", oversight.integrity_run_detail, name="integrity_run"),
    path("reports/", oversight.report, name="report"),
    path("correction-orders/", oversight.correction_orders, name="correction_orders"),
    path("measures-filings/", oversight.measures_filings, name="measures_filings"),
    path("me/", member.me, name="me"),
    path("me/appeals/", member.appeals, name="me_appeals"),
    path("me/suggestions/", member.suggestions, name="me_suggestions"),
    path("admin/users/", admin.UserList.as_view(), name="admin_users"),
    path("admin/users/<int:user_id>/", admin.user_detail, name="admin_user"),
    path("admin/users/<int:user_id>/token/", admin.user_token, name="admin_user_token"),
    path("admin/memberships/", admin.memberships, name="admin_memberships"),
    path(
        "admin/memberships/<int:membership_id>/",
        admin.membership_detail,
        name="admin_membership",
    ),
    path("admin/grants/", admin.grants, name="admin_grants"),
    path("admin/grants/<int:grant_id>/", admin.grant_detail, name="admin_grant"),
    path("public/registry/", public.registry, name="public_registry"),
    path("public/certificates/<str:number>/", public.certificate_check, name="public_certificate"),
    path("public/complaints/", public.complaint_submit, name="public_complaints"),
    path("public/complaints/<str:receipt>/", public.complaint_status, name="public_complaint"),
    # Anything else under /api/ answers in JSON too, not with the site's HTML 404 page.
    # [\s\S], not ".": an address with a line break (%0A) must not fall through to HTML.
    re_path(r"^[\s\S]*$", not_found),
]
