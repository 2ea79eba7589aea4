#!/usr/bin/env bash
# Runs every check and test of the project: type check, lint, prettier, unit tests and
# the end-to-end tests against a real portal in Debian's Chromium. Installs what is
# missing first (Node 22, dependencies, Chromium). `.ci/run` calls exactly this.
#
# On 2 cores a cold run is mostly waiting: the sandbox's Go builds (Kubernetes, etcd, KWOK,
# kine for the second cluster and the KEDA operator: ~18-24 min cold, niced, need no node_modules) run in the
# background from the start, while the foreground installs, checks, builds the frontend and
# the production bundle and fetches the other parts. The tests that need no sandbox run beside
# them; then the sandbox parts that are no Go build start, and the integration tests that use no
# Kubernetes run; then `sandbox up` finds the clusters built, and the rest of the tests run.
# Jest runs several test files at a time, except those that stop a part of the sandbox
# (`@sandbox-stops`, below): they run at the end in two lanes side by side.
. "$(dirname "$0")/lib.sh"
ensure_tools
cd "$REPO_ROOT"
SANDBOX="$REPO_ROOT/scripts/sandbox"

# On any exit: the background build stopped, and the sandbox down once its start began.
sandbox_started=false
jest_ui_pid=""
lane_pids=()
on_exit() {
  stop_background
  if [ -n "$jest_ui_pid" ]; then kill -TERM -- "-$jest_ui_pid" 2>/dev/null || true; fi
  for pid in "${lane_pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
  if $sandbox_started; then "$SANDBOX" down || true; fi
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

start_sandbox_go_builds
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

# Backstage's jest configuration with a transform cache that fresh clones and packages share
# (scripts/jest/config.js), in $PORTAL_CACHE/jest: emptied when it grows past JEST_CACHE_MAX_MB
# (default 4096; a run adds what changed since the last one, a few MB).
jest=(yarn backstage-cli repo test --config "$REPO_ROOT/scripts/jest/config.js")
jest_cache_max_mb="${JEST_CACHE_MAX_MB:-4096}"
[[ "$jest_cache_max_mb" =~ ^[0-9]+$ ]] ||
  die "JEST_CACHE_MAX_MB must be a whole number of MB (default 4096), got '$jest_cache_max_mb'"
if [ -d "$PORTAL_CACHE/jest" ] && [ "$(du -sm "$PORTAL_CACHE/jest" | cut -f1)" -gt "$jest_cache_max_mb" ]; then
  log "jest's transform cache is over $jest_cache_max_mb MB: emptied ($PORTAL_CACHE/jest)"
  rm -rf "$PORTAL_CACHE/jest"
fi

# Test files that stop or restart a part of the sandbox say which in a `@sandbox-stops PART: what`
# line of their first comment. Every other file runs several at a time (JEST_WORKERS, default 3:
# much of their time is spent waiting on the real servers). Those that stop a part run one at a
# time, after the others, in one of two lanes side by side: the Kafka lane (brokers stopped; its
# tests use no cluster) and the cluster lane (API servers, the scheduler, Alertmanager; its tests
# use no Kafka). A file that stops only the production replicas (`prod`) runs with the others:
# no other jest test uses them.
jest_workers="${JEST_WORKERS:-3}"
[[ "$jest_workers" =~ ^[1-9][0-9]*$ ]] ||
  die "JEST_WORKERS must be a whole number of jest workers (default 3), got '$jest_workers'"
# The parts each lane's files stop (extended regular expressions), and those run with the others.
kafka_parts='kafka'
cluster_parts='k8s|helix|alertmanager'
pool_parts='prod'
tests=('*.test.ts' '*.test.tsx')
unknown="$(git grep -hoE '@sandbox-stops [a-z0-9-]+' -- "${tests[@]}" | cut -d' ' -f2 | grep -vxE "$kafka_parts|$cluster_parts|$pool_parts" | sort -u || true)"
[ -z "$unknown" ] ||
  die "unknown part in a @sandbox-stops line: $unknown (scripts/test.sh knows ${kafka_parts}|${cluster_parts}|${pool_parts})"
untagged="$(git grep -lE "'(stop-[a-z]+|restart|kill)'|'($kafka_parts|$cluster_parts|$pool_parts)', 'stop'" -- "${tests[@]}" | xargs -r grep -L '@sandbox-stops' || true)"
[ -z "$untagged" ] ||
  die "these test files seem to stop or restart a sandbox part but have no @sandbox-stops line (see scripts/test.sh): $untagged"
mapfile -t kafka_lane < <(git grep -lE "@sandbox-stops ($kafka_parts):" -- "${tests[@]}" || true)
mapfile -t cluster_lane < <(git grep -lE "@sandbox-stops ($cluster_parts):" -- "${tests[@]}" || true)
# jest --testPathIgnorePatterns for the files of both lanes (none when there are none).
not_in_lanes=()
[ $((${#kafka_lane[@]} + ${#cluster_lane[@]})) -eq 0 ] || not_in_lanes=(--testPathIgnorePatterns "${kafka_lane[@]}" "${cluster_lane[@]}")

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
"$SANDBOX" build "${SANDBOX_FETCH_PARTS[@]}"
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
# One file at a time: beside `sandbox up` on two cores, two workers took longer (150 s against 133 s).
CI=true setsid "${jest[@]}" --runInBand --selectProjects "${no_sandbox[@]}" \
  >"$RESULTS/jest-no-sandbox.log" 2>&1 </dev/null &
jest_ui_pid=$!

# The sandbox's real servers for the integration tests; always torn down at the end. First the
# parts that are no Go build (they start in seconds), for the packages whose tests use no
# Kubernetes API server: on a cold run those tests run while the Go builds finish.
sandbox_started=true
"$SANDBOX" up kafka postgres vector workload model redis nginx idp
eval "$("$SANDBOX" env)"

# Waited for before the next tests start: started beside them, both phases together took
# ~35 s longer on two cores (2026-12-07: 118 + 119 s one after the other, 218 beside 230 s).
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
# setting (sandbox/src/env.ts), not skip. Those in a lane run in it, later.
no_k8s=(@internal/plugin-kafka-lag-backend @internal/plugin-rag-chat-backend @internal/embeddings)
log "integration tests that need no Kubernetes (jest: ${no_k8s[*]}; $jest_workers at a time) ..."
set +e
CI=true "${jest[@]}" --maxWorkers="$jest_workers" --selectProjects "${no_k8s[@]}" "${not_in_lanes[@]}" 2>&1 | tee "$RESULTS/jest-no-k8s.log"
jest_no_k8s_rc=${PIPESTATUS[0]}
set -e
count "$(grep -E '^Tests:' "$RESULTS/jest-no-k8s.log" | tail -n1)"

wait_sandbox_go_builds
"$SANDBOX" up kafka postgres vector workload k8s keda helix model metrics alertmanager redis nginx idp
# The production run: two replicas behind nginx (packages/backend/src/prod.kill.test.ts and
# e2e/prod.spec.ts use it).
"$SANDBOX" up prod
eval "$("$SANDBOX" env)"

log "unit and integration tests of the other packages (jest, $jest_workers at a time; the integration tests use the sandbox) ..."
set +e
CI=true "${jest[@]}" --maxWorkers="$jest_workers" --ignoreProjects "${no_sandbox[@]}" "${no_k8s[@]}" "${not_in_lanes[@]}" 2>&1 | tee "$RESULTS/jest.log"
jest_rc=${PIPESTATUS[0]}
set -e
count "$(grep -E '^Tests:' "$RESULTS/jest.log" | tail -n1)"

# The two lanes side by side, each one file at a time (logs: test-results/jest-lane-*.log).
lanes_run=()
for lane in kafka cluster; do
  declare -n files="${lane}_lane"
  if [ "${#files[@]}" -eq 0 ]; then continue; fi
  log "tests that stop a sandbox part, $lane lane (jest, one at a time): ${files[*]}"
  CI=true setsid "${jest[@]}" --runInBand "${files[@]}" \
    >"$RESULTS/jest-lane-$lane.log" 2>&1 </dev/null &
  lane_pids+=("$!")
  lanes_run+=("$lane")
  unset -n files
done
lanes_rc=0
set +e
for pid in "${lane_pids[@]}"; do wait "$pid" || lanes_rc=1; done
set -e
for lane in "${lanes_run[@]}"; do
  cat "$RESULTS/jest-lane-$lane.log"
  count "$(grep -E '^Tests:' "$RESULTS/jest-lane-$lane.log" | tail -n1)"
done
log "tests that stop a sandbox part: lanes exit $lanes_rc"

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
# The failed tests' names, last: what a CI log's tail shows first.
failures="$({
  grep -ahE '^\s+● .+ › ' "$RESULTS"/jest*.log 2>/dev/null | sed -E 's/^\s+● /jest: /' | sort -u
  sed -E 's/\x1b\[[0-9;]*m//g' "$RESULTS"/e2e*.log 2>/dev/null | grep -aE '^\s+✘ ' |
    sed -E 's/^\s+✘\s+[0-9]+ /playwright: /; s/ \([0-9.]+(ms|s|m)\)$//' | sort -u
} || true)"
[ -z "$failures" ] || printf 'failed:\n%s\n' "$failures"
if [ "$jest_ui_rc" -ne 0 ] || [ "$jest_no_k8s_rc" -ne 0 ] || [ "$jest_rc" -ne 0 ] || [ "$lanes_rc" -ne 0 ] || [ "$e2e_rc" -ne 0 ] || [ "$e2e_prod_rc" -ne 0 ] || [ "$failed" -ne 0 ]; then
  die "tests failed (jest without sandbox exit $jest_ui_rc, jest without Kubernetes exit $jest_no_k8s_rc, jest exit $jest_rc, jest lanes exit $lanes_rc, end-to-end exit $e2e_rc, production end-to-end exit $e2e_prod_rc); logs in $RESULTS"
fi
log "all tests passed; screenshots under test-results/e2e"
