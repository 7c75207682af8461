from django.urls import path

from . import supervision_views, views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("<int:case_id>/", views.case_detail, name="detail"),
    path("<int:case_id>/diagram.bpmn", views.case_diagram, name="diagram"),
    path("<int:case_id>/withdraw/", views.case_withdraw, name="withdraw"),
    path("<int:case_id>/terminate/", views.case_terminate, name="terminate"),
    path("<int:case_id>/print/", views.case_print, name="print"),
    path("usage-plans/new/", views.usage_plan_new, name="usage_plan_new"),
    path("complaints/new/", views.complaint_new, name="complaint_new"),
    path(
        "correction-orders/new/",
        supervision_views.correction_order_new,
        name="correction_order_new",
    ),
    path(
        "measures-filings/new/", supervision_views.measures_filing_new, name="measures_filing_new"
    ),
]
