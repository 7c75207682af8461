from django.urls import path

from . import views

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
]
