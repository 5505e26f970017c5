"""python -m simulators.flasharray"""

import sys

from common.unbuilt import refuse

sys.exit(refuse("The FlashArray simulator", "planned: FlashArray simulator and storage service"))
