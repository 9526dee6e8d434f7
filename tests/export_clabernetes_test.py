#!/usr/bin/env python3
"""`anylab export --clabernetes` for every lab in labs/, validated against
clabernetes v0.6.0's Topology CRD (its openAPIV3Schema; ci/fetch-clab-schema.sh
puts it in build/clabernetes-topologies.crd.yaml), the containerlab topology
inside it against containerlab v0.79.0's schema, every file the topology
binds brought by a ConfigMap of the same export, every ConfigMap within
Kubernetes' 1 MiB, and a background table's dump, in pieces, joined back
byte for byte what `anylab export --containerlab` writes.
    export_clabernetes_test.py ANYLAB CRD CLAB_SCHEMA LAB..."""
import base64
import glob
import json
import os
import re
import subprocess
import sys
import tempfile

import jsonschema
import yaml

anylab, crd_path, clab_schema_path, labs = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
for p in (crd_path, clab_schema_path):
    if not os.path.exists(p):
        sys.exit(f"{p} is missing: run ci/fetch-clab-schema.sh")
with open(crd_path) as f:
    crd = yaml.safe_load(f)
[version] = [v for v in crd["spec"]["versions"] if v["name"] == "v1alpha1"]
topology_schema = version["schema"]["openAPIV3Schema"]
with open(clab_schema_path) as f:
    clab_schema = json.load(f)
dns1123 = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
config_key = re.compile(r"^[-._a-zA-Z0-9]+$")

failed = 0
for lab_file in labs:
    errors = []
    with tempfile.TemporaryDirectory() as out:
        r = subprocess.run([anylab, "export", lab_file, "--clabernetes", out], capture_output=True, text=True)
        if r.returncode == 2 and "is not exported to clabernetes" in r.stderr:
            print(f"ok   {lab_file}: refused, as it should be: {r.stderr.strip()}")
            continue
        if r.returncode != 0:
            print(f"FAIL {lab_file}: export exited {r.returncode}: {r.stderr}")
            failed += 1
            continue
        [name] = os.listdir(out)
        with open(os.path.join(out, name)) as f:
            text = f.read()
        docs = [d for d in yaml.safe_load_all(text) if d is not None]
        sizes = [len(d.encode()) for d in text.split("\n---\n")]
        dumps = {}
        if any("binaryData" in d for d in docs):
            clab = os.path.join(out, "clab")
            subprocess.run([anylab, "export", lab_file, "--containerlab", clab], check=True, capture_output=True)
            for path in glob.glob(os.path.join(clab, "*", "background.mrt")):
                with open(path, "rb") as f:
                    dumps[os.path.basename(os.path.dirname(path))] = f.read()
    maps = {d["metadata"]["name"]: d for d in docs if d["kind"] == "ConfigMap"}
    topologies = [d for d in docs if d["kind"] == "Topology"]
    if len(topologies) != 1:
        errors.append(f"{len(topologies)} Topology resources, not 1")
    errors += [f"a resource of {n} bytes: over 1 MiB" for n in sizes if n > 1 << 20]
    for m in maps.values():
        if m["apiVersion"] != "v1" or not dns1123.match(m["metadata"]["name"]) or len(m["metadata"]["name"]) > 253:
            errors.append(f"ConfigMap {m['metadata']['name']}: not a valid name")
        keys = list(m.get("data", {})) + list(m.get("binaryData", {}))
        errors += [f"ConfigMap {m['metadata']['name']}: key {k}" for k in keys if not config_key.match(k)]
    for t in topologies:
        if t["apiVersion"] != f"{crd['spec']['group']}/v1alpha1" or t["kind"] != crd["spec"]["names"]["kind"]:
            errors.append(f"Topology: apiVersion {t['apiVersion']} kind {t['kind']}")
        errors += [f"Topology: {'/'.join(map(str, e.path))}: {e.message}"
                   for e in jsonschema.Draft7Validator(topology_schema).iter_errors(t)]
        clab = yaml.safe_load(t["spec"]["definition"]["containerlab"])
        errors += [f"containerlab definition: {'/'.join(map(str, e.path))}: {e.message}"
                   for e in jsonschema.validators.validator_for(clab_schema)(clab_schema).iter_errors(clab)]
        mounted = {}
        for node, files in t["spec"]["deployment"]["filesFromConfigMap"].items():
            for f in files:
                cm = maps.get(f["configMapName"])
                if cm is None or f.get("configMapPath") not in {**cm.get("data", {}), **cm.get("binaryData", {})}:
                    errors.append(f"{node}: {f['filePath']} from {f['configMapName']}/{f.get('configMapPath')}, "
                                  "which the export does not hold")
                mounted.setdefault(node, set()).add(f["filePath"])
        for node, dump in dumps.items():
            pieces = sorted((f["filePath"], maps[f["configMapName"]]["binaryData"][f["configMapPath"]])
                            for f in t["spec"]["deployment"]["filesFromConfigMap"][node]
                            if ".mrt.part-" in f["filePath"])
            joined = b"".join(base64.b64decode(data) for _, data in pieces)
            if joined != dump:
                errors.append(f"{node}: its {len(pieces)} pieces join to {len(joined)} bytes, not the dump's {len(dump)}")
            if ".mrt.part-* > " not in maps[f"{t['metadata']['name']}-{node}-files"]["data"]["start.sh"]:
                errors.append(f"{node}: its start.sh does not join the pieces")
        for node, spec in clab["topology"]["nodes"].items():
            for bind in spec.get("binds", []):
                host = bind.split(":")[0]
                if f"{host}/start.sh" not in mounted.get(node, set()):
                    errors.append(f"{node} binds {host}/ but no ConfigMap brings {host}/start.sh")
            if spec.get("image-pull-policy", "").lower() == "never":
                errors.append(f"{node}: image-pull-policy never: a cluster's nodes must pull the images")
    for e in errors:
        print(f"FAIL {lab_file}: {e}")
    failed += bool(errors)
    print(f"{'FAIL' if errors else 'ok  '} {lab_file}: {len(maps)} ConfigMaps, "
          f"{sum(len(v) for t in topologies for v in t['spec']['deployment']['filesFromConfigMap'].values())} files")
sys.exit(1 if failed else 0)
