"""python -m gateway"""

import sys

from common.unbuilt import refuse

sys.exit(refuse("The REST gateway", "planned: tenant gateway, CLI and two-site demo"))
