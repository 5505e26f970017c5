"""The Alerts panel: the project's alerts (firing by default, resolved, all; one group's), an
alert's page with its history, acknowledging one with a comment (members only), this site's
channels (a webhook's secret shown once on the page that answers, kept nowhere) and the
delivery log."""

from __future__ import annotations

from django.urls import reverse

from tests.dashboard import helpers

INDEX = reverse("horizon:project:dr_alerts:index")
CREATE_CHANNEL = reverse("horizon:project:dr_alerts:create_channel")
CHANNELS_TAB = "alert_tabs__channels"
DELIVERIES_TAB = "alert_tabs__deliveries"


def detail(alert_id: str) -> str:
    return reverse("horizon:project:dr_alerts:detail", args=[alert_id])


def acknowledge(alert_id: str) -> str:
    return reverse("horizon:project:dr_alerts:acknowledge", args=[alert_id])


class AlertsTest(helpers.TestCase):
    def setUp(self) -> None:
        super().setUp()
        self.finance = self.gateway.add_group("Finance", vms=(("web-1", 1),))
        self.retail = self.gateway.add_group("Retail", vms=(("shop-1", 1),))
        self.down = self.gateway.add_alert(
            self.finance["id"], "link_down", summary="replication link array-a to array-b down"
        )
        self.overdue = self.gateway.add_alert(self.retail["id"], "test_overdue")
        self.old = self.gateway.add_alert(self.finance["id"], "rpo_over_target", state="resolved")

    def row(self, alert: dict) -> str:
        return f'id="alerts__row__{alert["id"]}"'

    def test_the_firing_alerts_by_default(self) -> None:
        res = self.client.get(INDEX)
        self.assertEqual(res.status_code, 200)
        page = self.content(res)
        self.assertIn(self.row(self.down), page)
        self.assertIn(self.row(self.overdue), page)
        self.assertNotIn(self.row(self.old), page)
        self.assertIn("Replication link down", page)
        self.assertIn("replication link array-a to array-b down", page)
        self.assertIn('class="label label-danger draas-severity">critical', page)
        self.assertIn("site-b", page)
        self.assertEqual(self.gateway.called("list_alerts")[-1]["state"], "firing")
        self.assertIn("action_acknowledge", page)

    def test_all_resolved_and_one_groups(self) -> None:
        page = self.content(self.client.get(INDEX, {"state": "all"}))
        self.assertIn(self.row(self.old), page)
        self.assertIn(self.row(self.down), page)
        self.assertEqual(self.gateway.called("list_alerts")[-1]["state"], "")
        page = self.content(self.client.get(INDEX, {"state": "resolved"}))
        self.assertIn(self.row(self.old), page)
        self.assertNotIn(self.row(self.down), page)
        page = self.content(self.client.get(INDEX, {"group_id": self.retail["id"]}))
        self.assertIn(self.row(self.overdue), page)
        self.assertNotIn(self.row(self.down), page)
        self.assertIn("Only group Retail", page)

    def test_an_alert_of_no_group(self) -> None:
        tagged = self.gateway.add_alert(
            "", "tagged_vm_unprotected", summary="server web-9 names policy gold, unknown here"
        )
        page = self.content(self.client.get(INDEX))
        self.assertIn(self.row(tagged), page)
        self.assertIn("Tagged VM not protected", page)
        self.assertIn(
            "Tagged VM not protected", self.content(self.client.get(detail(tagged["id"])))
        )

    def test_sites_that_could_not_be_asked_are_named(self) -> None:
        self.gateway.unreachable_sites = ["site-c"]
        page = self.content(self.client.get(INDEX))
        self.assertIn("Missing: the alerts raised at site-c", page)

    def test_an_alerts_page_shows_its_history(self) -> None:
        page = self.content(self.client.get(detail(self.old["id"])))
        self.assertIn("RPO over target", page)
        self.assertIn('data-kind="fired"', page)
        self.assertIn('data-kind="resolved"', page)
        self.assertIn("the condition ended", page)
        self.assertIn(reverse("horizon:project:dr_groups:detail", args=[self.finance["id"]]), page)

    def test_an_alert_is_delivered_by_the_site_that_raised_it(self) -> None:
        page = self.content(self.client.get(detail(self.down["id"])))
        self.assertIn("It is delivered by site-b, where it was raised", page)
        self.gateway.add_alert(self.finance["id"], "test_overdue", site="site-a", id="here-1")
        self.gateway.add_delivery("here-1", "c-1")
        page = self.content(self.client.get(detail("here-1")))
        self.assertIn(f"?tab={DELIVERIES_TAB}&amp;alert_id=here-1", page)
        listed = self.content(self.ajax(INDEX, tab=DELIVERIES_TAB, alert_id="here-1"))
        self.assertIn("Only alert here-1", listed)
        self.assertEqual(self.gateway.called("list_deliveries")[-1]["alert_id"], "here-1")

    def test_acknowledge_with_a_comment(self) -> None:
        form = self.content(self.client.get(acknowledge(self.down["id"])))
        self.assertIn("replication link array-a to array-b down", form)
        self.assertIn("still resolves by itself", form)
        res = self.client.post(acknowledge(self.down["id"]), {"comment": "array team on it"})
        self.assertNoFormErrors(res)
        self.assertRedirectsNoFollow(res, detail(self.down["id"]))
        self.assertEqual(
            self.gateway.called("acknowledge_alert")[-1],
            {"alert_id": self.down["id"], "comment": "array team on it"},
        )
        page = self.content(self.client.get(detail(self.down["id"])))
        self.assertIn('data-kind="acknowledged"', page)
        self.assertIn("array team on it", page)
        self.assertIn("ago by you", page)
        self.assertNotIn("draas-acknowledge", page, "acknowledged once")
        listed = self.content(self.client.get(INDEX))
        self.assertNotIn(f"alerts__acknowledge__{self.down['id']}", listed)

    def test_a_reader_sees_the_alerts_and_may_not_acknowledge(self) -> None:
        self.set_roles("reader")
        self.gateway.writable = False
        page = self.content(self.client.get(INDEX))
        self.assertIn(self.row(self.down), page)
        self.assertNotIn("action_acknowledge", page)
        self.assertNotIn(
            "draas-acknowledge", self.content(self.client.get(detail(self.down["id"])))
        )
        res = self.client.post(acknowledge(self.down["id"]), {"comment": "x"})
        self.assertEqual(res.status_code, 200)
        self.assertIn("only allow reading", self.content(res))

    def test_an_unknown_alert_goes_back_to_the_list(self) -> None:
        res = self.client.get(detail("no-such-alert"))
        self.assertRedirectsNoFollow(res, INDEX)


class ChannelsTest(helpers.TestCase):
    def setUp(self) -> None:
        super().setUp()
        group = self.gateway.add_group("Finance", vms=(("web-1", 1),))
        self.alert = self.gateway.add_alert(group["id"], "link_down")

    def make_webhook(self, **fields: str) -> object:
        data = {
            "name": "ops-hook",
            "kind": "webhook",
            "address": "https://hooks.example.com/draas",
            "min_severity": "warning",
            "secret": "",
            **fields,
        }
        return self.client.post(CREATE_CHANNEL, data, HTTP_X_REQUESTED_WITH="XMLHttpRequest")

    def test_a_webhooks_secret_is_shown_once_and_kept_nowhere(self) -> None:
        res = self.make_webhook()
        self.assertEqual(res.status_code, 200)
        self.assertEqual(res["Cache-Control"], "no-store")
        page = self.content(res)
        (channel,) = self.gateway.channels.values()
        # The fake made the secret; the answer that made the channel is the only one with it.
        secret = page.split('class="draas-channel-secret">')[1].split("<")[0]
        self.assertTrue(secret.startswith("made-"), page)
        self.assertIn("shown this once", page)
        self.assertIn(f"?tab={CHANNELS_TAB}", page)
        session = self.client.session
        self.assertNotIn(secret, repr(dict(session.items())))
        self.assertNotIn(secret, repr(self.gateway.calls))
        self.assertNotIn(secret, str(res.cookies))
        listed = self.content(self.ajax(INDEX, tab=CHANNELS_TAB))
        self.assertIn("ops-hook", listed)
        self.assertIn("https://hooks.example.com/draas", listed)
        self.assertNotIn(secret, listed)
        self.assertEqual(channel["name"], "ops-hook")

    def test_a_secret_of_ones_own_is_sent_and_hidden_from_error_reports(self) -> None:
        res = self.make_webhook(secret="my-own-signing-secret")
        self.assertIn("my-own-signing-secret", self.content(res))
        self.assertTrue(self.gateway.called("create_alert_channel")[-1]["secret_given"])
        view = res.resolver_match.func.view_class
        self.assertEqual(res.wsgi_request.sensitive_post_parameters, ("secret",), view.__name__)

    def test_the_full_page_when_not_in_a_modal(self) -> None:
        res = self.client.post(
            CREATE_CHANNEL,
            {
                "name": "ops",
                "kind": "webhook",
                "address": "http://10.0.0.1/h",
                "min_severity": "critical",
            },
        )
        self.assertEqual(res.status_code, 200)
        self.assertTemplateUsed(res, "draas_dashboard/alerts/channel_made.html")
        self.assertIn("draas-channel-secret", self.content(res))

    def test_an_email_channel_has_no_secret(self) -> None:
        res = self.client.post(
            CREATE_CHANNEL,
            {
                "name": "ops-mail",
                "kind": "email",
                "address": "oncall@example.com , dr@example.com",
                "min_severity": "critical",
                "secret": "a-secret-for-nothing-here",
            },
            HTTP_X_REQUESTED_WITH="XMLHttpRequest",
        )
        page = self.content(res)
        self.assertNotIn("draas-channel-secret", page)
        made = self.gateway.called("create_alert_channel")[-1]
        self.assertEqual(made["address"], "oncall@example.com, dr@example.com")
        self.assertFalse(made["secret_given"])

    def test_bad_addresses_are_refused_here(self) -> None:
        res = self.make_webhook(address="ftp://hooks.example.com")
        self.assertIn("http(s) URL", self.content(res))
        res = self.client.post(
            CREATE_CHANNEL,
            {"name": "m", "kind": "email", "address": "not-an-address", "min_severity": "warning"},
        )
        self.assertIn("not an e-mail address", self.content(res))
        res = self.make_webhook(secret="short")
        self.assertIn("at least 16 characters", self.content(res))
        self.assertEqual(self.gateway.called("create_alert_channel"), [])

    def test_channels_tab_says_where_alerts_are_raised(self) -> None:
        page = self.content(self.ajax(INDEX, tab=CHANNELS_TAB))
        self.assertIn("raised at this site (site-a)", page)
        self.assertIn("None of the project's groups fails over to this site", page)
        self.assertIn("Create Channel", page)

    def test_delete_a_channel(self) -> None:
        self.make_webhook()
        (channel_id,) = self.gateway.channels
        res = self.client.post(
            f"{INDEX}?tab={CHANNELS_TAB}", {"action": f"alert_channels__delete__{channel_id}"}
        )
        self.assertEqual(res.status_code, 302)
        self.assertEqual(self.gateway.channels, {})

    def test_a_reader_may_not_make_or_delete_channels(self) -> None:
        self.make_webhook()
        self.set_roles("reader")
        page = self.content(self.ajax(INDEX, tab=CHANNELS_TAB))
        self.assertIn("ops-hook", page)
        self.assertNotIn("Create Channel", page)
        self.assertNotIn("Delete Channel", page)

    def test_delivery_log_names_channels_and_filters(self) -> None:
        self.make_webhook()
        (channel_id,) = self.gateway.channels
        self.gateway.add_delivery(self.alert["id"], channel_id)
        self.gateway.add_delivery(self.alert["id"], "other", state="failed")
        page = self.content(self.ajax(INDEX, tab=DELIVERIES_TAB))
        self.assertIn("ops-hook", page)
        self.assertIn("HTTP 204", page)
        self.assertIn("connection refused", page)
        self.assertIn(reverse("horizon:project:dr_alerts:detail", args=[self.alert["id"]]), page)
        page = self.content(self.ajax(INDEX, tab=DELIVERIES_TAB, channel_id=channel_id))
        self.assertNotIn("connection refused", page)
        self.assertIn("Only channel ops-hook", page)
