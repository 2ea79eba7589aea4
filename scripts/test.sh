#!/usr/bin/env bash
# Runs every check and test of the project: type check, lint, prettier, unit tests and
# the end-to-end tests against a real portal in Debian's Chromium. Installs what is
# missing first (Node 22, dependencies, Chromium). `.ci/run` calls exactly this.
. "$(dirname "$0")/lib.sh"
ensure_deps
ensure_chromium
cd "$REPO_ROOT"

RESULTS="$REPO_ROOT/test-results"
mkdir -p "$RESULTS"
passed=0
failed=0

# Adds the counts of a runner's summary line ("Tests: 3 failed, 7 passed" / "7 passed").
count() {
  local line="$1"
  local p f
  p=$(grep -oE '[0-9]+ passed' <<<"$line" | head -n1 | cut -d' ' -f1 || true)
  f=$(grep -oE '[0-9]+ failed' <<<"$line" | head -n1 | cut -d' ' -f1 || true)
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
}

# The sandbox's real servers for the integration tests; always torn down at the end.
"$REPO_ROOT/scripts/sandbox" up kafka postgres vector workload k8s model metrics
trap '"$REPO_ROOT/scripts/sandbox" down || true' EXIT
eval "$("$REPO_ROOT/scripts/sandbox" env)"

step "type check (tsc)" yarn tsc
step "lint" yarn backstage-cli repo lint
step "prettier" yarn prettier --check .

# One test file at a time: integration tests stop and start brokers of the shared sandbox.
log "unit and integration tests (jest; the integration tests use the sandbox) ..."
set +e
CI=true yarn backstage-cli repo test --runInBand 2>&1 | tee "$RESULTS/jest.log"
jest_rc=${PIPESTATUS[0]}
set -e
count "$(grep -E '^Tests:' "$RESULTS/jest.log" | tail -n1)"

step "building the frontend for the end-to-end tests" yarn workspace app build
log "end-to-end tests (Playwright + /usr/bin/chromium) ..."
set +e
CI=true yarn playwright test 2>&1 | tee "$RESULTS/e2e.log"
e2e_rc=${PIPESTATUS[0]}
set -e
count "$(grep -E '^\s+[0-9]+ (passed|failed)' "$RESULTS/e2e.log" | tr '\n' ' ')"

trap - EXIT
"$REPO_ROOT/scripts/sandbox" down || failed=$((failed + 1))

echo "$passed passed, $failed failed"
if [ "$jest_rc" -ne 0 ] || [ "$e2e_rc" -ne 0 ] || [ "$failed" -ne 0 ]; then
  die "tests failed (jest exit $jest_rc, end-to-end exit $e2e_rc); logs in $RESULTS"
fi
log "all tests passed; screenshots under test-results/e2e"
