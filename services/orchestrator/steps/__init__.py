"""The orchestrator's steps, and the registry of them the engine runs."""

from __future__ import annotations

from services.orchestrator.engine.steps import Registry
from services.orchestrator.steps import app
from services.orchestrator.steps.base import StepDeps
from services.orchestrator.steps.cleanup import DestroyTestCopies, RemoveTestResources
from services.orchestrator.steps.finish import TakeOwnership
from services.orchestrator.steps.prepare import (
    EnsureNetworks,
    FinalReplication,
    LoadGroup,
    RecoverVolumes,
    StopSource,
    VolumeHosts,
)
from services.orchestrator.steps.remanage import (
    BootAgain,
    CaptureRecovered,
    ReleaseServer,
    RemanageVolumes,
)
from services.orchestrator.steps.reprotect import (
    ProtectReverse,
    RetireOldNetworks,
    RetireOldSource,
    RetypeVolumes,
)
from services.orchestrator.steps.vm import BootServer, EnsurePorts, ManageVolumes, VerifyServer


def build_registry(deps: StepDeps) -> Registry:
    """Every step a plan of flows.py names."""
    return Registry(
        step(deps)
        for step in (
            StopSource,
            LoadGroup,
            FinalReplication,
            RecoverVolumes,
            EnsureNetworks,
            VolumeHosts,
            ManageVolumes,
            EnsurePorts,
            BootServer,
            VerifyServer,
            TakeOwnership,
            RetireOldSource,
            RetireOldNetworks,
            RetypeVolumes,
            ProtectReverse,
            CaptureRecovered,
            ReleaseServer,
            RemanageVolumes,
            BootAgain,
            RemoveTestResources,
            DestroyTestCopies,
            *app.STEPS,
        )
    )


__all__ = ["StepDeps", "build_registry"]
