"""What issue 17 adds to a group's pages: made from a policy in the create workflow, its
scheduled tests (the state its target site reports, and a test run now there), its hooks and
checks, the VMs protected by tag, the VMs each recovery point holds, a move at the target
site, and the checks' and hooks' results in an operation's report."""

from __future__ import annotations

from unittest import mock

from django.urls import reverse

from draas_dashboard import lifecycle
from draas_dashboard.api import draas
from draas_dashboard.api.errors import DraasUnreachable
from draas_dashboard.api.records import Group
from tests.dashboard import helpers

INDEX = reverse("horizon:project:dr_groups:index")
CREATE = reverse("horizon:project:dr_groups:create")
SCHEDULE_TAB = "group_details__schedule"
SCHEDULE = {
    "enabled": True,
    "windows": ["mon-fri 20:00-06:00"],
    "timezone": "Europe/Paris",
    "cleanup_after": 7200.0,
}
AUTOMATION = {
    "hooks": [
        {
            "name": "drain-lb",
            "url": "https://hooks.example.com/drain",
            "when": "pre_vm",
            "kinds": ["test_failover"],
            "timeout": 10.0,
            "retries": 1,
            "on_failure": "warn",
            "vms": [],
            "tiers": [2],
        }
    ],
    "checks": [
        {
            "name": "web",
            "type": "http",
            "port": 80,
            "path": "/health",
            "expect_status": 200,
            "expect_text": "ok",
            "url": "",
            "timeout": 60.0,
            "in_failovers": True,
            "on_failure": "fail",
            "vms": ["web-1"],
            "tiers": [],
        }
    ],
}


def url(name: str, group_id: str) -> str:
    return reverse(f"horizon:project:dr_groups:{name}", args=[group_id])


class CreateFromPolicyTest(helpers.TestCase):
    def setUp(self) -> None:
        super().setUp()
        self.gold = self.gateway.add_policy("gold", test_interval=86400.0, test_schedule=SCHEDULE)

    def test_the_workflow_offers_the_sites_policies(self) -> None:
        page = self.content(self.client.get(CREATE))
        self.assertIn('<option value="none"', page)
        self.assertIn(
            f'<option value="{self.gold["id"]}">gold: async to site-b, RPO 1m00s, scheduled '
            "tests</option>",
            page,
        )
        # The fields a policy gives are shown only without one.
        self.assertIn('data-switch-on="policy"', page)
        self.assertIn('data-policy-none="Replication"', page)

    def test_a_group_made_from_a_policy_sends_only_the_policy(self) -> None:
        res = self.client.post(
            CREATE,
            {
                "name": "Web",
                "policy": self.gold["id"],
                "replication_type": "sync",
                "target_site": "",
                "rto_target": "5",
                "proof": "token",
                "target_token": "gAAAA-pasted",
            },
        )
        self.assertNoFormErrors(res)
        created = self.gateway.called("create_group")[-1]
        self.assertEqual(created["policy"], self.gold["id"])
        self.assertIsNone(created["rto_target_seconds"])
        group = next(g for g in self.gateway.groups.values() if g["name"] == "Web")
        self.assertEqual((group["policy_name"], group["target_site"]), ("gold", "site-b"))
        self.assertEqual(group["test_schedule"], SCHEDULE)

    def test_without_a_policy_replication_and_target_are_needed(self) -> None:
        res = self.client.post(
            CREATE, {"name": "Web", "policy": "none", "target_site": "", "proof": "linked"}
        )
        self.assertEqual(res.status_code, 200)
        self.assertIn("Needed without a policy.", self.content(res))
        self.assertEqual(self.gateway.called("create_group"), [])

    def test_policies_that_cannot_be_read_leave_the_group_set_by_hand(self) -> None:
        down = DraasUnreachable(503, "draas does not answer", "cannot reach the gateway")
        with mock.patch.object(draas, "list_policies", side_effect=down):
            page = self.content(self.client.get(CREATE))
        self.assertIn("None: set them below", page)
        self.assertNotIn("gold:", page)


class ScheduleAtSourceTest(helpers.TestCase):
    """A member at site-a, the group's source: the schedule is read (from site-b)."""

    def setUp(self) -> None:
        super().setUp()
        self.gold = self.gateway.add_policy("gold")
        self.group = self.gateway.add_group(
            "Finance",
            vms=(("web-1", 1),),
            test_interval=86400.0,
            test_schedule=dict(SCHEDULE),
            automation=AUTOMATION,
            policy_id=self.gold["id"],
            policy_name="gold",
        )

    def test_overview_says_the_schedule_and_the_policy(self) -> None:
        page = self.content(self.client.get(url("detail", self.group["id"])))
        self.assertIn("on: mon-fri 20:00-06:00 (Europe/Paris), cleaned up after 2h", page)
        self.assertIn("test schedule, hooks and checks from it", page)
        self.assertIn("Move (planned failover, then reprotect back): at site-b", page)

    def test_the_schedule_tab(self) -> None:
        self.gateway.scheduled[self.group["id"]] = {
            "operation_id": "",
            "at": "2026-12-05T21:00:00Z",
            "problem": "failover group Finance is testing: a test failover is not allowed now",
        }
        page = self.content(self.ajax(url("detail", self.group["id"]), tab=SCHEDULE_TAB))
        self.assertEqual(self.gateway.called("get_test_schedule")[-1]["group_id"], "grp-finance")
        self.assertIn("Made from policy <strong>gold</strong>", page)
        self.assertIn("<code>mon-fri 20:00-06:00</code>", page)
        self.assertIn("(Europe/Paris)", page)
        self.assertIn('class="draas-next-run">20', page)
        self.assertIn("tried at 2026-12-05 21:00:00 UTC", page)
        self.assertIn("a test failover is not allowed now", page)
        # Run from the target site only.
        self.assertNotIn("draas-run-scheduled-test", page)
        self.assertIn("Scheduled tests run at site-b", page)
        # The hooks and checks, read-only.
        self.assertIn("drain-lb", page)
        self.assertIn("https://hooks.example.com/drain", page)
        self.assertIn("tiers 2", page)
        self.assertIn("http :80/health -&gt; 200 &quot;ok&quot;", page)
        self.assertIn("tests and failovers", page)

    def test_a_schedule_that_cannot_be_read_says_why(self) -> None:
        down = DraasUnreachable(503, "draas does not answer", "cannot reach site-b")
        with mock.patch.object(draas, "get_test_schedule", side_effect=down):
            page = self.content(self.ajax(url("detail", self.group["id"]), tab=SCHEDULE_TAB))
        self.assertIn("The schedule's state cannot be read: cannot reach site-b", page)

    def test_the_source_offers_neither_run_now_nor_move(self) -> None:
        page = self.content(self.client.get(INDEX))
        self.assertNotIn("action_run_scheduled_test", page)
        self.assertNotIn("action_move", page)

    def test_vms_added_by_tag_are_marked(self) -> None:
        self.gateway._protect(self.group, self.gateway.add_server("tagged-1"), 2, "tag")
        page = self.content(self.client.get(url("detail", self.group["id"])))
        self.assertEqual(page.count("draas-by-tag"), 1)
        self.assertIn("hand", page)

    def test_recovery_points_say_which_vms_they_hold(self) -> None:
        self.gateway._protect(self.group, self.gateway.add_server("db-1"), 2)
        point = self.gateway.points[self.group["id"]][0]
        point["server_ids"] = ["srv-web-1"]
        self.gateway.points[self.group["id"]].append(
            {**point, "id": "grp-finance.pgroup.2", "server_ids": ["srv-web-1", "srv-db-1"]}
        )
        page = self.content(
            self.ajax(url("detail", self.group["id"]), tab="group_details__recovery_points")
        )
        self.assertIn('<span class="draas-point-vms">web-1, db-1</span></td>', page)
        self.assertIn("not: db-1 (joined later)", page)


@helpers.at_site_b
class ScheduleAtTargetTest(helpers.TestCase):
    """A member at site-b, where the group's tests and a move run."""

    def setUp(self) -> None:
        super().setUp()
        self.group = self.gateway.add_group(
            "Finance",
            vms=(("web-1", 1), ("db-1", 2)),
            test_interval=86400.0,
            test_schedule=dict(SCHEDULE),
        )

    def test_run_now_is_offered_in_the_table_the_page_and_the_tab(self) -> None:
        self.assertIn("action_run_scheduled_test", self.content(self.client.get(INDEX)))
        self.assertIn(
            url("run_scheduled_test", self.group["id"]),
            self.content(self.client.get(url("detail", self.group["id"]))),
        )
        tab = self.content(self.ajax(url("detail", self.group["id"]), tab=SCHEDULE_TAB))
        self.assertIn("draas-run-scheduled-test", tab)

    def test_run_now_starts_a_test_and_goes_to_it(self) -> None:
        form = self.content(self.client.get(url("run_scheduled_test", self.group["id"])))
        self.assertIn("cleaned up by itself after 2h", form)
        self.assertIn("Production at site-a is untouched", form)
        res = self.client.post(
            url("run_scheduled_test", self.group["id"]), {"idempotency_key": "k-run"}
        )
        (started,) = [o for o in self.gateway.operations.values() if o["kind"] == "test_failover"]
        self.assertRedirectsNoFollow(
            res, reverse("horizon:project:dr_operations:detail", args=[started["id"]])
        )
        self.assertEqual(self.gateway.groups[self.group["id"]]["state"], "testing")
        tab = self.content(self.ajax(url("detail", self.group["id"]), tab=SCHEDULE_TAB))
        operation = reverse("horizon:project:dr_operations:detail", args=[started["id"]])
        self.assertIn(f'<a href="{operation}">{started["id"]}</a>', tab)
        # The test holds the group: no second one.
        again = self.client.post(
            url("run_scheduled_test", self.group["id"]), {"idempotency_key": "k-run-2"}
        )
        self.assertEqual(again.status_code, 200)
        self.assertIn("is testing: a test failover is not allowed", self.content(again))

    def test_run_now_is_not_offered_without_a_schedule_or_to_a_reader(self) -> None:
        self.set_roles("reader")
        self.assertNotIn("action_run_scheduled_test", self.content(self.client.get(INDEX)))
        self.set_roles("member")
        self.group["test_schedule"] = {**SCHEDULE, "enabled": False}
        self.assertNotIn("action_run_scheduled_test", self.content(self.client.get(INDEX)))
        self.assertIn("action_test_failover", self.content(self.client.get(INDEX)))

    def test_move_is_offered_here_and_says_what_will_happen(self) -> None:
        self.assertIn("action_move", self.content(self.client.get(INDEX)))
        form = self.client.get(url("move", self.group["id"]))
        page = self.content(form)
        self.assertIn("A planned failover to site-b", page)
        self.assertIn("reprotected back towards site-a", page)
        self.assertIn("no VM runs at both sites", page)
        key = form.context["form"].initial["idempotency_key"]
        res = self.client.post(url("move", self.group["id"]), {"idempotency_key": key})
        operation_id = self.gateway.keys[key]
        self.assertRedirectsNoFollow(
            res, reverse("horizon:project:dr_operations:detail", args=[operation_id])
        )
        self.assertEqual(self.gateway.operations[operation_id]["kind"], "move")
        self.assertEqual(self.gateway.groups[self.group["id"]]["state"], "failing_over")
        detail = self.content(
            self.client.get(reverse("horizon:project:dr_operations:detail", args=[operation_id]))
        )
        self.assertIn("Move <small>", detail)

    def test_move_is_not_offered_while_an_operation_holds_the_group(self) -> None:
        self.group["state"] = "testing"
        self.assertNotIn("action_move", self.content(self.client.get(INDEX)))


def test_a_protected_group_allows_a_move_at_its_target_site() -> None:
    group = Group({"state": "protected", "source_site": "site-a", "target_site": "site-b"})
    assert lifecycle.allowed(group)[lifecycle.MOVE] == "site-b"
    assert lifecycle.may(group, lifecycle.MOVE, "site-b")
    assert not lifecycle.may(group, lifecycle.MOVE, "site-a")
    assert lifecycle.MOVE not in lifecycle.allowed(Group({**group.raw(), "state": "failed_over"}))


@helpers.at_site_b
class ReportChecksTest(helpers.TestCase):
    def setUp(self) -> None:
        super().setUp()
        self.group = self.gateway.add_group("Finance", vms=(("web-1", 1), ("db-1", 2)))
        self.test = self.gateway.add_operation(self.group["id"], "test_failover", "failed")
        report = self.gateway.reports[self.test["id"]]
        report["hooks"] = [
            {
                "name": "notify",
                "passed": True,
                "output": "HTTP 204",
                "elapsed": 0.2,
                "on_failure": "fail",
            }
        ]
        web, db = report["vms"]
        web["checks"] = [
            {
                "name": "web",
                "passed": True,
                "output": "HTTP 200",
                "elapsed": 1.5,
                "on_failure": "fail",
            }
        ]
        web["hooks"] = [
            {
                "name": "drain-lb",
                "passed": False,
                "output": "HTTP 500 from the load balancer",
                "elapsed": 10.0,
                "on_failure": "warn",
            }
        ]
        db["error"] = "check db: tcp :5432 refused after 60.0s"
        db["recovered"] = False

    def test_the_report_shows_each_check_and_hook(self) -> None:
        page = self.content(
            self.client.get(reverse("horizon:project:dr_operations:detail", args=[self.test["id"]]))
        )
        self.assertIn("Application Checks and Hooks", page)
        self.assertIn('data-kind="hook" data-outcome="passed"', page)
        self.assertIn("(operation)", page)
        self.assertIn("HTTP 204", page)
        self.assertIn('data-kind="check" data-outcome="passed"', page)
        self.assertIn('data-kind="hook" data-outcome="warned" class="warning"', page)
        self.assertIn("failed (warn: went on)", page)
        self.assertIn("HTTP 500 from the load balancer", page)
        # A check that failed its VM is in the VM's error, with its output.
        self.assertIn("check db: tcp :5432 refused after 60.0s", page)

    def test_a_report_without_any_has_no_section(self) -> None:
        plain = self.gateway.add_operation(self.group["id"], "test_failover", "succeeded")
        page = self.content(
            self.client.get(reverse("horizon:project:dr_operations:detail", args=[plain["id"]]))
        )
        self.assertNotIn("Application Checks and Hooks", page)
