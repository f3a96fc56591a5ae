#!/usr/bin/env python3
"""CI step: deploy/kubernetes.yaml agrees with the server it deploys.

- every environment variable it sets is one the server documents (`--help` or the README);
- the scrape annotations name the metrics port, which is a container port and the port of
  INTERCOM_MCP_METRICS_ADDR;
- an audit log is either stderr (`-`) or a file on a mounted volume (the root filesystem is
  read-only);
- the server accepts the container's arguments with that environment (`--help` after them).

usage: tests/deploy/check.py path/to/intercom-mcp
"""
import pathlib
import subprocess
import sys

import yaml

root = pathlib.Path(__file__).resolve().parents[2]
binary = sys.argv[1]
documents = list(yaml.safe_load_all((root / "deploy/kubernetes.yaml").read_text()))
deployment = next(
    d for d in documents if d["kind"] == "Deployment" and d["metadata"]["name"] == "intercom-mcp"
)
pod = deployment["spec"]["template"]
container = next(c for c in pod["spec"]["containers"] if c["name"] == "intercom-mcp")
env = {item["name"]: item.get("value") for item in container["env"]}

documented = (root / "README.md").read_text()
for args in (["--help"], ["serve", "--help"]):
    documented += subprocess.run(
        [binary, *args], capture_output=True, text=True, check=True
    ).stdout
unknown = [name for name in env if name not in documented]
assert not unknown, f"variables the server does not document: {unknown}"

annotations = pod["metadata"]["annotations"]
assert annotations["prometheus.io/scrape"] == "true"
port = int(annotations["prometheus.io/port"])
ports = {p["name"]: p["containerPort"] for p in container["ports"]}
assert ports.get("metrics") == port, f"the annotated port {port} is not the metrics port {ports}"
assert env["INTERCOM_MCP_METRICS_ADDR"].rsplit(":", 1)[1] == str(port)
assert annotations.get("prometheus.io/path", "/metrics") == "/metrics"

audit = env.get("INTERCOM_MCP_AUDIT_LOG")
if audit not in (None, "-"):
    mounts = [m["mountPath"] for m in container.get("volumeMounts", [])]
    assert any(audit.startswith(m.rstrip("/") + "/") for m in mounts), (
        f"the audit log {audit} is on the read-only root filesystem (mounts: {mounts})"
    )

# The arguments parse with this environment; `--help` stops before anything is served.
help_env = {name: value for name, value in env.items() if value is not None}
run = subprocess.run(
    [binary, *container["args"], "--help"],
    capture_output=True,
    text=True,
    env={"PATH": "/usr/bin:/bin", **help_env},
)
assert run.returncode == 0, f"the container's arguments are refused: {run.stderr}"
print("deploy/kubernetes.yaml: consistent with the server")
