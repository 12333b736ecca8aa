from __future__ import annotations

from django.contrib import admin

from scanning import models


@admin.register(models.ScanRun)
class ScanRunAdmin(admin.ModelAdmin):
    list_display = ["id", "repository", "status", "commit", "created_at", "finished_at"]
    list_filter = ["status"]
    list_select_related = ["repository"]


@admin.register(models.Evidence)
class EvidenceAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "path", "line", "mode", "scan_run"]
    list_filter = ["kind", "mode"]
    list_select_related = ["scan_run__repository"]
