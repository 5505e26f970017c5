"""python -m simulators.openstack"""

import sys

from common.unbuilt import refuse

sys.exit(refuse("The OpenStack simulator", "planned: OpenStack simulator and compute service"))
