"""`python -m matcher.cli`: the same as the `matcher` command."""

from matcher.cli.main import main

raise SystemExit(main())
