"""How long the dashboard takes to render its pages server-side for a large project.

    python -m bench.dashboard [--groups 50] [--vms 500] [--repeat 20]

The pages are rendered through Horizon's own request machinery (Django's test client with the
plugin's test settings, a signed-in project member) over the dashboard tests' stateful fake
gateway, which answers at once: the figures are the dashboard's own work (tables, templates,
SVG charts), not the gateway's or the clouds'. Templates are loaded as a deployed Horizon
(DEBUG off) loads them: compiled once and cached (--uncached: as the test settings do, every
render compiling them again). The project has --groups async groups sharing --vms protected VMs
at three tiers. Prints, per page, p50 and p95 over --repeat renders and the ratio of p50 to the
bound, 1 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import unittest

import django

# Django is set up before Horizon's and the dashboard's test harness is imported.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "draas_dashboard.testing.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.test import override_settings  # noqa: E402
from django.test.runner import DiscoverRunner  # noqa: E402
from django.urls import reverse  # noqa: E402

from tests.dashboard import helpers  # noqa: E402

BOUND_SECONDS = 1.0
# Page -> seconds of each render, filled by the Render case.
FIGURES: dict[str, list[float]] = {}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--groups", type=int, default=50)
    parser.add_argument("--vms", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--uncached", action="store_true", help="Compile templates per render.")
    args = parser.parse_args(argv)
    case = _render_case(args.groups, args.vms, args.repeat)
    if not args.uncached:
        case = _deployed_templates(case)
    runner = DiscoverRunner(verbosity=0, interactive=False)
    runner.setup_test_environment()
    databases = runner.setup_databases()
    try:
        suite = unittest.TestLoader().loadTestsFromTestCase(case)
        result = unittest.TextTestRunner(verbosity=0).run(suite)
    finally:
        runner.teardown_databases(databases)
        runner.teardown_test_environment()
    if not result.wasSuccessful():
        return 1
    templates = "compiled per render" if args.uncached else "cached, as deployed"
    print(f"{args.groups} groups, {args.vms} VMs, {args.repeat} renders per page ({templates}):")
    for page, seconds in FIGURES.items():
        p50 = statistics.median(seconds)
        p95 = statistics.quantiles(seconds, n=20)[-1] if len(seconds) > 1 else p50
        print(
            f"  {page:<20} p50 {p50 * 1000:7.1f} ms  p95 {p95 * 1000:7.1f} ms  "
            f"p50 / bound ({BOUND_SECONDS:.0f} s): {p50 / BOUND_SECONDS:.3f}"
        )
    return 0


def _deployed_templates(case: type) -> type:
    """`case` with Horizon's template settings as its own settings make them with DEBUG off."""
    templates = [dict(t, OPTIONS=dict(t.get("OPTIONS", {}))) for t in settings.TEMPLATES]
    options = templates[0]["OPTIONS"]
    options["debug"] = False
    options["loaders"] = [("django.template.loaders.cached.Loader", list(options["loaders"]))]
    deployed: type = override_settings(TEMPLATES=templates)(case)
    return deployed


def _render_case(groups: int, vms: int, repeat: int) -> type:
    """A test case of the dashboard's own harness that fills the fake gateway and times each
    page."""

    class Render(helpers.TestCase):
        def test_render(self) -> None:
            per_group = max(vms // groups, 1)
            first = None
            for g in range(groups):
                made = self.gateway.add_group(
                    f"group-{g:03d}",
                    vms=tuple((f"vm-{g:03d}-{i:03d}", 1 + i % 3) for i in range(per_group)),
                )
                first = first or made
            assert first is not None
            pages = {
                "overview": reverse("horizon:project:dr_overview:index"),
                "failover groups": reverse("horizon:project:dr_groups:index"),
                "one group": reverse("horizon:project:dr_groups:detail", args=[first["id"]]),
            }
            for name, url in pages.items():
                taken = []
                for _ in range(repeat):
                    started = time.perf_counter()
                    response = self.client.get(url)
                    taken.append(time.perf_counter() - started)
                    assert response.status_code == 200, (url, response.status_code)
                FIGURES[name] = taken

    return Render


if __name__ == "__main__":
    sys.exit(main())
