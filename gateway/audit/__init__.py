"""The gateway's audit trail: every request that may change something (POST, PUT, PATCH or
DELETE under /v1) is recorded as one CADF event (pycadf, OpenStack's audit format) in the
gateway's own tables, append-only.

- `middleware.AuditMiddleware` gives every response an `X-OpenStack-Request-Id` and records
  the event of each changing request once its outcome is known;
- `before_change(request)` records the attempt first, before anything is asked to change (the
  orchestrator client's accessor calls it), so that no change is ever made unaudited: when the
  attempt cannot be written the request is refused (503) and nothing changes;
- `store.AuditTrail` keeps and reads the events; `gateway/routes/audit.py` serves them.
"""

from gateway.audit.middleware import AuditMiddleware, before_change
from gateway.audit.store import AuditTrail

__all__ = ["AuditMiddleware", "AuditTrail", "before_change"]
