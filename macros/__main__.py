"""``python -m macros``: the ``make assets`` pipeline (macros/assets.py ``STEPS``)."""

from macros.assets import main

raise SystemExit(main())
