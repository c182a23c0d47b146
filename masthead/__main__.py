from masthead.cli import main

raise SystemExit(main())
