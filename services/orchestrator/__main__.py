"""python -m services.orchestrator"""

import sys

from common.process import run_service
from services.orchestrator.server import SPEC

sys.exit(run_service(SPEC))
