#!/usr/bin/env bash
# A user's clone passes its tests: clones this repository's HEAD into a temporary folder with no ../shared
# beside it, installs it as the README says (npm ci) and runs `npm test` there. Every test file is loaded
# (so nothing fails before the first test for want of a folder only we have); `--grep` runs the suites that
# lean on Twilio's references (TwiML, the REST stand-in, the simulator, the call flow, our OpenAPI) rather
# than the whole suite a second time. FRESH_CLONE_GREP='.' runs all of it.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
git clone --quiet --no-local "$repo" "$tmp/callback"
cd "$tmp/callback"
if [ -e ../shared ]; then echo "fresh-clone test: $tmp/shared exists, the clone is not alone" >&2; exit 1; fi
suites='TwiML validator|TwiML parse|TwiML interpreter|Twilio REST stand-in|twilio:connect|phone simulator|call flow: the whole callback|call flow: dial and billing|config API: OpenAPI document'
grep="${FRESH_CLONE_GREP:-^($suites)}"
unset TWILIO_REFERENCE_DIR
echo "fresh clone of $(git rev-parse --short HEAD) in a folder with no ../shared: npm ci, then npm test -- --grep '$grep'"
npm ci --no-audit --no-fund --loglevel=error
npm test -- --grep "$grep"
