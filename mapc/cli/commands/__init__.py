"""One module per `mapc` subcommand: each exposes `register(subparsers)`."""
