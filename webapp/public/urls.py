"""Public addresses (no login), printed on certificates and notices: keep them stable."""

from django.urls import URLPattern, URLResolver, path

from . import certificate_views, views

app_name = "public"
urlpatterns: list[URLPattern | URLResolver] = [
    path("registry/", views.registry, name="registry"),
    path("registry/verify/", views.verify_lookup, name="verify_lookup"),
    # What the QR code on every certificate opens.
    path("registry/verify/<str:number>/", views.verify, name="verify"),
    path("registry/verify/<str:number>/photo/", views.verify_photo, name="verify_photo"),
    path("complaints/", views.complaint_new, name="complaint_new"),
    path("complaints/submitted/", views.complaint_submitted, name="complaint_submitted"),
    path("complaints/status/", views.complaint_status, name="complaint_status"),
    # Signed-in staff print a certificate; the PDF's QR code points at registry/verify/.
    path(
        "certificates/<int:certificate_id>/pdf/",
        certificate_views.certificate_pdf_view,
        name="certificate_pdf",
    ),
]
