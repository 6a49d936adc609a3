#!/usr/bin/env python3
"""Merges the answers the suite recorded (MCP_RECORD_EXAMPLES, one <Schema>.json each) into
api/src/openapi/examples.json, the contract's response examples. Schemas the run did not meet
keep the example they had."""
import json
import pathlib
import sys

folder, target = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
examples = json.loads(target.read_text()) if target.exists() else {}
for f in sorted(folder.glob("*.json")):
    examples[f.stem] = json.loads(f.read_text())
target.write_text(json.dumps(examples, indent=2, ensure_ascii=False, sort_keys=True) + "\n")
print(f"{len(examples)} response examples in {target}")
