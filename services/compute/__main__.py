"""python -m services.compute"""

import sys

from common.process import run_service
from services.compute.server import SPEC

sys.exit(run_service(SPEC))
