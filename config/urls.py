from __future__ import annotations

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from decisions import openapi

# The admin signs in through allauth too, so its rate limits protect the admin login.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("", include("scanning.urls")),
    path("", include("decisions.urls")),
    # After decisions.urls, whose views serve the read API this describes.
    path("api/", openapi.urls()),
]

handler403 = "config.errors.permission_denied"
