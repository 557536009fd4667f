"""Print the two commands of the README's Quick start code block, one per line."""

import re
import sys
from pathlib import Path

text = Path(__file__).resolve().parents[1].joinpath("README.md").read_text(encoding="utf-8")
m = re.search(r"#+\s*Quick ?start.*?```[a-z]*\n(.*?)```", text, re.S | re.I)
if not m:
    sys.exit("README.md has no Quick start code block")
for line in m.group(1).splitlines():
    if line.strip() and not line.strip().startswith("#"):
        print(line.strip())
