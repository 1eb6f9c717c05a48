#!/usr/bin/env bash
# README command 1 (npm start): installs what is missing, then runs the main job
# (embedded registry, distroless stand-in base, build/scan/push/verify every service, summary).
# Arguments pass through: --dry-run, --refresh-base, --stop-registry.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
# The workspace loads the compiled plugin only while it matches its sources (tools/nx-lucid/src/workspace-entry.js).
node tools/nx-lucid/scripts/build.js --if-stale
export NX_DAEMON=false NX_NO_CLOUD=true
exec node -r @swc-node/register tools/main-job/main.ts "$@"
