from __future__ import annotations

from django.urls import path, re_path

from decisions.views import records as views

app_name = "decisions"
urlpatterns = [
    path("", views.record_list, name="record-list"),
    path("records/bulk/", views.record_bulk, name="record-bulk"),
    path(
        "records/repositories/",
        views.repository_suggestions,
        name="record-repository-suggestions",
    ),
    path("records/<int:pk>/", views.record_detail, name="record-detail"),
    path("records/<int:pk>/triage/", views.record_triage, name="record-triage"),
    path("records/<int:pk>/move/", views.record_move, name="record-move"),
    re_path(r"^records/export\.(?P<fmt>csv|md)$", views.record_export, name="record-export"),
    path("my-work/", views.my_work, name="my-work"),
    path("my-work/read/", views.notifications_read, name="notifications-read"),
    path("repositories/<int:pk>/scan/", views.repository_scan, name="repository-scan"),
]

from decisions.views import meetings as views_meetings  # noqa: E402

urlpatterns += [
    path("meetings/", views_meetings.meeting_list, name="meeting-list"),
    path("meetings/start/", views_meetings.meeting_start, name="meeting-start"),
    path("meetings/<int:pk>/", views_meetings.meeting_detail, name="meeting-detail"),
    path(
        "meetings/<int:pk>/items/<int:item_pk>/",
        views_meetings.meeting_item,
        name="meeting-item",
    ),
    path("meetings/<int:pk>/minutes/", views_meetings.meeting_minutes, name="meeting-minutes"),
    path(
        "meetings/<int:pk>/minutes.md",
        views_meetings.meeting_minutes_export,
        name="meeting-minutes-export",
    ),
]

from decisions.views import reports as views_reports  # noqa: E402

urlpatterns += [
    path("dashboard/", views_reports.dashboard, name="dashboard"),
    re_path(
        r"^reports/audit/(?P<scope>repository|team)/(?P<pk>[0-9]+)\.md$",
        views_reports.audit_log,
        name="audit-log",
    ),
    path("repositories/<int:pk>/cleanup/", views_reports.cleanup_body, name="cleanup-body"),
    path(
        "repositories/<int:pk>/cleanup.md",
        views_reports.cleanup_body,
        {"download": True},
        name="cleanup-body-download",
    ),
    path(
        "repositories/<int:pk>/prevention.txt",
        views_reports.prevention_download,
        name="prevention-download",
    ),
    re_path(
        r"^repositories/(?P<pk>[0-9]+)/(?P<document>sbom|vex)\.cdx\.json$",
        views_reports.cyclonedx_download,
        name="cyclonedx-download",
    ),
]

from decisions.views import api  # noqa: E402

urlpatterns += [
    path("api/v1/records/", api.records, name="api-records"),
    path("api/v1/records/<int:pk>/", api.record, name="api-record"),
    path("api/v1/repositories/", api.repositories, name="api-repositories"),
    path("api/v1/scan-runs/", api.scan_runs, name="api-scan-runs"),
]

from decisions.views import tokens as views_tokens  # noqa: E402

urlpatterns += [
    path("tokens/", views_tokens.token_list, name="token-list"),
    path("tokens/<int:pk>/revoke/", views_tokens.token_revoke, name="token-revoke"),
]

from decisions.views import repositories as views_repositories  # noqa: E402

urlpatterns += [
    path("repositories/add/", views_repositories.repository_add, name="repository-add"),
    path(
        "repositories/<int:pk>/state/",
        views_repositories.repository_state,
        name="repository-state",
    ),
]

from decisions.views import portfolio as views_portfolio  # noqa: E402

urlpatterns += [
    path("portfolio/", views_portfolio.portfolio_view, name="portfolio"),
    path("portfolio/apply/", views_portfolio.portfolio_apply, name="portfolio-apply"),
    path("portfolio/analysis/", views_portfolio.analysis_apply, name="analysis-apply"),
    path("rules/", views_portfolio.rule_list, name="rule-list"),
    path("rules/<int:pk>/withdraw/", views_portfolio.rule_withdraw, name="rule-withdraw"),
    path("reports/keeping-up.csv", views_portfolio.keeping_up_csv, name="keeping-up-csv"),
    path("settings/digest/", views_portfolio.digest_preference, name="digest-preference"),
]

from decisions.views import artifacts as views_artifacts  # noqa: E402

urlpatterns += [
    path("artifacts/", views_artifacts.store_list, name="artifact-store-list"),
    path("artifacts/<int:pk>/", views_artifacts.store_detail, name="artifact-store"),
    path(
        "artifacts/<int:pk>/inventory/",
        views_artifacts.store_inventory,
        name="artifact-store-inventory",
    ),
    re_path(
        r"^artifacts/(?P<pk>[0-9]+)/plan\.(?P<fmt>csv|json|tags\.csv)$",
        views_artifacts.store_plan,
        name="artifact-store-plan",
    ),
    path("artifacts/runs/<int:pk>/", views_artifacts.inventory_run, name="inventory-run"),
]
