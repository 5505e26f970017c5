"""The storage service: every FlashArray call, through py-pure-client."""
