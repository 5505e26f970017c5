"""The failover groups panel: its table and actions (where and to whom each is offered), the
create workflow with the target-project proof, a group's page, adding a VM and the
confirmations that start operations."""

from __future__ import annotations

from unittest import mock

from django.urls import reverse

from draas_dashboard.api import keystone
from tests.dashboard import helpers

INDEX = reverse("horizon:project:dr_groups:index")
CREATE = reverse("horizon:project:dr_groups:create")


def url(name: str, group_id: str) -> str:
    return reverse(f"horizon:project:dr_groups:{name}", args=[group_id])


class GroupsAtSourceTest(helpers.TestCase):
    """A member at site-a, the source of the groups."""

    def setUp(self) -> None:
        super().setUp()
        self.group = self.gateway.add_group("Finance", vms=(("web-1", 1), ("db-1", 2)))

    def test_index_lists_groups_and_fills_each_row_in_later(self) -> None:
        res = self.client.get(INDEX)
        self.assertEqual(res.status_code, 200)
        page = self.content(res)
        self.assertIn("Finance", page)
        self.assertIn("site-a → site-b", page)
        # The row renders at once and asks for its health by itself.
        self.assertIn("ajax-update warning", page)
        self.assertEqual(self.gateway.called("replication_health"), [])
        row = self.ajax(INDEX, action="row_update", table="groups", obj_id=self.group["id"])
        self.assertEqual(row.status_code, 200)
        html = self.content(row)
        self.assertIn("draas-rpo-current", html)
        self.assertIn("42.0s / 1m00s", html)
        self.assertIn("status_up", html)
        # Readiness and tests are the target site's business.
        self.assertIn("checked at site-b", html)
        self.assertEqual(self.gateway.called("readiness"), [])

    def test_source_site_offers_changes_not_failovers(self) -> None:
        page = self.content(self.client.get(INDEX))
        self.assertIn("action_add_vm", page)
        self.assertIn("action_delete", page)
        self.assertIn("Create Failover Group", page)
        self.assertNotIn("action_test_failover", page)
        self.assertNotIn("action_failover", page)
        self.assertNotIn("action_reprotect", page)

    def test_a_reader_sees_everything_and_no_action(self) -> None:
        self.set_roles("reader")
        page = self.content(self.client.get(INDEX))
        self.assertIn("Finance", page)
        self.assertNotIn("Create Failover Group", page)
        self.assertNotIn("action_add_vm", page)
        self.assertNotIn("action_delete", page)
        detail = self.content(self.client.get(url("detail", self.group["id"])))
        self.assertIn("web-1", detail)
        self.assertNotIn("Add VM", detail)
        self.assertNotIn("Remove VM", detail)

    def test_delete_group(self) -> None:
        res = self.client.post(INDEX, {"action": f"groups__delete__{self.group['id']}"})
        self.assertRedirectsNoFollow(res, INDEX)
        self.assertNotIn(self.group["id"], self.gateway.groups)

    def test_a_refused_delete_says_why(self) -> None:
        self.group["state"] = "testing"
        self.gateway.groups["grp-other"] = dict(self.group, id="grp-other", state="protected")
        self.gateway.health["grp-other"] = self.gateway.health[self.group["id"]]
        self.gateway.groups["grp-other"]["source_site"] = "site-a"
        # Allowed by the page (protected at its source), refused by the gateway.
        self.gateway.site = "site-z"
        res = self.client.post(INDEX, {"action": "groups__delete__grp-other"})
        self.assertEqual(res.status_code, 302)
        self.assertIn("grp-other", self.gateway.groups)
        messages = [str(m) for m in res.wsgi_request._messages]
        self.assertTrue(any("not allowed" in m for m in messages), messages)

    def test_detail_page_tabs(self) -> None:
        res = self.client.get(url("detail", self.group["id"]))
        self.assertEqual(res.status_code, 200)
        self.assertTemplateUsed(res, "draas_dashboard/groups/_overview.html")
        page = self.content(res)
        self.assertIn("Replication Health", page)
        self.assertIn("Test failover: at site-b", page)
        # The VMs tab lists them by tier.
        self.assertLess(page.index("web-1"), page.index("db-1"))
        readiness = self.ajax(url("detail", self.group["id"]), tab="group_details__readiness")
        self.assertIn("checked at the group's target site, site-b", self.content(readiness))
        self.assertEqual(self.gateway.called("readiness"), [])
        points = self.ajax(url("detail", self.group["id"]), tab="group_details__recovery_points")
        self.assertIn("grp-finance.pgroup.1", self.content(points))

    def test_remove_vm(self) -> None:
        detail = url("detail", self.group["id"])
        res = self.client.post(detail, {"action": "vms__remove_vm__srv-db-1"})
        self.assertEqual(res.status_code, 302)
        left = [v["name"] for v in self.gateway.groups[self.group["id"]]["vms"]]
        self.assertEqual(left, ["web-1"])

    def test_add_vm_lists_candidates_with_their_protection(self) -> None:
        self.gateway.add_server("app-2")
        self.gateway.add_server(
            "legacy", "not_eligible", ("async: volume v-9: its type lvm does not replicate",)
        )
        res = self.client.get(url("add_vm", self.group["id"]))
        page = self.content(res)
        self.assertIn("app-2 (ACTIVE): eligible for async, sync", page)
        self.assertIn("its type lvm does not replicate", page)
        self.assertIn("What will happen", page)
        self.assertNotIn("web-1 (ACTIVE)", page)

    def test_add_vm_at_a_tier(self) -> None:
        self.gateway.add_server("app-2")
        res = self.client.post(
            url("add_vm", self.group["id"]), {"server_id": "srv-app-2", "tier": 3}
        )
        self.assertRedirectsNoFollow(res, url("detail", self.group["id"]))
        self.assertEqual(
            self.gateway.called("add_vm")[-1],
            {"group_id": self.group["id"], "server_id": "srv-app-2", "tier": 3},
        )

    def test_split_off_a_vm_into_a_group_of_its_own(self) -> None:
        detail = self.content(self.client.get(url("detail", self.group["id"])))
        self.assertIn("vms__action_split", detail)
        form = self.content(self.client.get(url("split", self.group["id"])))
        self.assertIn("fails over, is reprotected and fails back without the others", form)
        every = self.client.post(url("split", self.group["id"]), {"vms": ["srv-web-1", "srv-db-1"]})
        self.assertIn("Leave at least one VM in the group", self.content(every))
        self.assertEqual(self.gateway.called("split_group"), [])
        res = self.client.post(
            url("split", self.group["id"]), {"vms": ["srv-db-1"], "name": "Finance-DB"}
        )
        self.assertEqual(
            self.gateway.called("split_group")[-1],
            {
                "group_id": self.group["id"],
                "server_ids": ["srv-db-1"],
                "name": "Finance-DB",
                "description": "",
            },
        )
        (new,) = [g for g in self.gateway.groups.values() if g["name"] == "Finance-DB"]
        self.assertRedirectsNoFollow(res, url("detail", new["id"]))
        page = self.content(self.client.get(url("detail", new["id"])))
        self.assertIn("Split From", page)
        self.assertIn(url("detail", self.group["id"]), page)
        # The group it left says where its VM runs now.
        left = self.content(self.client.get(url("detail", self.group["id"])))
        self.assertIn("Split Off", left)
        self.assertIn("Finance-DB</a> (db-1; runs at site-a, protected)", left)
        # One VM left: nothing to split.
        self.assertNotIn("vms__action_split", left)

    def test_an_ineligible_vm_is_refused_with_its_reason(self) -> None:
        self.gateway.add_server(
            "legacy", "not_eligible", ("async: volume v-9: its type lvm does not replicate",)
        )
        res = self.client.post(
            url("add_vm", self.group["id"]), {"server_id": "srv-legacy", "tier": 1}
        )
        self.assertEqual(res.status_code, 200)
        self.assertIn(
            "VM legacy (srv-legacy): async: volume v-9: its type lvm does not replicate",
            self.content(res),
        )
        self.assertEqual(len(self.gateway.groups[self.group["id"]]["vms"]), 2)

    def test_create_needs_the_target_projects_proof(self) -> None:
        res = self.client.get(CREATE)
        page = self.content(res)
        self.assertIn('<option value="site-b"', page)
        self.assertNotIn('<option value="site-a"', page)
        self.assertIn("Sign in at the target site", page)
        res = self.client.post(
            CREATE,
            {
                "name": "Web",
                "replication_type": "async",
                "target_site": "site-b",
                "rpo_target": "60",
                "proof": "linked",
            },
        )
        self.assertEqual(res.status_code, 200)
        self.assertIn("X-Target-Auth-Token", self.content(res))
        self.assertIn("Choose how to prove your project at site-b", self.content(res))

    def test_create_signing_in_at_the_target_site(self) -> None:
        with mock.patch.object(
            keystone, "token_by_password", return_value="token-of-site-b"
        ) as signed_in:
            res = self.client.post(
                CREATE,
                {
                    "name": "Web",
                    "description": "the web tier",
                    "replication_type": "async",
                    "target_site": "site-b",
                    "rpo_target": "30",
                    "proof": "password",
                    "target_username": "finance-user",
                    "target_password": "secret",
                    "target_project_name": "finance",
                },
            )
        self.assertNoFormErrors(res)
        self.assertRedirectsNoFollow(res, INDEX)
        signed_in.assert_called_once()
        self.assertEqual(signed_in.call_args.args[0], "http://remote/identity/v3")
        self.assertEqual(signed_in.call_args.args[4], "secret")
        created = self.gateway.called("create_group")[-1]
        self.assertEqual(created["target_token"], "token-of-site-b")
        self.assertEqual(created["rpo_target_seconds"], 30.0)
        self.assertEqual(created["description"], "the web tier")

    def test_create_with_a_pasted_token_and_no_rpo_for_sync(self) -> None:
        res = self.client.post(
            CREATE,
            {
                "name": "Db",
                "replication_type": "sync",
                "target_site": "site-b",
                "rpo_target": "",
                "proof": "token",
                "target_token": "gAAAA-pasted",
            },
        )
        self.assertNoFormErrors(res)
        created = self.gateway.called("create_group")[-1]
        self.assertEqual(created["target_token"], "gAAAA-pasted")
        self.assertIsNone(created["rpo_target_seconds"])

    def test_an_async_group_needs_an_rpo_target(self) -> None:
        res = self.client.post(
            CREATE,
            {
                "name": "Web",
                "replication_type": "async",
                "target_site": "site-b",
                "proof": "linked",
            },
        )
        self.assertEqual(res.status_code, 200)
        self.assertEqual(self.gateway.called("create_group"), [])


@helpers.at_site_b
class GroupsAtTargetTest(helpers.TestCase):
    """A member at site-b, the groups' target: operations run here."""

    def setUp(self) -> None:
        super().setUp()
        self.group = self.gateway.add_group("Finance", vms=(("web-1", 1), ("db-1", 2)))

    def test_target_site_offers_test_failover_and_failover(self) -> None:
        page = self.content(self.client.get(INDEX))
        self.assertIn("action_test_failover", page)
        self.assertIn("action_failover", page)
        self.assertNotIn("action_add_vm", page)
        self.assertNotIn("action_reprotect", page)

    def test_row_shows_readiness_and_last_test(self) -> None:
        self.gateway.add_operation(self.group["id"], "test_failover", "succeeded")
        self.gateway.not_ready[self.group["id"]] = [
            {"server_id": "srv-db-1", "name": "flavor_mapping", "reason": "no flavor m1.db"}
        ]
        row = self.ajax(INDEX, action="row_update", table="groups", obj_id=self.group["id"])
        html = self.content(row)
        self.assertIn("Not ready (1 problems)", html)
        self.assertIn("flavor_mapping: no flavor m1.db", html)
        self.assertIn("Succeeded</a>, 3m ago", html)
        # The gateway says the last test with the group: no operations list per row.
        self.assertEqual(self.gateway.called("list_operations"), [])
        self.assertIn("status_down", html)

    def test_readiness_tab(self) -> None:
        self.gateway.not_ready[self.group["id"]] = [
            {"server_id": "srv-db-1", "name": "flavor_mapping", "reason": "no flavor m1.db"}
        ]
        res = self.ajax(url("detail", self.group["id"]), tab="group_details__readiness")
        page = self.content(res)
        self.assertIn("Not ready", page)
        self.assertIn("no flavor m1.db", page)
        self.assertIn("db-1", page)

    def test_vms_tab_shows_each_vms_readiness(self) -> None:
        self.gateway.not_ready[self.group["id"]] = [
            {"server_id": "srv-db-1", "name": "eligible", "reason": "volume v-1 is encrypted"}
        ]
        page = self.content(self.client.get(url("detail", self.group["id"])))
        self.assertIn("eligible: volume v-1 is encrypted", page)

    def test_test_failover_confirmation_and_start(self) -> None:
        form = self.client.get(url("test_failover", self.group["id"]))
        page = self.content(form)
        self.assertIn("Production at site-a is untouched", page)
        self.assertIn("tier by tier", page)
        self.assertIn("grp-finance.pgroup.1", page)
        key = form.context["form"].initial["idempotency_key"]
        # Every VM is ticked to begin with, tier by tier.
        self.assertEqual(form.context["form"]["vms"].initial, ["srv-web-1", "srv-db-1"])
        data = {
            "idempotency_key": key,
            "recovery_point": "",
            "cleanup_after": "3600",
            "vms": ["srv-web-1", "srv-db-1"],
        }
        res = self.client.post(url("test_failover", self.group["id"]), data)
        started = self.gateway.called("start_test_failover")[-1]
        operation_id = self.gateway.keys[key]
        self.assertRedirectsNoFollow(
            res, reverse("horizon:project:dr_operations:detail", args=[operation_id])
        )
        self.assertEqual(started["cleanup_after_seconds"], 3600.0)
        self.assertIsNone(started["recovery_point_id"])
        self.assertIsNone(started["server_ids"], "every VM: a test of the group")
        # The same form sent again starts nothing new.
        again = self.client.post(url("test_failover", self.group["id"]), data)
        self.assertEqual(again.status_code, 302)
        self.assertEqual(len([o for o in self.gateway.operations.values()]), 1)

    def test_a_test_of_some_vms(self) -> None:
        form = self.client.get(url("test_failover", self.group["id"]))
        self.assertIn("not the group&#x27;s last test", self.content(form))
        data = {"idempotency_key": "k-part", "recovery_point": "", "cleanup_after": ""}
        none = self.client.post(url("test_failover", self.group["id"]), data)
        self.assertIn("Choose at least one VM to test.", self.content(none))
        self.assertEqual(self.gateway.called("start_test_failover"), [])
        res = self.client.post(
            url("test_failover", self.group["id"]), {**data, "vms": ["srv-db-1"]}
        )
        self.assertEqual(res.status_code, 302)
        self.assertEqual(self.gateway.called("start_test_failover")[-1]["server_ids"], ["srv-db-1"])
        page = self.content(self.client.get(res["Location"]))
        self.assertIn("Only those below: a test of some of the group", page)
        self.assertIn("db-1", page)
        # It is not the group's last test.
        operation = self.gateway.operations[self.gateway.keys["k-part"]]
        operation["state"], operation["finished_at"] = "succeeded", operation["created_at"]
        row = self.ajax(INDEX, action="row_update", table="groups", obj_id=self.group["id"])
        self.assertNotIn("Succeeded</a>", self.content(row))

    def test_unplanned_failover_with_a_recovery_point(self) -> None:
        data = {
            "idempotency_key": "k-1",
            "mode": "unplanned",
            "recovery_point": "grp-finance.pgroup.1",
        }
        res = self.client.post(url("failover", self.group["id"]), data)
        self.assertEqual(res.status_code, 302)
        started = self.gateway.called("start_failover")[-1]
        self.assertEqual(started["mode"], "unplanned")
        self.assertEqual(started["recovery_point_id"], "grp-finance.pgroup.1")

    def test_planned_failover_ignores_a_recovery_point(self) -> None:
        data = {
            "idempotency_key": "k-2",
            "mode": "planned",
            "recovery_point": "grp-finance.pgroup.1",
            "quiesce": "on",
        }
        self.client.post(url("failover", self.group["id"]), data)
        started = self.gateway.called("start_failover")[-1]
        self.assertIsNone(started["recovery_point_id"])
        self.assertTrue(started["quiesce"])

    def test_a_refused_start_shows_the_gateways_reason(self) -> None:
        self.group["state"] = "testing"
        res = self.client.post(
            url("failover", self.group["id"]), {"idempotency_key": "k-3", "mode": "planned"}
        )
        self.assertEqual(res.status_code, 200)
        self.assertIn("is testing: a failover is not allowed", self.content(res))


@helpers.at_site_b
class FailedOverTest(helpers.TestCase):
    """After a failover to site-b, the group runs there: reprotect is offered there."""

    def setUp(self) -> None:
        super().setUp()
        self.group = self.gateway.add_group(
            "Finance",
            source="site-b",
            target="site-a",
            state="failed_over",
            vms=(("web-1", 1),),
        )

    def test_reprotect_offered_and_started(self) -> None:
        page = self.content(self.client.get(INDEX))
        self.assertIn("action_reprotect", page)
        self.assertNotIn("action_test_failover", page)
        form = self.content(self.client.get(url("reprotect", self.group["id"])))
        self.assertIn("First site-a removes the group&#x27;s old servers there", form)
        res = self.client.post(
            url("reprotect", self.group["id"]),
            {
                "idempotency_key": "k-4",
                "method": "retype",
                "target_replication_type": "async",
                "volume_type": "",
                "rpo_target": "",
            },
        )
        self.assertEqual(res.status_code, 302)
        started = self.gateway.called("start_reprotect")[-1]
        self.assertEqual(
            (started["method"], started["target_replication_type"]), ("retype", "async")
        )
