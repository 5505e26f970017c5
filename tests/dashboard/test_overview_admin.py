"""The overview (VMs and their protection, groups at a glance) and the admin panel (every
project's groups and operations, the sites)."""

from __future__ import annotations

from unittest import mock

from django.urls import reverse
from novaclient import exceptions as nova_exceptions
from openstack import exceptions as sdk_exceptions
from openstack_dashboard.api import keystone

from draas_dashboard.api import draas
from draas_dashboard.api.errors import DraasUnreachable
from tests.dashboard import helpers

OVERVIEW = reverse("horizon:project:dr_overview:index")
ADMIN = reverse("horizon:admin:dr_admin:index")


class OverviewTest(helpers.TestCase):
    def test_vms_with_their_protection(self) -> None:
        self.gateway.add_group("Finance", vms=(("web-1", 1),))
        self.gateway.add_server("app-1", "eligible", eligible_for=["async"])
        self.gateway.add_server("legacy", "not_eligible", ("async: volume v-9: it is encrypted",))
        res = self.client.get(OVERVIEW)
        self.assertEqual(res.status_code, 200)
        page = self.content(res)
        self.assertIn("3 VMs here: 1 protected, 1 not protected but eligible, 1 not eligible", page)
        link = '<a href="/project/dr_groups/grp-finance/">Finance</a>'
        self.assertIn(f"Protected in {link} (tier 1)", page)
        self.assertIn("Eligible for async", page)
        self.assertIn("Not eligible: async: volume v-9: it is encrypted", page)
        # Groups render at once; their health comes row by row.
        self.assertIn("/project/dr_overview/?action=row_update&amp;table=groups", page)
        row = self.ajax(OVERVIEW, action="row_update", table="groups", obj_id="grp-finance")
        self.assertIn("draas-rpo-current", self.content(row))

    def test_gateway_down_is_a_message_not_a_crash(self) -> None:
        down = DraasUnreachable(503, "draas does not answer", "cannot reach the draas gateway")
        with (
            mock.patch.object(draas, "list_groups", side_effect=down),
            mock.patch.object(draas, "list_vms", side_effect=down),
        ):
            res = self.client.get(OVERVIEW)
        self.assertEqual(res.status_code, 200)
        messages = [str(m) for m in res.context["messages"]]
        self.assertTrue(any("cannot reach the draas gateway" in m for m in messages), messages)


class AdminTest(helpers.TestCase):
    def setUp(self) -> None:
        super().setUp()
        self.set_roles("admin")
        self.gateway.admin = True
        mock.patch.object(
            keystone, "tenant_list", return_value=(self.tenants.list(), False)
        ).start()

    def test_every_project_and_the_sites(self) -> None:
        self.gateway.add_group("Finance", vms=(("web-1", 1),), project_id=self.tenant.id)
        self.gateway.add_group("Payroll", source="site-b", target="site-a", vms=(("pay-1", 1),))
        self.gateway.health["grp-payroll"]["storage_link_up"] = False
        op = self.gateway.add_operation("grp-finance", "test_failover", "succeeded")
        op["project_id"] = self.tenant.id
        res = self.client.get(ADMIN)
        self.assertEqual(res.status_code, 200)
        page = self.content(res)
        self.assertEqual(self.gateway.called("list_groups")[0], {"all_projects": True})
        self.assertTrue(self.gateway.called("list_operations")[0]["all_projects"])
        self.assertIn(f"{self.tenant.name} ({self.tenant.id[:8]})", page)
        self.assertIn("Payroll", page)
        self.assertIn('data-site="site-a"', page)
        self.assertIn('data-site="site-b"', page)
        self.assertIn("replication links down: 1", page)
        # This site's own services (GET /v1/site/status).
        self.assertIn("draas-dependencies", page)
        self.assertIn("healthy", page)
        # Health is read for each group in its own project.
        projects = {c["project_id"] for c in self.gateway.called("replication_health")}
        self.assertIn(self.tenant.id, projects)
        self.assertIn(
            reverse("horizon:admin:dr_admin:operation", args=[self.tenant.id, op["id"]]), page
        )

    def test_a_site_whose_services_do_not_all_answer(self) -> None:
        self.gateway.healthy = False
        page = self.content(self.client.get(ADMIN))
        self.assertIn("not healthy", page)
        self.assertIn("UNAVAILABLE", page)

    def test_an_operation_of_any_project(self) -> None:
        self.gateway.add_group("Finance", vms=(("web-1", 1),))
        op = self.gateway.add_operation("grp-finance", "test_failover", "succeeded")
        res = self.client.get(
            reverse("horizon:admin:dr_admin:operation", args=["project-a", op["id"]])
        )
        self.assertEqual(res.status_code, 200)
        page = self.content(res)
        self.assertIn("draas-report", page)
        self.assertNotIn('id="draas-cleanup"', page)
        self.assertEqual(self.gateway.called("get_operation")[0]["project_id"], "project-a")


class NotAdminTest(helpers.TestCase):
    def test_the_admin_panel_is_for_admins(self) -> None:
        res = self.client.get(ADMIN)
        self.assertNotEqual(res.status_code, 200)


class IsolationTest(helpers.TestCase):
    """The dashboard tests run in the same process as the rest of the suite."""

    def test_client_libraries_exceptions_stay_as_they_are(self) -> None:
        # Horizon's test data would replace these classes' __init__ for the whole process.
        for cls in (sdk_exceptions.SDKException, nova_exceptions.ClientException):
            self.assertNotIn("fake_init_exception", cls.__init__.__qualname__)
        self.assertEqual(str(sdk_exceptions.SDKException("kept")), "kept")
