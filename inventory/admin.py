from __future__ import annotations

from django.contrib import admin

from inventory import models


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
    list_display = ["name", "team", "is_active", "last_scanned_at", "next_scan_at"]
    list_filter = ["team", "is_active"]
    search_fields = ["name"]


@admin.register(models.Package)
class PackageAdmin(admin.ModelAdmin):
    list_display = ["name", "latest_version", "license"]
    search_fields = ["name"]


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
