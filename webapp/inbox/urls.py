from django.urls import path

from . import views

app_name = "inbox"
urlpatterns = [
    path("", views.index, name="index"),
    path("bulk/", views.bulk, name="bulk"),
    path("filters/", views.filter_save, name="filter_save"),
    path("filters/<int:filter_id>/delete/", views.filter_delete, name="filter_delete"),
    path("tasks/<int:task_id>/", views.task_detail, name="task"),
    path("tasks/<int:task_id>/claim/", views.claim, name="claim"),
    path("tasks/<int:task_id>/release/", views.release, name="release"),
    path("tasks/<int:task_id>/assign/", views.assign, name="assign"),
    path("tasks/<int:task_id>/urge/", views.urge, name="urge"),
]
