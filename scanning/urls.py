from __future__ import annotations

from django.urls import path

from scanning import views

app_name = "scanning"
urlpatterns = [
    path("repositories/", views.repository_list, name="repository-list"),
    path("scans/<int:pk>/", views.scan_detail, name="scan-detail"),
]
