"""`python -m cli`: the draas command line."""

from cli.main import main

main()
