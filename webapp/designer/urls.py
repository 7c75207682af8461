from django.urls import path

from . import views

app_name = "designer"
urlpatterns = [
    path("", views.index, name="index"),
    path("import/", views.draft_import, name="import"),
    path("processes/<str:process_id>/open/", views.draft_open, name="open"),
    path("processes/<str:process_id>/archive/", views.archive, name="archive"),
    path("drafts/<int:draft_id>/", views.edit, name="edit"),
    path("drafts/<int:draft_id>/save/", views.save, name="save"),
    path("drafts/<int:draft_id>/discard/", views.discard, name="discard"),
    path("drafts/<int:draft_id>/check/", views.check, name="check"),
    path("drafts/<int:draft_id>/deploy/", views.deploy, name="deploy"),
    path("drafts/<int:draft_id>/test-run/", views.test_run, name="test_run"),
    path("drafts/<int:draft_id>/files/<path:name>", views.export, name="export"),
    path("versions/<int:definition_id>/xml/", views.version_xml, name="version_xml"),
    path("versions/<int:definition_id>/migrate/", views.migrate, name="migrate"),
    path("compare/<str:process_id>/", views.compare, name="compare"),
]
