from django.urls import path

from . import views

app_name = "audit"
urlpatterns = [
    path("", views.search, name="search"),
    path("export.xlsx", views.search_export, name="search_export"),
    path("saved/", views.saved_search_new, name="saved_new"),
    path("saved/<int:search_id>/", views.saved_search_run, name="saved_run"),
    path("saved/<int:search_id>/delete/", views.saved_search_delete, name="saved_delete"),
    path("cases/<int:case_id>/history.pdf", views.case_pdf, name="case_pdf"),
    path("cases/<int:case_id>/history.xlsx", views.case_xlsx, name="case_xlsx"),
    path("staff/<int:staff_id>/archive.pdf", views.archive_pdf, name="archive_pdf"),
    path("staff/<int:staff_id>/archive.xlsx", views.archive_xlsx, name="archive_xlsx"),
    path("integrity/", views.integrity, name="integrity"),
    path("integrity/run/", views.integrity_run, name="integrity_run"),
]
