"""python -m services.storage"""

import sys

from common.process import run_service
from services.storage.server import SPEC

sys.exit(run_service(SPEC))
