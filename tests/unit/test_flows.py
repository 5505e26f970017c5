"""The plans of the operations: their units, tiers and steps."""

from cli.views import STEP_WIDTH
from services.orchestrator import flows
from services.orchestrator.engine.plan import (
    FINISH,
    FINISH_TIER,
    FOLLOW_UP,
    FOLLOW_UP_TIER,
    PREPARE,
    PREPARE_TIER,
    TIER,
    VM,
    shown_tier,
)
from services.orchestrator.groups import Group, ProtectedVm
from services.orchestrator.steps import StepDeps, build_registry


def group(kind="async"):
    return Group(
        id="g1",
        project_id="p-a",
        name="payroll",
        description="",
        replication_type=kind,
        source_site="site-a",
        target_site="site-b",
        rpo_target_seconds=60,
        state="protected",
        created_at="",
        updated_at="",
        vms=[
            ProtectedVm("web", "web", 1, ""),
            ProtectedVm("db", "db", 2, ""),
        ],
    )


def shape(plan):
    return [(u.key, u.role, u.tier, u.steps) for u in plan.units]


VMS = [
    ("web", VM, 1, flows.VM_STEPS),
    ("db", VM, 2, flows.VM_STEPS),
]


def test_a_test_failover_recovers_rebuilds_in_isolation_and_has_no_finish():
    plan = flows.test_failover_plan(group(), "p-b", {}, stop_on_failure=False)
    assert (plan.kind, plan.project_id, plan.group_id) == (flows.TEST_FAILOVER, "p-b", "g1")
    assert shape(plan) == [
        (PREPARE, PREPARE, PREPARE_TIER, ["load_group", *flows.REBUILD]),
        *VMS,
    ]


def test_a_partial_test_has_units_for_its_vms_only():
    request = {"server_ids": ["db"], flows.PARTIAL: True}
    plan = flows.test_failover_plan(group(), "p-b", request, stop_on_failure=False)
    assert plan.partial
    assert shape(plan) == [
        (PREPARE, PREPARE, PREPARE_TIER, ["load_group", *flows.REBUILD]),
        ("db", VM, 2, flows.VM_STEPS),
    ]
    whole = flows.test_failover_plan(group(), "p-b", {"server_ids": ["web", "db"]}, False)
    assert not whole.partial and len(whole.units) == 3


def test_tier_hooks_get_units_between_the_tiers_they_apply_to():
    hooked = group()
    hook = {"url": "http://127.0.0.1:9/h", "kinds": ["planned_failover"]}
    hooked.automation = {
        "hooks": [
            {"name": "start", "when": "pre_tier", **hook},
            {"name": "done", "when": "post_tier", "tiers": [2], **hook},
        ]
    }
    plan = flows.failover_plan(hooked, "p-b", {}, True, False)
    assert [(u.key, u.role, u.tier, u.steps) for u in plan.units if u.role != VM][1:] == [
        ("tier-1-pre_tier", TIER, 3, ["pre_tier_hooks"]),
        ("tier-2-pre_tier", TIER, 6, ["pre_tier_hooks"]),
        ("tier-2-post_tier", TIER, 8, ["post_tier_hooks"]),
        (FINISH, FINISH, FINISH_TIER, ["take_ownership"]),
    ]
    vms = {u.key: u for u in plan.units if u.role == VM}
    assert (vms["web"].tier, shown_tier(vms["web"])) == (4, 1)
    assert (vms["db"].tier, shown_tier(vms["db"])) == (7, 2)
    # Not for the kinds the hooks do not name: the tiers stay as they are.
    test = flows.test_failover_plan(hooked, "p-b", {}, False)
    assert shape(test)[1:] == VMS


def test_failovers_stop_the_source_as_their_kind_needs_and_take_ownership_last():
    prepares = {
        (planned, kind, quiesce): flows.failover_plan(
            group(kind), "p-b", {"quiesce": quiesce}, planned, False
        )
        .units[0]
        .steps
        for planned in (True, False)
        for kind in ("async", "sync")
        for quiesce in (True, False)
    }
    assert prepares[(True, "async", True)] == [
        "stop_source",
        "load_group",
        "final_replication",
        *flows.REBUILD,
    ]
    assert prepares[(True, "async", False)] == [
        "final_replication",
        "stop_source",
        "load_group",
        *flows.REBUILD,
    ]
    assert prepares[(True, "sync", False)] == ["stop_source", "load_group", *flows.REBUILD]
    assert prepares[(False, "async", True)] == ["load_group", *flows.REBUILD]
    assert prepares[(False, "sync", True)] == ["load_group", *flows.REBUILD]
    plan = flows.failover_plan(group(), "p-b", {}, planned=True, stop_on_failure=True)
    assert plan.stop_on_failure and plan.kind == flows.PLANNED_FAILOVER
    assert shape(plan)[1:] == [*VMS, (FINISH, FINISH, FINISH_TIER, ["take_ownership"])]


def test_a_cleanup_removes_the_cloud_resources_then_the_array_copies():
    plan = flows.cleanup_plan("p-b", "g1", "test-1", {"test_operation_id": "test-1"})
    assert plan.parent_operation_id == "test-1"
    assert shape(plan) == [
        (PREPARE, PREPARE, PREPARE_TIER, ["remove_test_resources", "destroy_test_copies"])
    ]


def reprotecting(method):
    return {"reprotect": {"method": method}}


def failed_over():
    """The group at site B after a failover that recovered web but not db."""
    moved = group()
    moved.vms[0].origin_server_id = "web-at-a"
    return moved


def test_a_reprotect_removes_the_old_vms_before_it_retypes_and_replicates_back():
    plan = flows.reprotect_plan(failed_over(), "p-b", reprotecting(flows.RETYPE))
    assert plan.kind == flows.REPROTECT
    assert shape(plan) == [(PREPARE, PREPARE, PREPARE_TIER, flows.REPROTECT_STEPS)]
    assert flows.REPROTECT_STEPS.index("retire_old_source") == 0


def test_a_reprotect_removes_the_old_network_copies_right_after_the_old_vms():
    for plan in (
        flows.reprotect_plan(failed_over(), "p-b", reprotecting(flows.RETYPE)),
        flows.reprotect_plan(failed_over(), "p-b", reprotecting(flows.VOLUME_TYPE)),
        flows.failback_plan(group(), "p-a", {"reprotect": {}}),
    ):
        [retiring] = [u for u in plan.units if "retire_old_source" in u.steps]
        assert retiring.role in (PREPARE, FOLLOW_UP)
        first = retiring.steps.index("retire_old_source")
        assert retiring.steps[first : first + 2] == ["retire_old_source", "retire_old_networks"]
        assert plan.units[-1].steps[-1] == "protect_reverse"


def test_a_reprotect_by_volume_type_cycles_each_recovered_vm_in_its_tier_then_protects():
    plan = flows.reprotect_plan(failed_over(), "p-b", reprotecting(flows.VOLUME_TYPE))
    assert plan.kind == flows.REPROTECT
    assert shape(plan) == [
        (PREPARE, PREPARE, PREPARE_TIER, flows.REMANAGE_PREPARE),
        ("web", VM, 1, flows.REMANAGE_VM_STEPS),
        (FINISH, FINISH, FINISH_TIER, ["protect_reverse"]),
    ]
    assert flows.REMANAGE_PREPARE.index("retire_old_source") == 0
    steps = flows.REMANAGE_VM_STEPS
    assert (
        steps.index("release_server") < steps.index("remanage_volumes") < steps.index("boot_again")
    )


def test_a_failback_is_a_quiesced_planned_failover_then_a_reprotect_that_may_fail_alone():
    plan = flows.failback_plan(group(), "p-a", {"reprotect": {}})
    assert plan.kind == flows.FAILBACK and not plan.stop_on_failure
    assert plan.request["quiesce"] is True
    assert shape(plan) == [
        (
            PREPARE,
            PREPARE,
            PREPARE_TIER,
            ["stop_source", "load_group", "final_replication", *flows.REBUILD],
        ),
        *VMS,
        (FINISH, FINISH, FINISH_TIER, ["take_ownership"]),
        (FOLLOW_UP, FOLLOW_UP, FOLLOW_UP_TIER, flows.REPROTECT_STEPS),
    ]


def test_every_step_a_plan_names_is_registered():
    registry = build_registry(StepDeps("site-b", None, None, None))  # type: ignore[arg-type]
    named = {
        step
        for plan in (
            flows.test_failover_plan(group(), "p", {}, False),
            flows.failover_plan(group(), "p", {"quiesce": True}, True, False),
            flows.failover_plan(group(), "p", {}, True, False),
            flows.cleanup_plan("p", "g1", "t", {}),
            flows.failback_plan(group(), "p", {}),
            flows.reprotect_plan(failed_over(), "p", reprotecting(flows.RETYPE)),
            flows.reprotect_plan(failed_over(), "p", reprotecting(flows.VOLUME_TYPE)),
        )
        for unit in plan.units
        for step in unit.steps
    }
    assert all(step in registry for step in named)


def test_every_step_name_fits_the_progress_lines_step_column():
    registry = build_registry(StepDeps("site-b", None, None, None))  # type: ignore[arg-type]
    assert max(len(name) for name in registry.names()) <= STEP_WIDTH
