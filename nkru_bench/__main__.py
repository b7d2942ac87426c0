from nkru_bench.cli import main

raise SystemExit(main())
