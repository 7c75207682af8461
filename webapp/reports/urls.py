from django.urls import URLPattern, URLResolver, path

from . import views

app_name = "reports"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.report_page, name="index"),
    path("export.xlsx", views.report_export, name="export"),
]
