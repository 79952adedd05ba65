#!/bin/sh
# One-shot step of docker-compose.yml: waits for Tinybird Local, deploys the example's Data Source
# with the Tinybird CLI, and leaves the Workspace's admin token where the submit step reads it.
# Runs in the network namespace of the tinybird-local container, so Tinybird Local is localhost:7181.
set -eu

echo "Installing the Tinybird CLI..."
pip install --quiet --no-cache-dir --disable-pip-version-check tinybird

echo "Waiting for Tinybird Local on localhost:7181..."
until python -c "import urllib.request; urllib.request.urlopen('http://localhost:7181/tokens', timeout=2)" 2>/dev/null; do
    sleep 2
done

echo "Deploying the Data Source in examples/tinybird/..."
cd /project
tb --local deploy

# GET /tokens on Tinybird Local answers without authentication; the Workspace admin token can
# append to the Data Source and query it (for the job's read-back).
python - <<'PY'
import json, os, urllib.request
tokens = json.load(urllib.request.urlopen("http://localhost:7181/tokens"))
path = "/shared/tinybird-token"
with open(path, "w") as f:
    f.write(tokens["workspace_admin_token"])
os.chmod(path, 0o644)  # the Flink image runs as the "flink" user
print("Token written to " + path)
PY
