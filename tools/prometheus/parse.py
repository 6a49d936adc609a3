"""Reads a /metrics answer in Prometheus's text exposition format on stdin with
prometheus_client's parser and prints its metric families as JSON on stdout:
[{"name", "type", "help", "samples": [{"name", "labels", "value"}]}].
A text the parser refuses exits with status 1 and the parser's reason on stderr.
"""

import json
import math
import sys

from prometheus_client.parser import text_string_to_metric_families


def value(v):
    # JSON has no infinity nor NaN: such a value is written as a string.
    return v if math.isfinite(v) else str(v)


def main():
    text = sys.stdin.read()
    try:
        families = [
            {
                "name": f.name,
                "type": f.type,
                "help": f.documentation,
                "samples": [
                    {
                        "name": s.name,
                        "labels": s.labels,
                        "value": value(s.value),
                    }
                    for s in f.samples
                ],
            }
            for f in text_string_to_metric_families(text)
        ]
    except Exception as e:  # the parser raises ValueError and others on a malformed line
        print(f"not Prometheus text: {e}", file=sys.stderr)
        sys.exit(1)
    json.dump(families, sys.stdout)


if __name__ == "__main__":
    main()
