#!/usr/bin/env bash
# Install the system packages the tests use, when missing: Java (HermiT), raptor (an independent
# Turtle parser), Chromium (browser tests) and nginx (static export, replicas). Needs root and
# apt-get; otherwise it says what is missing and the tests that need it report themselves
# skipped. Idempotent and quiet when done.
# `--bench` also installs wrk, the load generator of `make bench` and `make soak` (not the tests).
set -u
cd "$(dirname "$0")/.."

missing=()
command -v java >/dev/null 2>&1 || missing+=(default-jre-headless)
command -v rapper >/dev/null 2>&1 || missing+=(raptor2-utils)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
# nginx serves `ssm export` and balances replicas in tests/deploy (run as the test's own process).
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
# Optional: Virtuoso (a second query-tier engine) and Apache httpd (the export's .htaccess) for
# tests/deploy, which skip them, saying so, where absent. Tried once per checkout: a failed
# install does not fail `make test`.
optional=()
command -v virtuoso-t >/dev/null 2>&1 || optional+=(virtuoso-opensource-7-bin)
[ -x /usr/sbin/apache2 ] || command -v apache2 >/dev/null 2>&1 || optional+=(apache2)
if [ ${#optional[@]} -gt 0 ] && [ ! -e .venv/.optional-deps-tried ] \
    && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  mkdir -p .venv && touch .venv/.optional-deps-tried
  apt-get update -qq >/dev/null 2>&1 || true
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      "${optional[@]}" >/tmp/ensure_optional.log 2>&1 \
    || echo "ensure_system_deps: ${optional[*]} did not install (see /tmp/ensure_optional.log);" \
            "the tests that need them will be skipped" >&2
fi
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
