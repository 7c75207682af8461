from django.urls import path

from . import views

app_name = "staff"
urlpatterns = [
    path("", views.staff_list, name="list"),
    path("<int:staff_id>/", views.staff_detail, name="detail"),
    path("recruitment/new/", views.recruitment_new, name="recruitment_new"),
]
