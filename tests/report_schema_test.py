#!/usr/bin/env python3
"""Checks JSON reports against the schema `anylab report --schema` prints
(JSON Schema 2020-12, python3-jsonschema): every field a report writes is
described there, and nothing it writes contradicts it.

usage: report_schema_test.py ANYLAB REPORT.json...
"""
import json
import subprocess
import sys

import jsonschema


def main():
    anylab, reports = sys.argv[1], sys.argv[2:]
    schema = json.loads(subprocess.run([anylab, "report", "--schema"], check=True, capture_output=True,
                                       text=True).stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    failed = 0
    for path in reports:
        with open(path, encoding="utf-8") as f:
            report = json.load(f)
        for error in validator.iter_errors(report):
            failed += 1
            where = "/".join(str(p) for p in error.absolute_path)
            print(f"{path}: {where}: {error.message}")
    if failed:
        sys.exit(1)
    print(f"{len(reports)} report(s) valid against anylab-report/1")


main()
