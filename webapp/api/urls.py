from django.urls import URLPattern, URLResolver, path, re_path
from drf_spectacular.views import SpectacularAPIView

from .errors import not_found
from .views import cases, docs, inbox, public, staff

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
    path("public/registry/", public.registry, name="public_registry"),
    path("public/certificates/<str:number>/", public.certificate_check, name="public_certificate"),
    path("public/complaints/", public.complaint_submit, name="public_complaints"),
    path("public/complaints/<str:receipt>/", public.complaint_status, name="public_complaint"),
    # Anything else under /api/ answers in JSON too, not with the site's HTML 404 page.
    re_path(r"^.*$", not_found),
]
