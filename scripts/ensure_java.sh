#!/bin/sh
# Make sure a Java runtime is on PATH: owlready2 runs the HermiT reasoner (scripts/consistency.py)
# as a Java program. Idempotent: does nothing when `java` already runs; otherwise installs
# Debian's headless JRE (needs root and the Debian mirror, the only network access it makes).
set -eu

if command -v java >/dev/null 2>&1 && java -version >/dev/null 2>&1; then
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure_java: no java and no apt-get; install a Java 11+ runtime by hand." >&2
    exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "ensure_java: installing default-jre-headless needs root." >&2
        exit 1
    fi
fi

echo "ensure_java: installing default-jre-headless for HermiT ..." >&2
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    default-jre-headless >/dev/null

if ! java -version >/dev/null 2>&1; then
    echo "ensure_java: default-jre-headless installed but java still does not run." >&2
    exit 1
fi
