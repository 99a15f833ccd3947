#!/usr/bin/env bash
# The one publish of Orleans.Cache, run by CI, the Dockerfile and scripts/launch.sh:
#
#   scripts/publish.sh [OUTPUT_ROOT]        (default: artifacts/publish in the repository)
#
# writes the node to OUTPUT_ROOT/silo (Silo.dll) and the console client to OUTPUT_ROOT/client (Client.dll).
set -euo pipefail

out="${1:-}"
case "$out" in
  "") ;;
  /*) ;;
  *) out="$PWD/$out" ;; # relative to where it was run from, not to the repository
esac

cd "$(dirname "${BASH_SOURCE[0]}")/.."
out="${out:-artifacts/publish}"

dotnet publish Silo/Silo.csproj -c Release -o "$out/silo"
dotnet publish Client/Client.csproj -c Release -o "$out/client"
