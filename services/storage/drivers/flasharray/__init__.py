"""Pure Storage FlashArray, through py-pure-client (REST 2.x)."""
