#!/usr/bin/env bash
# Checks the relay's TLS configuration with an external scanner (sslscan), presenting a user's
# client certificate so the handshakes get past mutual TLS. Loopback only: it starts its own relay
# with a throw-away PKI on a free port of 127.0.0.1, scans it, stops it, prints a summary and exits
# non-zero if anything but TLS 1.2/1.3 with forward-secret AEAD suites was accepted.
#   scripts/tls-scan.sh            summary only (the full report is kept in $TMPDIR if KEEP=1)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

if ! command -v sslscan >/dev/null 2>&1; then
  echo "tls-scan: installing sslscan (Debian package)..." >&2
  apt-get update -qq && apt-get install -y -qq sslscan >/dev/null
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/ztchat-tls-scan-XXXXXX")"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  if [ -z "${KEEP:-}" ]; then rm -rf "$WORK"; else echo "tls-scan: files kept in $WORK" >&2; fi
}
trap cleanup EXIT

"$ROOT/ztchat" pki init --dir "$WORK/certs" --key-size 2048 --users alice >/dev/null
"$ROOT/ztchat" server --certs "$WORK/certs" --data "$WORK/data" --port 0 --crl-port 0 --bind 127.0.0.1 2>"$WORK/server.log" &
SERVER_PID=$!
PORT=""
for _ in $(seq 1 150); do
  PORT="$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$WORK/server.log" | head -n1)"
  [ -n "$PORT" ] && break
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log" >&2; exit 1; }
  sleep 0.2
done
[ -n "$PORT" ] || { echo "tls-scan: the relay did not start" >&2; cat "$WORK/server.log" >&2; exit 1; }

sslscan --no-colour --show-sigs --certs="$WORK/certs/users/alice/signing.crt" \
  --pk="$WORK/certs/users/alice/signing.key" "127.0.0.1:$PORT" >"$WORK/sslscan.txt" 2>&1 || true

REPORT="$WORK/sslscan.txt"
VERSION="$(sslscan --version 2>/dev/null | sed 's/\x1b\[[0-9;]*m//g' | awk 'NF {print $1; exit}')"
echo "sslscan $VERSION against the ztchat relay on 127.0.0.1:$PORT (client certificate: alice)"
echo
echo "Protocols:"
grep -E '^(SSLv|TLSv)[0-9.]+ +(enabled|disabled)' "$REPORT" | sed 's/^/  /'
echo "Accepted cipher suites:"
grep -E '^(Preferred|Accepted) ' "$REPORT" | sed 's/  */ /g; s/^/  /'
echo "Key exchange groups:"
sed -n '/Server Key Exchange Group/,/^$/p' "$REPORT" | grep -E '^TLSv' | sed 's/  */ /g; s/^/  /'
echo "Signature algorithms (as far as sslscan enumerates them):"
sed -n '/Server Signature Algorithm/,/^$/p' "$REPORT" | grep -E '^TLSv' | sed 's/  */ /g; s/^/  /'

problems=0
if grep -Eq '^(SSLv2|SSLv3|TLSv1\.0|TLSv1\.1) +enabled' "$REPORT"; then
  echo "PROBLEM: a protocol older than TLS 1.2 is enabled"; problems=1
fi
if ! grep -Eq '^(Preferred|Accepted) ' "$REPORT"; then
  echo "PROBLEM: sslscan saw no accepted cipher suite (did the client certificate get through?)"; problems=1
fi
if grep -E '^(Preferred|Accepted) ' "$REPORT" | grep -Ev 'GCM|CHACHA20' >/dev/null; then
  echo "PROBLEM: a suite without AEAD is accepted"; problems=1
fi
if grep -E '^(Preferred|Accepted) +TLSv1\.2' "$REPORT" | grep -Ev 'ECDHE' >/dev/null; then
  echo "PROBLEM: a TLS 1.2 suite without forward secrecy (ECDHE) is accepted"; problems=1
fi
if sed -n '/Server Signature Algorithm/,/^$/p' "$REPORT" | grep -Ei 'md5|sha1|sha224|dsa' | grep -Ev 'ecdsa' >/dev/null; then
  echo "PROBLEM: a weak signature algorithm is accepted"; problems=1
fi
if sed -n '/Server Key Exchange Group/,/^$/p' "$REPORT" | grep -E '^TLSv' | grep -Eiv 'x25519|x448|secp256r1|secp384r1|secp521r1|mlkem|kyber' >/dev/null; then
  echo "PROBLEM: a weak key exchange group is accepted"; problems=1
fi
echo
if [ "$problems" -eq 0 ]; then
  echo "tls-scan: OK - only TLS 1.2/1.3, only forward-secret AEAD suites, no weak groups or signature algorithms"
else
  echo "tls-scan: FAILED - see the full report: KEEP=1 scripts/tls-scan.sh"
fi
exit "$problems"
