"""`python -m mapc` runs the command line."""

from mapc.cli import main

raise SystemExit(main())
