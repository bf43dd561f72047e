#!/usr/bin/env bash
# Install the system packages the tests use, when missing: Java (HermiT), raptor (an independent
# Turtle parser) and Chromium (browser tests). Needs root and apt-get; otherwise it says what is
# missing and the tests that need it report themselves skipped. Idempotent and quiet when done.
# `--bench` also installs wrk, the load generator of `make bench` and `make soak` (not the tests).
set -u
cd "$(dirname "$0")/.."

missing=()
command -v java >/dev/null 2>&1 || missing+=(default-jre-headless)
command -v rapper >/dev/null 2>&1 || missing+=(raptor2-utils)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
if [ "${1:-}" = "--bench" ]; then
  command -v wrk >/dev/null 2>&1 || missing+=(wrk)
fi
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure_system_deps: missing ${missing[*]} (not root or no apt-get): tests that need them will be skipped" >&2
  exit 0
fi
echo "ensure_system_deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null 2>&1 || true
if ! apt-get install -y -qq --no-install-recommends "${missing[@]}" >/tmp/ensure_system_deps.log 2>&1; then
  echo "ensure_system_deps: apt-get install failed (see /tmp/ensure_system_deps.log)" >&2
  tail -5 /tmp/ensure_system_deps.log >&2
  exit 1
fi
