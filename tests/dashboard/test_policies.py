"""The DR Policies panel: the table (targets, scheduled tests with their windows, the groups
made from each), a policy's page, the form that makes one (an admin may publish it) and the
form that changes one, whose answer lists what changed in each group made from it; delete,
refused (409) while groups are made from the policy; what a reader and a member are offered
for published policies."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from tests.dashboard import helpers

INDEX = reverse("horizon:project:dr_policies:index")
CREATE = reverse("horizon:project:dr_policies:create")


def url(name: str, policy_id: str) -> str:
    return reverse(f"horizon:project:dr_policies:{name}", args=[policy_id])


def form_data(**changes: Any) -> dict[str, Any]:
    """The policy form as a user fills it in."""
    data = {
        "name": "gold",
        "description": "",
        "replication_type": "async",
        "target_site": "site-b",
        "rpo_target": "60",
        "rto_target": "900",
        "test_interval": "24",
        "scheduled_tests": "on",
        "windows": "mon-fri 20:00-06:00\r\n\r\nsat,sun 00:00-24:00\r\n",
        "timezone": "Europe/Paris",
        "cleanup_after": "2",
        "default_tier": "2",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


class PoliciesTest(helpers.TestCase):
    def setUp(self) -> None:
        super().setUp()
        self.gold = self.gateway.add_policy(
            "gold",
            test_interval=86400.0,
            rto_target=900.0,
            test_schedule={
                "enabled": True,
                "windows": ["mon-fri 20:00-06:00"],
                "timezone": "Europe/Paris",
                "cleanup_after": 7200.0,
            },
        )
        self.group = self.gateway.add_group(
            "Finance-Gold",
            vms=(("web-1", 1),),
            policy_id=self.gold["id"],
            policy_name="gold",
            test_interval=86400.0,
            rto_target=900.0,
            test_schedule=dict(self.gold["test_schedule"]),
        )
        self.shared = self.gateway.add_policy("shared-silver", published=True, rpo=300.0)

    def test_the_table(self) -> None:
        res = self.client.get(INDEX)
        self.assertEqual(res.status_code, 200)
        page = self.content(res)
        self.assertIn("DR Policies", page)
        self.assertIn("draas:policy=&lt;name&gt;", page)
        self.assertIn("1m00s / 15m00s", page)
        self.assertIn("mon-fri 20:00-06:00 (Europe/Paris), cleaned up after 2h", page)
        group_link = reverse("horizon:project:dr_groups:detail", args=[self.group["id"]])
        self.assertIn(f'<a href="{group_link}">Finance-Gold</a>', page)
        self.assertIn("shared-silver", page)
        self.assertIn("Create Policy", page)
        # A member changes the project's own policies, not a published one.
        self.assertIn(url("edit", self.gold["id"]), page)
        self.assertNotIn(url("edit", self.shared["id"]), page)
        self.assertNotIn(f"policies__delete__{self.shared['id']}", page)

    def test_a_reader_is_offered_nothing(self) -> None:
        self.set_roles("reader")
        page = self.content(self.client.get(INDEX))
        self.assertIn("gold", page)
        self.assertNotIn("Create Policy", page)
        self.assertNotIn("/edit/", page)
        self.assertNotIn("policies__delete__", page)

    def test_an_admin_may_change_a_published_one(self) -> None:
        self.set_roles("admin")
        page = self.content(self.client.get(INDEX))
        self.assertIn(url("edit", self.shared["id"]), page)

    def test_the_policy_page(self) -> None:
        self.gold["automation"] = {
            "hooks": [
                {
                    "name": "drain",
                    "url": "https://hooks.example.com/drain",
                    "when": "pre_operation",
                    "kinds": ["planned_failover"],
                    "timeout": 10.0,
                    "retries": 1,
                    "on_failure": "warn",
                    "vms": [],
                    "tiers": [],
                }
            ],
            "checks": [],
        }
        page = self.content(self.client.get(url("detail", self.gold["id"])))
        self.assertIn("draas:policy=gold", page)
        self.assertIn("on: mon-fri 20:00-06:00 (Europe/Paris), cleaned up after 2h", page)
        self.assertIn("Finance-Gold", page)
        self.assertIn("https://hooks.example.com/drain", page)
        self.assertIn("planned_failover", page)
        self.assertIn("draas-edit-policy", page)

    def test_create_sends_the_policy_with_its_schedule(self) -> None:
        form = self.content(self.client.get(CREATE))
        self.assertIn('<option value="site-b"', form)
        self.assertNotIn('<option value="site-a"', form)
        self.assertNotIn("id_publish", form, "only admins publish")
        res = self.client.post(CREATE, form_data(name="platinum"))
        self.assertNoFormErrors(res)
        made = next(p for p in self.gateway.policies.values() if p["name"] == "platinum")
        self.assertRedirectsNoFollow(res, url("detail", made["id"]))
        sent = self.gateway.called("create_policy")[-1]
        self.assertFalse(sent["publish"])
        self.assertEqual(
            sent["body"],
            {
                "name": "platinum",
                "description": "",
                "replication_type": "async",
                "target_site": "site-b",
                "rpo_target_seconds": 60.0,
                "rto_target_seconds": 900.0,
                "test_interval_seconds": 86400,
                "test_schedule": {
                    "enabled": True,
                    "windows": ["mon-fri 20:00-06:00", "sat,sun 00:00-24:00"],
                    "timezone": "Europe/Paris",
                    "cleanup_after_seconds": 7200,
                },
                "default_tier": 2,
            },
        )

    def test_an_admin_publishes(self) -> None:
        self.set_roles("admin")
        self.gateway.admin = True
        self.assertIn("id_publish", self.content(self.client.get(CREATE)))
        res = self.client.post(CREATE, form_data(name="bronze", publish="on"))
        self.assertNoFormErrors(res)
        self.assertTrue(self.gateway.called("create_policy")[-1]["publish"])

    def test_the_form_refuses_what_the_gateway_would(self) -> None:
        res = self.client.post(CREATE, form_data(name="x", test_interval="", timezone="Mars/Base"))
        self.assertEqual(res.status_code, 200)
        page = self.content(res)
        self.assertIn("Tests that run by themselves need a test interval.", page)
        self.assertIn("Mars/Base is not an IANA time zone", page)
        res = self.client.post(CREATE, form_data(name="y", rpo_target=""))
        self.assertIn("An asynchronous policy needs an RPO target.", self.content(res))
        self.assertEqual(self.gateway.called("create_policy"), [])

    def test_the_gateways_refusal_is_shown(self) -> None:
        res = self.client.post(CREATE, form_data(windows="someday"))
        self.assertEqual(res.status_code, 200)
        page = self.content(res)
        self.assertIn("there is a policy named gold already", page)
        res = self.client.post(CREATE, form_data(name="z", windows="someday"))
        self.assertIn("a window is &#x27;DAYS HH:MM-HH:MM&#x27;", self.content(res))

    def test_edit_lists_what_changed_in_each_group(self) -> None:
        form = self.client.get(url("edit", self.gold["id"]))
        page = self.content(form)
        self.assertIn("mon-fri 20:00-06:00</textarea>", page)
        self.assertIn('value="24.0"', page, "the test interval in hours")
        self.assertIn("1 group(s) here are made from this policy", page)
        # Its replication and target site cannot change while a group is made from it.
        self.assertIn("Cannot change while groups are made from the policy", page)
        self.assertIn("disabled", page)
        res = self.client.post(
            url("edit", self.gold["id"]),
            form_data(rpo_target="30", windows="sat 00:00-24:00", replication_type="sync"),
        )
        self.assertEqual(res.status_code, 200)
        self.assertTemplateUsed(res, "draas_dashboard/policies/changed.html")
        page = self.content(res)
        self.assertIn("Policy gold is changed.", page)
        self.assertIn("Finance-Gold", page)
        self.assertIn("rpo_target 60 s -&gt; 30 s", page)
        self.assertIn("test_schedule", page)
        self.assertIn(f'href="{url("detail", self.gold["id"])}"', page)
        sent = self.gateway.called("update_policy")[-1]["body"]
        self.assertEqual(sent["replication_type"], "async", "a disabled field keeps its value")
        self.assertEqual(self.group["rpo_target"], 30.0)
        self.assertEqual(self.group["test_schedule"]["windows"], ["sat 00:00-24:00"])

    def test_an_ajax_edit_answers_in_the_modal(self) -> None:
        res = self.client.post(
            url("edit", self.gold["id"]),
            form_data(rto_target="600"),
            HTTP_X_REQUESTED_WITH="XMLHttpRequest",
        )
        self.assertTemplateUsed(res, "draas_dashboard/policies/_changed.html")
        self.assertIn("rto_target 900 s -&gt; 600 s", self.content(res))
        done = 'target="_self" class="btn btn-primary draas-policy-done"'
        self.assertIn(done, self.content(res))

    def test_a_group_that_cannot_take_the_change_says_why(self) -> None:
        self.group["state"] = "testing"
        res = self.client.post(url("edit", self.gold["id"]), form_data(rpo_target="30"))
        page = self.content(res)
        self.assertIn("kept its values", page)
        self.assertIn("is testing: a change is not allowed now", page)
        self.assertEqual(self.group["rpo_target"], 60.0)

    def test_an_edit_keeps_the_hooks_and_checks(self) -> None:
        hooks = {
            "hooks": [
                {
                    "name": "notify",
                    "url": "https://hooks.example.com/n",
                    "when": "post_operation",
                    "kinds": [],
                    "timeout": 5.0,
                    "retries": 2,
                    "on_failure": "fail",
                    "vms": [],
                    "tiers": [],
                }
            ],
            "checks": [
                {
                    "name": "db",
                    "type": "tcp",
                    "port": 5432,
                    "path": "",
                    "expect_status": 0,
                    "expect_text": "",
                    "url": "",
                    "timeout": 60.0,
                    "in_failovers": False,
                    "on_failure": "fail",
                    "vms": ["db-1"],
                    "tiers": [],
                }
            ],
        }
        self.gold["automation"] = hooks
        self.group["automation"] = hooks
        res = self.client.post(url("edit", self.gold["id"]), form_data(description="gold tier"))
        self.assertNoFormErrors(res)
        sent = self.gateway.called("update_policy")[-1]["body"]["automation"]
        self.assertEqual(sent["hooks"][0]["timeout_seconds"], 5.0)
        self.assertNotIn("timeout", sent["hooks"][0])
        self.assertEqual(sent["checks"][0]["path"], "/")
        self.assertEqual(sent["checks"][0]["vms"], ["db-1"])

    def test_a_published_policy_changed_by_a_member_is_refused(self) -> None:
        res = self.client.post(url("edit", self.shared["id"]), form_data(name="shared-silver"))
        self.assertEqual(res.status_code, 200)
        self.assertIn("only an admin may change it", self.content(res))

    def test_delete_is_refused_while_groups_are_made_from_it(self) -> None:
        res = self.client.post(INDEX, {"action": f"policies__delete__{self.gold['id']}"})
        self.assertEqual(res.status_code, 302)
        self.assertIn(self.gold["id"], self.gateway.policies)
        messages = [str(m) for m in res.wsgi_request._messages]
        self.assertTrue(
            any(
                "Unable to delete policy gold: policy gold is named by 1 group(s) "
                "(Finance-Gold): delete them or change them first" in m
                for m in messages
            ),
            messages,
        )

    def test_delete(self) -> None:
        del self.gateway.groups[self.group["id"]]
        res = self.client.post(INDEX, {"action": f"policies__delete__{self.gold['id']}"})
        self.assertRedirectsNoFollow(res, INDEX)
        self.assertNotIn(self.gold["id"], self.gateway.policies)

    def test_a_policy_that_cannot_be_read(self) -> None:
        res = self.client.get(url("detail", "no-such"))
        self.assertRedirectsNoFollow(res, INDEX)
