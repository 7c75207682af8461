from django.urls import path

from . import views

app_name = "documents"
urlpatterns = [
    path("<int:attachment_id>/", views.download, name="download"),
    path("cases/<int:case_id>/files/", views.case_upload, name="case_upload"),
    path("cases/<int:case_id>/comments/", views.comment_new, name="comment_new"),
    path("staff/<int:staff_id>/photo/", views.photo, name="photo"),
    path("staff/<int:staff_id>/photo/new/", views.photo_upload, name="photo_upload"),
]
