from __future__ import annotations

from django.contrib import admin, messages

from decisions import models, services


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


@admin.register(models.ReviewMeeting)
class ReviewMeetingAdmin(admin.ModelAdmin):
    list_display = ["date", "team", "created_by"]
    list_filter = ["team"]


@admin.register(models.ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Adding a token generates its secret and shows it once; tokens are never edited."""

    list_display = ["prefix", "user", "name", "created_at", "last_used_at", "revoked_at"]
    fields = ["user", "name", "prefix", "created_at", "last_used_at", "revoked_at", "revoked_by"]
    list_select_related = ["user"]
    actions = ["revoke"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # revoked tokens are kept, with who revoked them and when

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset) -> None:
        from django.utils import timezone

        count = queryset.filter(revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoked_by=request.user
        )
        messages.success(request, f"Revoked {count} token(s).")

    def get_readonly_fields(self, request, obj=None) -> list[str]:
        if obj is None:
            return ["prefix", "created_at", "last_used_at", "revoked_at", "revoked_by"]
        return self.fields

    def save_model(self, request, obj, form, change) -> None:
        if change:
            return
        token, secret = services.api_token_create(user=obj.user, name=obj.name)
        obj.pk, obj.prefix, obj.token_hash = token.pk, token.prefix, token.token_hash
        messages.warning(request, f"New API token (copy it now, it is not shown again): {secret}")
