"""The monitoring share of the fake gateway (`fakes.FakeGateway` inherits it): groups' health
history, alerts (listed, shown, acknowledged), alert channels (a webhook's secret in the
answer that made it only) and their delivery log, compliance reports (JSON, CSV, HTML) and
changes of a group's targets, held in memory and refused as the gateway refuses them."""

from __future__ import annotations

import copy
import csv
import io
import math
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from draas_dashboard.api import errors
from draas_dashboard.api.records import (
    Alert,
    AlertChannel,
    Alerts,
    ComplianceReport,
    Delivery,
    Group,
    HealthHistory,
)

MONITORING_FUNCTIONS = (
    "update_group",
    "health_history",
    "list_alerts",
    "get_alert",
    "acknowledge_alert",
    "list_alert_channels",
    "create_alert_channel",
    "delete_alert_channel",
    "list_deliveries",
    "compliance_report",
    "compliance_file",
)
SEVERITIES = {"rpo_over_twice_target": "critical", "link_down": "critical"}
MIN_TEST_INTERVAL = 3600.0


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def bad_request(field: str, detail: str) -> errors.DraasRecoverable:
    return errors.DraasRecoverable(400, "Bad request", f"{field}: {detail}", (field,))


class FakeMonitoring:
    """Monitoring state of one site's fake gateway; the class it is mixed into gives `site`,
    `groups` and the helpers below."""

    site: str
    groups: dict[str, dict[str, Any]]

    # What the gateway's fake this is mixed into provides.
    def _call(self, _function: str, **arguments: Any) -> None:
        raise NotImplementedError

    def _write(self) -> None:
        raise NotImplementedError

    def _group(self, group_id: str) -> dict[str, Any]:
        raise NotImplementedError

    def _require(self, group: dict[str, Any], request: str, site: str, state: str) -> None:
        raise NotImplementedError

    def _shown(self, group: dict[str, Any]) -> Group:
        raise NotImplementedError

    def __init__(self) -> None:
        self.samples: dict[str, list[dict[str, Any]]] = {}
        self.alerts: list[dict[str, Any]] = []
        self.channels: dict[str, dict[str, Any]] = {}
        self.deliveries: list[dict[str, Any]] = []
        self.unreachable_sites: list[str] = []

    # Set-up helpers -------------------------------------------------------------------------

    def add_sample(
        self,
        group_id: str,
        seconds_ago: float,
        rpo: float | None = 42.0,
        link_up: bool = True,
        covers: float = 60.0,
    ) -> None:
        """A health sample of the group taken `seconds_ago`, covering `covers` seconds."""
        self.samples.setdefault(group_id, []).append(
            {
                "at": datetime.now(UTC) - timedelta(seconds=seconds_ago),
                "rpo": rpo,
                "link_up": link_up,
                "covers": covers,
            }
        )

    def add_alert(
        self,
        group_id: str,
        rule: str = "link_down",
        state: str = "firing",
        site: str | None = None,
        summary: str = "",
        **extra: Any,
    ) -> dict[str, Any]:
        """An alert of the group (newest first, as the gateway lists them)."""
        group = self.groups.get(group_id, {"name": group_id, "target_site": "site-b"})
        fired = datetime.now(UTC) - timedelta(minutes=5 + len(self.alerts))
        alert = {
            "id": extra.pop("id", str(uuid.uuid4())),
            "site": site or group["target_site"],
            "project_id": group.get("project_id", "project-a"),
            "group_id": group_id,
            "group_name": group["name"],
            "rule": rule,
            "severity": SEVERITIES.get(rule, "warning"),
            "subject": "",
            "summary": summary or f"{rule.replace('_', ' ')} in group {group['name']}",
            "state": state,
            "fired_at": rfc3339(fired),
            "resolved_at": rfc3339(fired + timedelta(minutes=2)) if state == "resolved" else None,
            "acknowledged_at": None,
            "acknowledged_by": "",
            "history": [{"at": rfc3339(fired), "kind": "fired", "by": "", "detail": summary}],
            **extra,
        }
        if state == "resolved":
            alert["history"].append(
                {
                    "at": alert["resolved_at"],
                    "kind": "resolved",
                    "by": "",
                    "detail": "the condition ended",
                }
            )
        self.alerts.insert(0, alert)
        return alert

    def add_delivery(
        self, alert_id: str, channel_id: str, state: str = "delivered", event: str = "fired"
    ) -> dict[str, Any]:
        delivery = {
            "id": str(uuid.uuid4()),
            "alert_id": alert_id,
            "channel_id": channel_id,
            "event": event,
            "state": state,
            "attempts": 1 if state == "delivered" else 3,
            "created_at": rfc3339(datetime.now(UTC) - timedelta(minutes=1)),
            "delivered_at": rfc3339(datetime.now(UTC)) if state == "delivered" else None,
            "next_attempt_at": None,
            "last_result": "HTTP 204" if state == "delivered" else "connection refused",
        }
        self.deliveries.insert(0, delivery)
        return delivery

    # The API ----------------------------------------------------------------------------------

    def update_group(
        self,
        request: Any,
        group_id: str,
        description: str | None = None,
        rpo_target_seconds: float | None = None,
        rto_target_seconds: float | None = None,
        test_interval_seconds: float | None = None,
    ) -> Group:
        self._call(
            "update_group",
            group_id=group_id,
            description=description,
            rpo_target_seconds=rpo_target_seconds,
            rto_target_seconds=rto_target_seconds,
            test_interval_seconds=test_interval_seconds,
        )
        self._write()
        group = self._group(group_id)
        self._require(group, "change", group["source_site"], "protected")
        targets = (rpo_target_seconds, rto_target_seconds, test_interval_seconds)
        if group.get("policy_id") and any(t is not None for t in targets):
            raise errors.DraasRecoverable(
                409,
                "Conflict",
                f"group {group['name']} takes its targets, test schedule, hooks and checks from "
                f"policy {group.get('policy_name')}: change the policy",
            )
        if rpo_target_seconds is not None and not 0 < rpo_target_seconds <= 86400:
            raise bad_request("rpo_target_seconds", "must be more than 0 and at most 86400")
        if test_interval_seconds and test_interval_seconds < MIN_TEST_INTERVAL:
            raise bad_request("test_interval", "must be 0 (none) or 3600 to 31622400 s")
        for key, value in (
            ("description", description),
            ("rpo_target", rpo_target_seconds),
            ("rto_target", rto_target_seconds),
            ("test_interval", test_interval_seconds),
        ):
            if value is not None:
                group[key] = value
        return self._shown(group)

    def _history_samples(self, group: dict[str, Any]) -> list[dict[str, Any]]:
        """The group's samples; a group never given any has a steady day (RPO 42 s)."""
        if group["id"] not in self.samples:
            for minutes in range(24 * 60, 0, -1):
                self.add_sample(group["id"], minutes * 60.0)
        return self.samples[group["id"]]

    def health_history(
        self,
        request: Any,
        group_id: str,
        start: datetime | None = None,
        end: datetime | None = None,
        step_seconds: int = 0,
    ) -> HealthHistory:
        self._call(
            "health_history", group_id=group_id, start=start, end=end, step_seconds=step_seconds
        )
        group = self._group(group_id)
        end = end or datetime.now(UTC)
        start = start or end - timedelta(days=1)
        span = (end - start).total_seconds()
        step = float(step_seconds or max(60, math.ceil(span / 200 / 60) * 60))
        if step < 60:
            raise bad_request("step", "must be at least 60 s")
        target = float(group.get("rpo_target") or 0.0)
        count = max(1, math.ceil(span / step))
        points = [
            {
                "start": rfc3339(start + timedelta(seconds=i * step)),
                "observed_seconds": 0.0,
                "worst_rpo_seconds": None,
                "last_rpo_seconds": None,
                "within_target_seconds": 0.0,
                "link_down_seconds": 0.0,
                "worst_metadata_lag_seconds": None,
                "protected_vms": len(group["vms"]),
            }
            for i in range(count)
        ]
        for sample in self._history_samples(group):
            index = int((sample["at"] - start).total_seconds() // step)
            if not 0 <= index < count:
                continue
            point, rpo = points[index], sample["rpo"]
            point["observed_seconds"] += sample["covers"]
            if rpo is not None:
                point["worst_rpo_seconds"] = max(point["worst_rpo_seconds"] or 0.0, rpo)
                point["last_rpo_seconds"] = rpo
            if not sample["link_up"]:
                point["link_down_seconds"] += sample["covers"]
            elif rpo is not None and (not target or rpo <= target):
                point["within_target_seconds"] += sample["covers"]
        return HealthHistory(
            {
                "group_id": group_id,
                "rpo_target_seconds": target,
                "step": step,
                "resolution": "raw" if step < 3600 else "hour",
                "points": points,
                "site": group["target_site"],
            }
        )

    def _alert(self, alert_id: str) -> dict[str, Any]:
        for alert in self.alerts:
            if alert["id"] == alert_id:
                return alert
        raise errors.DraasNotFound(404, "Not found", f"alert {alert_id} not found")

    def list_alerts(
        self, request: Any, state: str = "", group_id: str = "", limit: int = 100
    ) -> Alerts:
        self._call("list_alerts", state=state, group_id=group_id, limit=limit)
        found = [
            a
            for a in self.alerts
            if (not state or a["state"] == state) and (not group_id or a["group_id"] == group_id)
        ]
        return Alerts(
            {
                "alerts": copy.deepcopy(found[:limit]),
                "unreachable_sites": list(self.unreachable_sites),
            }
        )

    def get_alert(self, request: Any, alert_id: str) -> Alert:
        self._call("get_alert", alert_id=alert_id)
        return Alert(copy.deepcopy(self._alert(alert_id)))

    def acknowledge_alert(self, request: Any, alert_id: str, comment: str = "") -> Alert:
        self._call("acknowledge_alert", alert_id=alert_id, comment=comment)
        self._write()
        alert = self._alert(alert_id)
        if len(comment) > 1024:
            raise bad_request("comment", "must be at most 1024 characters")
        if not alert["acknowledged_at"]:
            now = rfc3339(datetime.now(UTC))
            user = str(getattr(getattr(request, "user", None), "id", "") or "user")
            alert.update(acknowledged_at=now, acknowledged_by=user)
            alert["history"].append(
                {"at": now, "kind": "acknowledged", "by": user, "detail": comment}
            )
        return Alert(copy.deepcopy(alert))

    def list_alert_channels(self, request: Any) -> list[AlertChannel]:
        self._call("list_alert_channels")
        return [AlertChannel({**c, "secret": ""}) for c in self.channels.values()]

    def create_alert_channel(
        self,
        request: Any,
        name: str,
        kind: str,
        address: str,
        min_severity: str = "warning",
        secret: str | None = None,
    ) -> AlertChannel:
        # The secret is not recorded with the call: the tests look for it where it must not be.
        self._call(
            "create_alert_channel",
            name=name,
            kind=kind,
            address=address,
            min_severity=min_severity,
            secret_given=bool(secret),
        )
        self._write()
        if kind not in ("webhook", "email"):
            raise bad_request("kind", "must be webhook or email")
        if kind == "email" and secret:
            raise bad_request("secret", "is for webhooks only")
        if kind == "webhook" and not address.startswith(("http://", "https://")):
            raise bad_request("address", "a webhook's address is an http(s) URL")
        if secret is not None and len(secret) < 16:
            raise bad_request("secret", "must be at least 16 characters")
        channel = {
            "id": str(uuid.uuid4()),
            "project_id": "project-a",
            "name": name,
            "kind": kind,
            "address": address,
            "min_severity": min_severity,
            "created_at": rfc3339(datetime.now(UTC)),
            "secret": "",
        }
        self.channels[channel["id"]] = channel
        made = dict(channel)
        if kind == "webhook":
            made["secret"] = secret or f"made-{uuid.uuid4().hex}"
        return AlertChannel(made)

    def delete_alert_channel(self, request: Any, channel_id: str) -> None:
        self._call("delete_alert_channel", channel_id=channel_id)
        self._write()
        if channel_id not in self.channels:
            raise errors.DraasNotFound(404, "Not found", f"alert channel {channel_id} not found")
        del self.channels[channel_id]
        self.deliveries = [d for d in self.deliveries if d["channel_id"] != channel_id]

    def list_deliveries(
        self, request: Any, channel_id: str = "", alert_id: str = "", limit: int = 100
    ) -> list[Delivery]:
        self._call("list_deliveries", channel_id=channel_id, alert_id=alert_id)
        return [
            Delivery(copy.deepcopy(d))
            for d in self.deliveries
            if (not channel_id or d["channel_id"] == channel_id)
            and (not alert_id or d["alert_id"] == alert_id)
        ][:limit]

    def _compliance(
        self, start: datetime | None, end: datetime | None, group_id: str
    ) -> dict[str, Any]:
        end = end or datetime.now(UTC)
        start = start or end - timedelta(days=30)
        if end <= start:
            raise bad_request("end", "must be after start")
        if group_id:
            self._group(group_id)
        chosen = [g for g in self.groups.values() if not group_id or g["id"] == group_id]
        rows = [
            {
                "group_id": g["id"],
                "group_name": g["name"],
                "rpo_target_seconds": float(g.get("rpo_target") or 0.0),
                "rpo_compliance_percent": 99.5,
                "observed_seconds": (end - start).total_seconds(),
                "worst_rpo_seconds": 75.0,
                "breaches": 1,
                "breach_seconds": 30.0,
                "tests_run": 2,
                "tests_passed": 1,
                "last_successful_test_at": rfc3339(end - timedelta(days=2)),
                "last_successful_test_id": "op-1",
                "last_test_rto_seconds": 95.5,
                "rto_target_seconds": g.get("rto_target") or None,
                "rto_met": (g["rto_target"] >= 95.5) if g.get("rto_target") else None,
                "readiness": "ready",
                "last_successful_test_age_seconds": 172800.0,
                "site": g["target_site"],
            }
            for g in chosen
        ]
        return {
            "project_id": "project-a",
            "start": rfc3339(start),
            "end": rfc3339(end),
            "generated_at": rfc3339(datetime.now(UTC)),
            "site": self.site,
            "groups": rows,
            "rpo_compliance_percent": 99.5 if rows else None,
            "breaches": len(rows),
            "tests_run": 2 * len(rows),
            "tests_passed": len(rows),
            "unreachable_sites": list(self.unreachable_sites),
        }

    def compliance_report(
        self,
        request: Any,
        start: datetime | None = None,
        end: datetime | None = None,
        group_id: str = "",
    ) -> ComplianceReport:
        self._call("compliance_report", start=start, end=end, group_id=group_id)
        return ComplianceReport(self._compliance(start, end, group_id))

    def compliance_file(
        self,
        request: Any,
        file_format: str,
        start: datetime | None = None,
        end: datetime | None = None,
        group_id: str = "",
    ) -> bytes:
        self._call(
            "compliance_file", file_format=file_format, start=start, end=end, group_id=group_id
        )
        report = self._compliance(start, end, group_id)
        if file_format == "csv":
            out = io.StringIO()
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(["Group", "Group ID", "RPO compliance (%)"])
            for row in report["groups"]:
                writer.writerow([row["group_name"], row["group_id"], row["rpo_compliance_percent"]])
            writer.writerow(["All groups", "", report["rpo_compliance_percent"]])
            return out.getvalue().encode()
        names = "".join(f"<li>{g['group_name']}</li>" for g in report["groups"])
        page = f"<!DOCTYPE html><html><body><h1>Compliance</h1><ul>{names}</ul></body></html>"
        return page.encode()
