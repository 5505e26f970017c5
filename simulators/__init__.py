"""Stand-ins for FlashArrays and OpenStack regions that speak their real wire protocols."""
