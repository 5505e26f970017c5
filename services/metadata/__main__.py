"""python -m services.metadata"""

import sys

from common.process import run_service
from services.metadata.server import SPEC

sys.exit(run_service(SPEC))
