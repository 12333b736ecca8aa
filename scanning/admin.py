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


class AdvisoryPackageInline(admin.TabularInline):
    model = models.AdvisoryPackage
    extra = 0
    fields = ["name", "fixed_versions", "ranges"]
    readonly_fields = fields


@admin.register(models.Advisory)
class AdvisoryAdmin(admin.ModelAdmin):
    list_display = [
        "osv_id",
        "summary",
        "severity_label",
        "base_score",
        "modified",
        "withdrawn",
        "retired_at",
    ]
    list_filter = [
        "severity_label",
        ("withdrawn", admin.EmptyFieldListFilter),
        ("retired_at", admin.EmptyFieldListFilter),
    ]
    search_fields = ["osv_id", "aliases", "packages__name"]
    inlines = [AdvisoryPackageInline]


@admin.register(models.AdvisorySync)
class AdvisorySyncAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "source",
        "status",
        "created",
        "updated",
        "retired",
        "removed",
        "restored",
        "unchanged",
        "malformed",
        "started_at",
        "finished_at",
    ]
    list_filter = ["status"]


@admin.register(models.PackageMetadata)
class PackageMetadataAdmin(admin.ModelAdmin):
    list_display = ["name", "license", "latest_version", "latest_release_at", "fetched_at"]
    search_fields = ["name", "license"]


@admin.register(models.InventoryRun)
class InventoryRunAdmin(admin.ModelAdmin):
    list_display = ["id", "store", "status", "objects_seen", "candidates_count", "created_at"]
    list_filter = ["status"]
    list_select_related = ["store"]
    readonly_fields = ["error"]


@admin.register(models.GatePolicy)
class GatePolicyAdmin(admin.ModelAdmin):
    """One row: the organisation's gate policy (``clean`` refuses levels the gate cannot read)."""

    list_display = ["__str__", "cvss_threshold", "unaudited", "unowned_requirement", "updated_at"]
    readonly_fields = ["updated_at", "updated_by"]

    def has_add_permission(self, request) -> bool:
        return super().has_add_permission(request) and not models.GatePolicy.objects.exists()

    def save_model(self, request, obj, form, change) -> None:
        from scanning import services

        services.gate_policy_update(actor=request.user, policy=obj)
