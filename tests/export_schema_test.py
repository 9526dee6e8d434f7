#!/usr/bin/env python3
"""`anylab export --containerlab` for every lab in labs/, validated against
containerlab's own JSON schema for topology files (ci/fetch-clab-schema.sh
puts it in build/clab.schema.json), and every file the topology binds
present.
    export_schema_test.py ANYLAB SCHEMA LAB..."""
import os
import subprocess
import sys
import tempfile

import jsonschema
import yaml

anylab, schema_path, labs = sys.argv[1], sys.argv[2], sys.argv[3:]
if not os.path.exists(schema_path):
    sys.exit(f"{schema_path} is missing: run ci/fetch-clab-schema.sh")
with open(schema_path) as f:
    schema = yaml.safe_load(f)
failed = 0
for lab_file in labs:
    with tempfile.TemporaryDirectory() as out:
        r = subprocess.run([anylab, "export", lab_file, "--containerlab", out], capture_output=True, text=True)
        if r.returncode != 0:
            print(f"FAIL {lab_file}: export exited {r.returncode}: {r.stderr}")
            failed += 1
            continue
        [topo_file] = [f for f in os.listdir(out) if f.endswith(".clab.yml")]
        with open(os.path.join(out, topo_file)) as f:
            topo = yaml.safe_load(f)
        errors = list(jsonschema.validators.validator_for(schema)(schema).iter_errors(topo))
        for e in errors:
            print(f"FAIL {lab_file}: {'/'.join(map(str, e.path))}: {e.message}")
        nodes = topo["topology"]["nodes"]
        for name, node in nodes.items():
            for bind in node["binds"]:
                host = bind.split(":")[0]
                if not os.path.isfile(os.path.join(out, host, "start.sh")):
                    print(f"FAIL {lab_file}: {name} binds {host}/ without its start.sh")
                    errors.append(bind)
        for link in topo["topology"]["links"]:
            for end in link["endpoints"]:
                if end.split(":")[0] not in nodes:
                    print(f"FAIL {lab_file}: link end {end} is no node")
                    errors.append(end)
        failed += bool(errors)
        print(f"{'FAIL' if errors else 'ok  '} {lab_file}: {len(nodes)} nodes, {len(topo['topology']['links'])} links")
sys.exit(1 if failed else 0)
