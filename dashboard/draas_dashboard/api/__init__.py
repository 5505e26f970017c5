"""How the plugin reaches draas: `draas` (the gateway's /v1 API with the user's token) and
`keystone` (a token of the target site's Keystone, the proof that links a project there)."""
