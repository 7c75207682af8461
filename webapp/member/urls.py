from django.urls import path

from . import views

app_name = "member"
urlpatterns = [
    path("", views.home, name="home"),
    path("certificate/qr.svg", views.certificate_qr, name="certificate_qr"),
    path("cases/<int:case_id>/", views.case_detail, name="case"),
    path("appeals/new/", views.appeal_new, name="appeal_new"),
    path("suggestions/new/", views.suggestion_new, name="suggestion_new"),
    path("password/", views.PasswordChange.as_view(), name="password"),
]
