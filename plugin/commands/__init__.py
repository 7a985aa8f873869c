"""Command groups of the command line; each exposes register(subparsers)."""
