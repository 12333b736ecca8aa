from __future__ import annotations

from django.urls import path, re_path

from decisions import views

app_name = "decisions"
urlpatterns = [
    path("", views.record_list, name="record-list"),
    path("records/bulk/", views.record_bulk, name="record-bulk"),
    path("records/<int:pk>/", views.record_detail, name="record-detail"),
    path("records/<int:pk>/triage/", views.record_triage, name="record-triage"),
    path("records/<int:pk>/move/", views.record_move, name="record-move"),
    re_path(r"^records/export\.(?P<fmt>csv|md)$", views.record_export, name="record-export"),
    path("my-work/", views.my_work, name="my-work"),
    path("my-work/read/", views.notifications_read, name="notifications-read"),
    path("repositories/<int:pk>/scan/", views.repository_scan, name="repository-scan"),
]
