#!/usr/bin/env bash
# Runs every check and test of the project: type check, lint, prettier, unit tests and
# the end-to-end tests against a real portal in Debian's Chromium. Installs what is
# missing first (Node 22, dependencies, Chromium). `.ci/run` calls exactly this.
#
# On 2 cores a cold run is mostly waiting: the sandbox's Go builds (Kubernetes, etcd, KWOK,
# kine for the second cluster and the KEDA operator: ~30 min cold, niced, need no node_modules) run in the
# background from the start, while the foreground installs, checks, builds the frontend and
# the production bundle and fetches the other parts. The tests that need no sandbox run beside
# them; then the sandbox parts that are no Go build start, and the integration tests that use no
# Kubernetes run; then `sandbox up` finds the clusters built, and the rest of the tests run.
. "$(dirname "$0")/lib.sh"
ensure_tools
cd "$REPO_ROOT"
SANDBOX="$REPO_ROOT/scripts/sandbox"
# Cold, the Go builds took up to 1,928 s on a busy machine before KEDA joined them (+500-700 s).
build_timeout="${SANDBOX_BUILD_TIMEOUT_S:-3600}"
[[ "$build_timeout" =~ ^[1-9][0-9]*$ ]] ||
  die "SANDBOX_BUILD_TIMEOUT_S must be a whole number of seconds (how long to wait for the sandbox's build), got '$build_timeout'"

# On any exit: the background build stopped, and the sandbox down once its start began.
sandbox_started=false
jest_ui_pid=""
on_exit() {
  stop_background
  if [ -n "$jest_ui_pid" ]; then kill -TERM -- "-$jest_ui_pid" 2>/dev/null || true; fi
  if $sandbox_started; then "$SANDBOX" down || true; fi
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

start_background "sandbox build k8s helix keda" "$PORTAL_CACHE/logs/sandbox-build-k8s.log" "$SANDBOX" build k8s helix keda
ensure_deps
check_background
# mkdocs for TechDocs' local generator (the backends the tests start build the handbook).
ensure_techdocs
ensure_chromium
check_background

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

step "type check (tsc)" yarn tsc
check_background
step "lint" yarn backstage-cli repo lint
check_background
step "prettier" yarn prettier --check .
check_background
# Needs no sandbox: the frontend (the end-to-end tests' backend serves it; the backend injects
# the sandbox's app-config.local.yaml at run time) and the production backend bundle that
# `sandbox up prod` runs, each built only when its sources changed (sandbox/parts/prod.sh).
"$SANDBOX" build prod
check_background
# The rest of what `sandbox up` would fetch or install first (jars, packages, model files).
"$SANDBOX" build kafka postgres metrics alertmanager model redis nginx
check_background

# The packages whose tests need no sandbox (the frontend and the common libraries: none of
# them can reach a server) run in the background from here on, beside a cold run's Go builds or
# a warm run's `sandbox up`; the rest once the sandbox is up. Which packages: by `backstage.role`.
mapfile -t no_sandbox < <(node -e '
  const { execSync } = require("child_process");
  const roles = ["frontend", "frontend-plugin", "web-library", "common-library"];
  for (const dir of execSync("git ls-files \"packages/*/package.json\" \"plugins/*/package.json\"").toString().split("\n").filter(Boolean)) {
    const pkg = require(`./${dir}`);
    if (roles.includes(pkg.backstage?.role)) console.log(pkg.name);
  }')
[ "${#no_sandbox[@]}" -gt 0 ] || die "found no frontend or common-library package to test before the sandbox"
log "unit tests that need no sandbox (jest, ${#no_sandbox[@]} packages): started in the background (log: test-results/jest-no-sandbox.log)"
CI=true setsid yarn backstage-cli repo test --runInBand --selectProjects "${no_sandbox[@]}" \
  >"$RESULTS/jest-no-sandbox.log" 2>&1 </dev/null &
jest_ui_pid=$!

# The sandbox's real servers for the integration tests; always torn down at the end. First the
# parts that are no Go build (they start in seconds), for the packages whose tests use no
# Kubernetes API server: on a cold run those tests run while the Go builds finish.
sandbox_started=true
"$SANDBOX" up kafka postgres vector workload model redis nginx idp
eval "$("$SANDBOX" env)"

set +e
wait "$jest_ui_pid"
jest_ui_rc=$?
set -e
jest_ui_pid=""
cat "$RESULTS/jest-no-sandbox.log"
log "unit tests that need no sandbox: jest exit $jest_ui_rc"
count "$(grep -E '^Tests:' "$RESULTS/jest-no-sandbox.log" | tail -n1)"

# These packages' tests read Kafka, PostgreSQL, the vector store, the model server and the
# catalog, never a cluster: a test that asked for one would fail on its unset SANDBOX_K8S_*
# setting (sandbox/src/env.ts), not skip. One test file at a time (tests stop and start brokers).
no_k8s=(@internal/plugin-kafka-lag-backend @internal/plugin-rag-chat-backend @internal/embeddings)
log "integration tests that need no Kubernetes (jest: ${no_k8s[*]}) ..."
set +e
CI=true yarn backstage-cli repo test --runInBand --selectProjects "${no_k8s[@]}" 2>&1 | tee "$RESULTS/jest-no-k8s.log"
jest_no_k8s_rc=${PIPESTATUS[0]}
set -e
count "$(grep -E '^Tests:' "$RESULTS/jest-no-k8s.log" | tail -n1)"

wait_background "$build_timeout" "set SANDBOX_BUILD_TIMEOUT_S to wait longer"
"$SANDBOX" up kafka postgres vector workload k8s keda helix model metrics alertmanager redis nginx idp
# The production run: two replicas behind nginx (packages/backend/src/prod.kill.test.ts and
# e2e/prod.spec.ts use it).
"$SANDBOX" up prod
eval "$("$SANDBOX" env)"

log "unit and integration tests of the other packages (jest; the integration tests use the sandbox) ..."
set +e
CI=true yarn backstage-cli repo test --runInBand --ignoreProjects "${no_sandbox[@]}" "${no_k8s[@]}" 2>&1 | tee "$RESULTS/jest.log"
jest_rc=${PIPESTATUS[0]}
set -e
count "$(grep -E '^Tests:' "$RESULTS/jest.log" | tail -n1)"

log "end-to-end tests (Playwright + /usr/bin/chromium) ..."
# The production replicas are not part of these specs: stopped, so that the portal under test
# and the browser have the two cores to themselves (the production specs start them again below).
"$SANDBOX" prod stop
set +e
CI=true yarn playwright test 2>&1 | tee "$RESULTS/e2e.log"
e2e_rc=${PIPESTATUS[0]}
set -e
count "$(grep -E '^\s+[0-9]+ (passed|failed)' "$RESULTS/e2e.log" | tr '\n' ' ')"

log "end-to-end tests of the production run (two replicas behind nginx, OIDC sign-in) ..."
# On the sandbox's current settings (a replica started before a test rebuilt a part is restarted).
"$SANDBOX" up prod
set +e
CI=true yarn playwright test -c playwright.prod.config.ts 2>&1 | tee "$RESULTS/e2e-prod.log"
e2e_prod_rc=${PIPESTATUS[0]}
set -e
count "$(grep -E '^\s+[0-9]+ (passed|failed)' "$RESULTS/e2e-prod.log" | tr '\n' ' ')"

trap - EXIT
"$SANDBOX" down || failed=$((failed + 1))

echo "$passed passed, $failed failed"
if [ "$jest_ui_rc" -ne 0 ] || [ "$jest_no_k8s_rc" -ne 0 ] || [ "$jest_rc" -ne 0 ] || [ "$e2e_rc" -ne 0 ] || [ "$e2e_prod_rc" -ne 0 ] || [ "$failed" -ne 0 ]; then
  die "tests failed (jest without sandbox exit $jest_ui_rc, jest without Kubernetes exit $jest_no_k8s_rc, jest exit $jest_rc, end-to-end exit $e2e_rc, production end-to-end exit $e2e_prod_rc); logs in $RESULTS"
fi
log "all tests passed; screenshots under test-results/e2e"
