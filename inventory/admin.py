from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_post_parameters

from inventory import forms, forms_artifacts, models


class MembershipInline(admin.TabularInline):
    model = models.Membership
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(models.Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(models.Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "team", "role"]
    list_filter = ["role", "team"]


@admin.register(models.Repository)
class RepositoryAdmin(admin.ModelAdmin):
    form = forms.RepositoryAdminForm
    list_display = [
        "name",
        "team",
        "location",
        "credentials_status",
        "is_active",
        "last_scanned_at",
        "next_scan_at",
    ]
    list_filter = ["team", "is_active"]
    search_fields = ["name"]
    readonly_fields = ["credentials_status"]
    fieldsets = [
        (None, {"fields": ["team", "name", "location", "default_branch", "is_active"]}),
        (
            "Credentials for an https location",
            {
                "description": "Write-only: this page only says whether they are set.",
                "fields": ["credentials_status", "git_username", "git_secret", "clear_credentials"],
            },
        ),
        (
            "Scanning",
            {
                "fields": [
                    "release_cycle_days",
                    "scan_interval_hours",
                    "execution_modes",
                    "known_first_party",
                    "vulnerability_service",
                    "next_scan_at",
                ]
            },
        ),
    ]

    @admin.display(description="Credentials")
    def credentials_status(self, obj: models.Repository) -> str:
        return "set" if obj.has_credentials else "not set"

    # An error report of a failed save (mail to admins, error trackers) must not carry them.
    @method_decorator(sensitive_post_parameters("location", "git_username", "git_secret"))
    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, object] | None = None,
    ) -> HttpResponse:
        return super().changeform_view(request, object_id, form_url, extra_context)


@admin.register(models.Package)
class PackageAdmin(admin.ModelAdmin):
    list_display = ["name", "latest_version", "license", "import_names_source"]
    list_filter = ["import_names_source"]
    search_fields = ["name"]
    # Clearing "checked at" makes the next scan look the package up again.
    readonly_fields = ["import_names_source", "import_names_version", "import_names_error"]


class RequirementInline(admin.TabularInline):
    model = models.Requirement
    extra = 0
    fields = ["line", "package", "purpose", "pin_level", "raw"]
    readonly_fields = fields


@admin.register(models.Manifest)
class ManifestAdmin(admin.ModelAdmin):
    list_display = ["path", "repository", "kind", "purpose"]
    list_filter = ["kind", "purpose"]
    inlines = [RequirementInline]


@admin.register(models.Requirement)
class RequirementAdmin(admin.ModelAdmin):
    list_display = ["raw", "manifest", "line", "pin_level"]
    list_filter = ["pin_level", "purpose"]
    list_select_related = ["manifest__repository"]


@admin.register(models.ArtifactStore)
class ArtifactStoreAdmin(admin.ModelAdmin):
    form = forms_artifacts.ArtifactStoreAdminForm
    list_display = ["name", "team", "location", "keys_status", "is_active", "last_inventory_at"]
    list_filter = ["team", "kind", "is_active"]
    search_fields = ["name", "bucket"]
    readonly_fields = ["keys_status"]
    autocomplete_fields = ["records_repository"]
    fieldsets = [
        (None, {"fields": ["team", "name", "kind", "records_repository", "is_active"]}),
        ("Bucket", {"fields": ["bucket", "prefix", "endpoint_url", "region"]}),
        (
            "Keys",
            {
                "description": "Write-only: this page only says whether they are set.",
                "fields": ["keys_status", "access_key", "secret_key", "clear_credentials"],
            },
        ),
        ("Directory", {"fields": ["directory"]}),
        ("Inventory", {"fields": ["inventory_interval_hours", "next_inventory_at"]}),
    ]

    @admin.display(description="Keys")
    def keys_status(self, obj: models.ArtifactStore) -> str:
        return "set" if obj.has_credentials else "not set"

    @method_decorator(sensitive_post_parameters("access_key", "secret_key"))
    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, object] | None = None,
    ) -> HttpResponse:
        return super().changeform_view(request, object_id, form_url, extra_context)
