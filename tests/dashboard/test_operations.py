"""The operations panel: the list (a running operation's row updates itself), an operation's
page (progress refreshed by the page while it runs, then its report with the timeline) and a
test's cleanup."""

from __future__ import annotations

from django.urls import reverse

from tests.dashboard import helpers

INDEX = reverse("horizon:project:dr_operations:index")


def url(name: str, operation_id: str) -> str:
    return reverse(f"horizon:project:dr_operations:{name}", args=[operation_id])


@helpers.at_site_b
class OperationsTest(helpers.TestCase):
    def setUp(self) -> None:
        super().setUp()
        self.group = self.gateway.add_group("Finance", vms=(("web-1", 1), ("db-1", 2)))

    def test_index_updates_running_rows_only(self) -> None:
        running = self.gateway.add_operation(self.group["id"], "test_failover", "running")
        done = self.gateway.add_operation(self.group["id"], "planned_failover", "succeeded")
        page = self.content(self.client.get(INDEX))
        self.assertIn("Test failover", page)
        self.assertIn("Finance", page)
        self.assertIn(f'id="operations__row__{running["id"]}"', page)
        row_start = page.index(f'id="operations__row__{running["id"]}"')
        self.assertIn("ajax-update", page[page.rindex("<tr", 0, row_start) : row_start])
        self.assertIn("0/2 VMs done (web-1: recover_volumes)", page)
        update = self.ajax(INDEX, action="row_update", table="operations", obj_id=done["id"])
        self.assertIn("status_up", self.content(update))

    def test_cleanup_offered_for_an_ended_test_not_yet_cleaned_up(self) -> None:
        test = self.gateway.add_operation(self.group["id"], "test_failover", "succeeded")
        page = self.content(self.client.get(INDEX))
        self.assertIn(f"operations__row_{test['id']}__action_cleanup", page)
        self.gateway.add_operation(
            self.group["id"], "test_cleanup", "succeeded", parent_operation_id=test["id"]
        )
        page = self.content(self.client.get(INDEX))
        self.assertNotIn(f"operations__row_{test['id']}__action_cleanup", page)

    def test_running_operation_page_refreshes_its_progress(self) -> None:
        op = self.gateway.add_operation(self.group["id"], "test_failover", "running")
        res = self.client.get(url("detail", op["id"]))
        page = self.content(res)
        self.assertIn('data-running="true"', page)
        self.assertIn(f'data-url="{url("progress", op["id"])}"', page)
        self.assertIn("XMLHttpRequest", page)
        self.assertIn('data-step="recover_volumes" data-state="running"', page)
        self.assertNotIn("draas-report", page)
        self.assertEqual(self.gateway.called("get_report"), [])
        self.assertNotIn("draas-cleanup", page)

    def test_progress_fragment(self) -> None:
        op = self.gateway.add_operation(self.group["id"], "test_failover", "running")
        fragment = self.content(self.ajax(url("progress", op["id"])))
        self.assertTrue(fragment.strip().startswith('<div class="draas-progress"'))
        self.assertIn("0 of 2 VMs done", fragment)
        self.assertIn("tier 1 of 2 under way", fragment)
        self.assertNotIn("<html", fragment)
        self.gateway.operations[op["id"]]["state"] = "succeeded"
        self.assertIn('data-running="false"', self.content(self.ajax(url("progress", op["id"]))))

    def test_ended_operation_shows_its_report(self) -> None:
        op = self.gateway.add_operation(self.group["id"], "test_failover", "succeeded")
        self.gateway.reports[op["id"]]["errors"] = ["VM db-1: verify <timed out>"]
        page = self.content(self.client.get(url("detail", op["id"])))
        self.assertIn('data-running="false"', page)
        self.assertIn("1m36s", page)  # RTO
        self.assertIn("42.0s", page)  # RPO
        self.assertIn("grp-finance.pgroup.1", page)
        self.assertIn('class="draas-chart"', page)
        self.assertIn("draas-step draas-step-succeeded", page)
        self.assertIn("VM db-1: verify &lt;timed out&gt;", page)
        self.assertIn('id="draas-cleanup"', page)

    def test_cleanup_report_lists_what_it_removed_and_kept(self) -> None:
        test = self.gateway.add_operation(self.group["id"], "test_failover", "succeeded")
        cleanup = self.gateway.add_operation(
            self.group["id"], "test_cleanup", "succeeded", parent_operation_id=test["id"]
        )
        self.gateway.reports[cleanup["id"]].update(
            removed=["server 1f0c (web-1)", "network 77aa (dr-net)"],
            kept=["network 88bb (shared): in use by port 9a2e"],
        )
        page = self.content(self.client.get(url("detail", cleanup["id"])))
        self.assertIn("server 1f0c (web-1)", page)
        self.assertIn("network 77aa (dr-net)", page)
        self.assertIn("in use by port 9a2e", page)
        self.assertIn(url("detail", test["id"]), page)
        # The test's own page links its cleanup and no longer offers one.
        test_page = self.content(self.client.get(url("detail", test["id"])))
        self.assertIn(url("detail", cleanup["id"]), test_page)
        self.assertNotIn('id="draas-cleanup"', test_page)

    def test_cleanup_confirmation_and_start(self) -> None:
        test = self.gateway.add_operation(self.group["id"], "test_failover", "succeeded")
        form = self.client.get(url("cleanup", test["id"]))
        self.assertIn(f"Removes everything test failover {test['id']} made", self.content(form))
        key = form.context["form"].initial["idempotency_key"]
        res = self.client.post(url("cleanup", test["id"]), {"idempotency_key": key})
        cleanup_id = self.gateway.keys[key]
        self.assertRedirectsNoFollow(res, url("detail", cleanup_id))
        self.assertEqual(self.gateway.operations[cleanup_id]["parent_operation_id"], test["id"])

    def test_unknown_operation_goes_back_to_the_list(self) -> None:
        res = self.client.get(url("detail", "nope"))
        self.assertRedirectsNoFollow(res, INDEX)

    def test_a_reader_gets_no_cleanup(self) -> None:
        self.set_roles("reader")
        test = self.gateway.add_operation(self.group["id"], "test_failover", "succeeded")
        self.assertNotIn("action_cleanup", self.content(self.client.get(INDEX)))
        detail = self.content(self.client.get(url("detail", test["id"])))
        self.assertNotIn('id="draas-cleanup"', detail)
