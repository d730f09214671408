#!/usr/bin/env bash
# Installs everything the repository needs on a machine that has only Node 20 and npm,
# then builds the packages. Safe to run repeatedly (pnpm and turbo skip finished work).
set -euo pipefail
cd "$(dirname "$0")/.."
export TURBO_TELEMETRY_DISABLED=1
PNPM="npx -y pnpm@10.34.9"
if [ ! -d node_modules/.pnpm ] || [ pnpm-lock.yaml -nt node_modules/.modules.yaml ]; then
  $PNPM install --frozen-lockfile --reporter=append-only >&2
fi
$PNPM -s run build >&2
