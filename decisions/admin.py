from __future__ import annotations

from django.contrib import admin

from decisions import models


class DecisionEventInline(admin.TabularInline):
    model = models.DecisionEvent
    extra = 0
    can_delete = False
    fields = ["created_at", "actor", "field", "old_value", "new_value", "comment"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(models.DecisionRecord)
class DecisionRecordAdmin(admin.ModelAdmin):
    list_display = ["subject", "kind", "repository", "state", "owner", "next_action"]
    list_filter = ["kind", "state", "next_action"]
    search_fields = ["subject"]
    list_select_related = ["repository", "owner"]
    inlines = [DecisionEventInline]


@admin.register(models.DecisionEvent)
class DecisionEventAdmin(admin.ModelAdmin):
    list_display = ["record", "field", "old_value", "new_value", "actor", "created_at"]
    list_select_related = ["record__repository", "actor"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
