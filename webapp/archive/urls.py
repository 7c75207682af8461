from django.urls import path

from . import views

# The pages keep the namespace of their address, /staff/.
app_name = "staff"
urlpatterns = [
    path("", views.staff_list, name="list"),
    path("<int:staff_id>/", views.staff_detail, name="detail"),
    path("recruitment/new/", views.recruitment_new, name="recruitment_new"),
    path("recruitment/ranking/", views.recruitment_ranking, name="ranking"),
    path("<int:staff_id>/cases/new/", views.case_new, name="case_new"),
    path("<int:staff_id>/duties/new/", views.duty_new, name="duty_new"),
    path("<int:staff_id>/grade/", views.grade_new, name="grade_new"),
    path("<int:staff_id>/sign-in/", views.sign_in_issue, name="sign_in_issue"),
]
