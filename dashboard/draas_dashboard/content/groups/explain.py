"""What an operation will do, said before it is started (the confirmation of each modal), in
terms of this group: its sites, its VMs and tiers."""

from __future__ import annotations

from django.utils.translation import gettext as _

from draas_dashboard import formatting
from draas_dashboard.api.records import Group


def _vms(group: Group) -> str:
    tiers = sorted({vm.tier or 1 for vm in group.vms})
    count = len(group.vms)
    if len(tiers) > 1:
        return _("its %(count)d VMs, tier by tier (tier %(first)s first)") % {
            "count": count,
            "first": tiers[0],
        }
    return _("its %(count)d VMs") % {"count": count}


def test_failover(group: Group) -> list[str]:
    return [
        _(
            "At %(target)s, draas recovers copies of %(name)s's volumes from the chosen recovery "
            "point, boots %(vms)s on isolated copies of their networks, checks each one and "
            "reports the RTO and RPO it achieved."
        )
        % {"target": group.target_site, "name": group.display_name, "vms": _vms(group)},
        _("Production at %(source)s is untouched: its VMs keep running and replicating.")
        % {"source": group.source_site},
        _(
            "The test holds the group (state testing) until it is cleaned up: clean it up from "
            "the operation's page, which removes every server, volume, port and network the "
            "test made, or let it be cleaned up automatically."
        ),
        _(
            "Untick VMs to test only some of them: a test of some VMs is not the group's last "
            "test, nor counted in its compliance report."
        ),
    ]


def failover(group: Group) -> list[str]:
    sync = group.replication_type == "sync"
    return [
        _(
            "Planned (%(source)s is up): the VMs at %(source)s are stopped, their volumes "
            "replicate one last time, and %(vms)s boot at %(target)s from that copy, so no "
            "write is lost. %(quiesce)s"
        )
        % {
            "source": group.source_site,
            "target": group.target_site,
            "vms": _vms(group),
            "quiesce": _("A synchronous group's VMs are always stopped first.")
            if sync
            else _(
                "Asynchronous: without 'stop the VMs before the last replication' they stop "
                "after it."
            ),
        },
        _(
            "Unplanned (%(source)s is lost): %(vms)s boot at %(target)s from the newest complete "
            "recovery point held there (or the one you choose), without asking %(source)s "
            "anything. Writes after that point are lost; the report says how much (the RPO)."
        )
        % {"source": group.source_site, "target": group.target_site, "vms": _vms(group)},
        _(
            "Afterwards the group runs at %(target)s (failed over) and is no longer protected: "
            "reprotect it there to replicate back to %(source)s."
        )
        % {"source": group.source_site, "target": group.target_site},
    ]


def reprotect(group: Group) -> list[str]:
    return [
        _(
            "First %(old)s removes the group's old servers there, with their ports and volumes, "
            "so that a VM never runs at both sites (%(old)s must be reachable)."
        )
        % {"old": group.target_site},
        _(
            "Then the recovered volumes here at %(here)s get a replicated volume type and the "
            "group replicates back to %(old)s, protected again."
        )
        % {"here": group.source_site, "old": group.target_site},
        _(
            "Retype: Cinder retypes the volumes in place, without an outage. Volume type: one "
            "tier after another, each VM is stopped, its server deleted (ports and volumes "
            "kept), its volumes managed again under the replicated type and the server booted "
            "on the same ports: an outage per VM."
        ),
    ]


def failback(group: Group) -> list[str]:
    home = group.home_site or group.target_site
    text = [
        _(
            "A planned failover back to %(home)s: the VMs at %(source)s are stopped, replicate "
            "one last time and boot here at %(home)s; then the group is reprotected towards "
            "%(source)s. Should that reprotect fail, the group stays failed over at %(home)s "
            "and can be reprotected again."
        )
        % {"home": home, "source": group.source_site},
    ]
    if group.home_site is None:
        text.append(
            _(
                "A failback is for a group that was failed over away from the site it was made "
                "at and reprotected: it runs at that site only, and draas refuses it otherwise."
            )
        )
    return text


def cleanup(site: str | None, test_id: str) -> list[str]:
    return [
        _(
            "Removes everything test failover %(id)s made at %(site)s: its servers, volumes, "
            "ports, networks, routers and security groups; the cleanup's report lists them."
        )
        % {"id": test_id, "site": site or _("the target site")},
        _("Production is untouched. The group can be tested again once the cleanup succeeded."),
    ]


def add_vm(group: Group) -> list[str]:
    return [
        _(
            "draas checks that every volume of the VM is of a volume type that replicates "
            "%(type)s, none is encrypted and all are on the group's array; then its volumes join "
            "the group's replication to %(target)s and its metadata (flavor, image, networks, "
            "ports, security groups) is captured for the recovery there."
        )
        % {"type": group.replication_type, "target": group.target_site},
        _("A VM that is not eligible is refused, naming each volume and why."),
    ]


def split(group: Group) -> list[str]:
    return [
        _(
            "The VMs you choose leave %(name)s for a new group of their own, made like it: "
            "%(type)s replication to %(target)s, the same targets, schedule, hooks and checks."
        )
        % {"name": group.display_name, "type": group.replication_type, "target": group.target_site},
        _(
            "The new group then fails over, is reprotected and fails back without the others: "
            "this is how some VMs of a group fail over on their own. Its first recovery point "
            "at %(target)s is taken at once."
        )
        % {"target": group.target_site},
    ]


def edit_targets(group: Group) -> list[str]:
    text = [
        _(
            "%(target)s watches the group against its targets: the RPO target (an alert when "
            "the newest recovery point there is older, a critical one past twice it), the RTO "
            "target (each test's measured RTO is judged against it in the compliance report) "
            "and the test interval (an alert when no test failover succeeded within it)."
        )
        % {"target": group.target_site},
    ]
    if group.replication_type == "async":
        text.append(
            _("A new RPO target reschedules the group's replication at %(source)s at once.")
            % {"source": group.source_site}
        )
    if group.policy:
        text.append(
            _(
                "The group takes its targets from policy %(policy)s: change the policy to "
                "change them. Its description can be changed here."
            )
            % {"policy": group.policy}
        )
    return text


def move(group: Group) -> list[str]:
    return [
        _(
            "A planned failover to %(target)s: the VMs at %(source)s are stopped, their "
            "volumes replicate one last time and %(vms)s boot here at %(target)s from that "
            "copy, so no write is lost."
        )
        % {"source": group.source_site, "target": group.target_site, "vms": _vms(group)},
        _(
            "Then, in the same operation, the group is reprotected back towards %(source)s: "
            "the old servers there are removed (so that no VM runs at both sites) and the "
            "volumes here replicate to %(source)s. The group ends protected, running at "
            "%(target)s."
        )
        % {"source": group.source_site, "target": group.target_site},
        _(
            "The VMs are down from the moment they stop at %(source)s until they are verified "
            "here: plan it for a maintenance window."
        )
        % {"source": group.source_site},
    ]


def run_scheduled_test(group: Group) -> list[str]:
    schedule = group.schedule
    cleanup = (
        formatting.interval(schedule.cleanup_after_seconds)
        if schedule.cleanup_after_seconds
        else _("the site's default time")
    )
    return [
        _(
            "A test failover of %(name)s at %(target)s now, as its schedule runs one: copies "
            "of %(vms)s boot on isolated networks, are checked (with the group's application "
            "checks) and reported. Production at %(source)s is untouched."
        )
        % {
            "name": group.display_name,
            "target": group.target_site,
            "source": group.source_site,
            "vms": _vms(group),
        },
        _(
            "It is cleaned up by itself after %(cleanup)s, and counts as the group's last test: "
            "the next scheduled one is due a test interval after it succeeds."
        )
        % {"cleanup": cleanup},
    ]
