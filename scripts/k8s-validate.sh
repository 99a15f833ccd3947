#!/usr/bin/env bash
# Validates deploy/kubernetes without a cluster (none can run here: no image registry is reachable):
#   1. renders each kustomization with `kubectl kustomize`, the same code `kubectl apply -k` runs;
#   2. checks every rendered object against the Kubernetes OpenAPI schema (required fields, types, known
#      kinds) with the npm package kubernetes-models (deploy/kubernetes/validate/validate.mjs);
#   3. proves step 2 can fail: a copy with a container's name removed and replicas as a string must be refused.
# Unknown fields and what only the node knows (its settings, routes, ports, shutdown time) are checked by
# Tests/Deployment/KubernetesManifestTests.cs, which CI's test run includes.
#   bash scripts/k8s-validate.sh        exit 0 when all is valid
set -euo pipefail
cd "$(dirname "$0")/.."

log() { echo "k8s-validate.sh: $*" >&2; }

for tool in kubectl node npm; do
  if ! command -v "$tool" >/dev/null; then
    log "$tool is required (kubectl for kustomize; node and npm for the schema check)"
    exit 1
  fi
done

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# The validator's pinned packages (package-lock.json), installed outside the repository.
cp deploy/kubernetes/validate/package.json deploy/kubernetes/validate/package-lock.json deploy/kubernetes/validate/validate.mjs "$work/"
(cd "$work" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)

rendered=()
for dir in deploy/kubernetes/*/; do
  [ -f "$dir/kustomization.yaml" ] || continue
  name="$(basename "$dir")"
  kubectl kustomize "$dir" > "$work/$name.yaml"
  echo "kubectl kustomize ${dir%/}: $(grep -c '^kind:' "$work/$name.yaml") objects"
  rendered+=("$work/$name.yaml")
done
if [ "${#rendered[@]}" -eq 0 ]; then
  log "no kustomization under deploy/kubernetes"
  exit 1
fi

node "$work/validate.mjs" "${rendered[@]}"

# The check must be able to fail: the same objects, broken twice, must be refused (exit 1).
sed -e 's/^  replicas: 3$/  replicas: "3"/' -e '0,/^        name: node$/{/^        name: node$/d}' "$work/cache.yaml" > "$work/broken.yaml"
if cmp -s "$work/cache.yaml" "$work/broken.yaml"; then
  log "could not break a copy of the rendered manifests (did their layout change?)"
  exit 1
fi
set +e
node "$work/validate.mjs" "$work/broken.yaml" > "$work/broken.log" 2>&1
refused=$?
set -e
if [ "$refused" -ne 1 ] || ! grep -q 'containers/0 must have required property name' "$work/broken.log" || ! grep -q 'replicas must be integer' "$work/broken.log"; then
  log "a broken copy was not refused as it should be:"
  cat "$work/broken.log" >&2
  exit 1
fi
echo "a broken copy (no container name, replicas a string) is refused: $(head -n 1 "$work/broken.log")"
