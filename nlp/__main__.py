"""Entry point for ``python -m nlp``."""

from nlp.cli import main

raise SystemExit(main())
