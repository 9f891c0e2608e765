"""Retention: what is kept how long, applied by `matcher retention apply` (daily, from cron).

Candidates whose record has not changed for ``MATCHER_RETENTION_INACTIVE_DAYS`` and who are not active
are erased through the same erasure as `DELETE /v1/candidates/{ref}`; audit entries older than
``MATCHER_AUDIT_RETENTION_DAYS`` are removed by the database function ``werkmatch_purge_audit()``, the
only way past the append-only trigger (the database enforces a floor of one year).
"""

from __future__ import annotations

from typing import Any

from matcher.security import SYSTEM
from matcher.service import Service


def apply_retention(service: Service, *, dry_run: bool = False) -> dict[str, Any]:
    settings = service.settings
    with service.db.transaction() as conn:
        refs = [r["ref"] for r in conn.execute(
            """SELECT ref FROM candidates WHERE status <> 'active'
                 AND updated_at < now() - make_interval(days => %s) ORDER BY ref""",
            (settings.retention_inactive_days,))]
        old_audit = conn.execute(
            "SELECT count(*) AS n FROM audit_log WHERE at < now() - make_interval(days => %s)",
            (settings.audit_retention_days,)).fetchone()
    if dry_run:
        return {"dry_run": True, "candidates": len(refs), "audit_entries": old_audit["n"] if old_audit else 0}
    for ref in refs:
        service.erase_candidate(ref, actor=SYSTEM)
    with service.db.transaction() as conn:
        conn.execute("UPDATE audit_settings SET retention_days = %s", (settings.audit_retention_days,))
        purged = conn.execute("SELECT werkmatch_purge_audit() AS n").fetchone()
    return {"dry_run": False, "candidates_erased": len(refs), "audit_entries_removed": purged["n"] if purged else 0,
            "inactive_days": settings.retention_inactive_days, "audit_days": settings.audit_retention_days}
