"""The workbench's pages and the action each needs (see ``hotpass.users.PERMISSIONS``)."""

from __future__ import annotations

from dataclasses import dataclass

from hotpass import can


@dataclass(frozen=True)
class PageSpec:
    """One page: its script, title, icon, the action a role needs to see it, and its section."""

    path: str
    title: str
    icon: str
    action: str
    section: str
    default: bool = False


PAGES = {
    "home": PageSpec(
        "app_pages/home.py", "Home", ":material/home:", "read", "Workbench", default=True
    ),
    "upload": PageSpec(
        "app_pages/upload.py", "Upload", ":material/upload_file:", "upload", "Prepare"
    ),
    "mapping": PageSpec(
        "app_pages/mapping.py", "Profile & mapping", ":material/tune:", "tune", "Prepare"
    ),
    "run": PageSpec("app_pages/run.py", "Run", ":material/play_circle:", "run", "Prepare"),
    "review": PageSpec(
        "app_pages/review.py", "Review duplicates", ":material/compare_arrows:", "read", "Review"
    ),
    "enrichment": PageSpec(
        "app_pages/enrichment.py", "Enrichment", ":material/auto_fix_high:", "review", "Review"
    ),
    "quality": PageSpec(
        "app_pages/quality.py", "Quality", ":material/verified:", "read", "Results"
    ),
    "downloads": PageSpec(
        "app_pages/downloads.py", "Downloads", ":material/download:", "download", "Results"
    ),
    "admin": PageSpec(
        "app_pages/admin.py", "Admin", ":material/admin_panel_settings:", "admin", "Admin"
    ),
    "privacy": PageSpec(
        "app_pages/privacy.py", "Privacy", ":material/shield_person:", "admin", "Admin"
    ),
    "subject": PageSpec(
        "app_pages/subject.py", "Data-subject requests", ":material/person_search:", "admin", "Admin"
    ),
}


def allowed(role: str) -> dict[str, list[PageSpec]]:
    """The pages ``role`` may open, by menu section, in menu order."""
    sections: dict[str, list[PageSpec]] = {}
    for spec in PAGES.values():
        if can(role, spec.action):
            sections.setdefault(spec.section, []).append(spec)
    return sections
