import sys

from b12cohort.cli import main

sys.exit(main())
