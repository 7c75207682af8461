from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from webapp.accounts import views as account_views
from webapp.cases import schedule_views
from webapp.security import views as security_views
from webapp.security.forms import ThrottledAdminAuthenticationForm

# A database outage raised outside a view answers 503 too (webapp/security/outage.py).
handler500 = "webapp.security.outage.server_error"

# One sign-in policy on every path: the admin's sign-in is throttled as /login/ is (and
# the authentication backend refuses a locked name or address whatever form asks).
admin.site.login_form = ThrottledAdminAuthenticationForm

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
    path("reports/", include("webapp.reports.urls")),
    path("designer/", include("webapp.designer.urls")),
    path("api/", include("webapp.api.urls")),
    path("security/", include("webapp.security.urls")),
    # Public addresses (no login) are printed on certificates and notices: keep them stable.
    path("", include("webapp.public.urls")),
]
if settings.FUZHI_ADMIN:  # FUZHI_ADMIN=0 takes the admin off (e.g. in production)
    urlpatterns.append(path("admin/", admin.site.urls))
