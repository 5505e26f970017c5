"""The compute service: every OpenStack call, through openstacksdk."""
