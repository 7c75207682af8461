from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from webapp.accounts import views as account_views
from webapp.cases import schedule_views
from webapp.security import views as security_views

urlpatterns = [
    path("", account_views.home, name="home"),
    # Throttled sign-in; every attempt lands in the audit log (webapp/security).
    path("login/", security_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("notifications/", account_views.notifications, name="notifications"),
    path("notifications/read/", account_views.notifications_read, name="notifications_read"),
    path("delegations/", account_views.delegations, name="delegations"),
    path("schedule/", schedule_views.schedule, name="schedule"),
    path("schedule/runs/<int:run_id>/retry/", schedule_views.schedule_retry, name="schedule_retry"),
    path("inbox/", include("webapp.inbox.urls")),
    path("cases/", include("webapp.cases.urls")),
    path("staff/", include("webapp.archive.urls")),
    path("me/", include("webapp.member.urls")),
    path("audit/", include("webapp.audit.urls")),
    # Case files, the case thread and members' photos (webapp/documents).
    path("documents/", include("webapp.documents.urls")),
    path("reports/", include("webapp.reports.urls")),
    path("designer/", include("webapp.designer.urls")),
    path("api/", include("webapp.api.urls")),
    path("security/", include("webapp.security.urls")),
    # Public addresses (no login) are printed on certificates and notices: keep them stable.
    path("", include("webapp.public.urls")),
    path("admin/", admin.site.urls),
]
