from __future__ import annotations

from django.urls import path, re_path

from decisions import views

app_name = "decisions"
urlpatterns = [
    path("", views.record_list, name="record-list"),
    path("records/<int:pk>/triage/", views.record_triage, name="record-triage"),
    re_path(r"^records/export\.(?P<fmt>csv|md)$", views.record_export, name="record-export"),
    path("repositories/<int:pk>/scan/", views.repository_scan, name="repository-scan"),
]
