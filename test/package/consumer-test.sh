#!/usr/bin/env bash
# The package as a consumer gets it. Builds and packs the repository, installs the tarball into a fresh
# project outside it (the optional peer dependencies are not installed there), then loads the package from
# ES modules and from CommonJS and runs a short journey with each, type-checks a TypeScript consumer (and
# the package's declarations) under node16, bundler and node10 module resolution with the repository's
# TypeScript, and runs the CLI's --help. Before packing, it checks in the repository (where the peers ARE
# installed) that the main entry loads none of them.
#
# Each check prints PASS or FAIL (with its output). The last line is
#   package tests: N passed, N failed
# which .ci/run adds to jest's counts. Exit status: 0 when nothing failed.
set -uo pipefail

repo="$(cd "$(dirname "$0")/../.." && pwd)"
here="$repo/test/package"
work="$(mktemp -d "${TMPDIR:-/tmp}/ordersource-consumer.XXXXXX")"
consumer="$work/consumer"
trap 'rm -rf "$work"' EXIT
# When run through `npm run`, npm exports its own project's prefix; the nested installs must not inherit it.
unset npm_config_local_prefix npm_config_prefix

passed=0
failed=0

finish() {
  echo "package tests: ${passed} passed, ${failed} failed"
  [ "$failed" -eq 0 ]
  exit
}

# check NAME COMMAND...: runs COMMAND, counts it, and shows its output only when it fails.
check() {
  local name="$1" output started=$SECONDS
  shift
  if output="$("$@" 2>&1)"; then
    passed=$((passed + 1))
    echo "PASS $name ($((SECONDS - started))s)"
  else
    failed=$((failed + 1))
    echo "FAIL $name ($((SECONDS - started))s)"
    printf '%s\n' "$output" | sed 's/^/    /'
    return 1
  fi
}

# fails_with STATUS COMMAND...: succeeds only when COMMAND exits with exactly STATUS (a negative control).
fails_with() {
  local expected="$1" status=0
  shift
  "$@" || status=$?
  if [ "$status" -ne "$expected" ]; then
    echo "expected exit status $expected, got $status"
    return 1
  fi
}

in_repo() { (cd "$repo" && "$@"); }
in_consumer() { (cd "$consumer" && "$@"); }

check "build: npm run build (CommonJS + ES modules + declarations)" in_repo npm run --silent build || finish

graph="$here/graph/main-entry-graph.mjs"
check "main entry (CommonJS build) loads no peer dependency" in_repo node "$graph" cjs ordersource
check "main entry (ES module build) loads no peer dependency" in_repo node "$graph" esm ordersource
check "negative control: the graph check catches a CommonJS require of a peer" \
  in_repo fails_with 1 node "$graph" cjs ./test/package/graph/requires-peer.cjs
check "negative control: the graph check catches an ES module import of a peer" \
  in_repo fails_with 1 node "$graph" esm ./test/package/graph/imports-peer.mjs

# Runs inside check's subshell, so the tarball is found again afterwards rather than passed back.
pack() {
  local name listing
  name="$(cd "$repo" && npm pack --ignore-scripts --silent --pack-destination "$work")" || return 1
  listing="$(tar -tzf "$work/$name")" || return 1
  local required=(package/package.json package/LICENSE package/README.md package/dist/cjs/package.json package/dist/esm/package.json
    package/dist/cjs/index.js package/dist/cjs/index.d.ts package/dist/esm/index.js package/dist/esm/index.d.ts package/src/index.ts)
  local file missing=0
  for file in "${required[@]}"; do
    grep -qx "$file" <<<"$listing" || { echo "missing from the tarball: $file"; missing=1; }
  done
  if grep -E '^package/(test|scripts|examples|node_modules|\.ci)/' <<<"$listing"; then
    echo "the tarball ships files a consumer has no use for (above)"
    missing=1
  fi
  return "$missing"
}
check "pack: npm pack ships dist (both builds), sources, README and LICENSE only" pack || finish
tarball="$(ls "$work"/*.tgz)"

install_tarball() {
  mkdir -p "$consumer" &&
    printf '{ "name": "ordersource-consumer", "version": "1.0.0", "private": true }\n' >"$consumer/package.json" &&
    cp "$here"/consumer/*.cjs "$here"/consumer/*.mjs "$here"/consumer/tsconfig.*.json "$consumer/" &&
    for extension in mts cts ts; do cp "$here/consumer/typed-consumer.ts.fixture" "$consumer/typed-consumer.$extension" || return 1; done &&
    in_consumer npm install "$tarball" --prefix "$consumer" --no-audit --no-fund --prefer-offline --loglevel=error
}
check "install: the tarball into a fresh project outside the repository" install_tarball || finish

optional_peers() {
  node -p "const p = require('$consumer/node_modules/ordersource/package.json'); Object.keys(p.peerDependencies || {}).filter((n) => p.peerDependenciesMeta?.[n]?.optional).join(' ')"
}
peers_absent() {
  local peer peers status=0
  peers="$(optional_peers)" || return 1
  [ -n "$peers" ] || { echo "the package declares no optional peer"; return 1; }
  for peer in $peers; do
    if [ -e "$consumer/node_modules/$peer" ]; then
      echo "the optional peer $peer was installed"
      status=1
    fi
  done
  return "$status"
}
check "install: the optional peers (database drivers) were not installed" peers_absent
# The engine answers with fp-ts Eithers, which a host's own code imports: installing ordersource alone
# must put fp-ts where the host's imports find it, not only inside ordersource, where npm's default layout
# hoists it by chance and its nested layout (as pnpm's) would not.
fp_ts_beside_ordersource() {
  local nested="$work/nested"
  mkdir -p "$nested" &&
    printf '{ "name": "ordersource-nested-consumer", "version": "1.0.0", "private": true }\n' >"$nested/package.json" &&
    (cd "$nested" && npm install "$tarball" --install-strategy=nested --prefix "$nested" --no-audit --no-fund --prefer-offline --loglevel=error) &&
    (cd "$nested" && node -e "require.resolve('fp-ts/lib/Either.js')")
}
check "install: fp-ts, whose Either a host reads answers with, is installed beside ordersource, in npm's nested layout too" fp_ts_beside_ordersource

check "ES module consumer: import, open a cart, add an item, read it back" in_consumer node esm-consumer.mjs
check "CommonJS consumer: require, open a cart, add an item, read it back" in_consumer node cjs-consumer.cjs
check "source maps point at shipped sources" in_consumer node source-maps.cjs

installed="$consumer/node_modules/ordersource"

# Subpath entries that exist yet: their types are checked along with the main entry's.
more_esm=()
more_cjs=()
# ordersource/testing needs fast-check, its optional peer, as a user of it would install it.
install_fast_check() {
  in_consumer npm install "fast-check@$(node -p "require('$repo/node_modules/fast-check/package.json').version")" --prefix "$consumer" --no-audit --no-fund --prefer-offline --loglevel=error
}
if [ -f "$installed/dist/cjs/testing/index.js" ]; then
  check "install: fast-check, the peer ordersource/testing needs" install_fast_check
  check "ordersource/testing loads from CommonJS" in_consumer node -e "require('ordersource/testing')"
  check "ordersource/testing loads from ES modules" in_consumer node --input-type=module -e "await import('ordersource/testing')"
  check "ordersource/testing: the adapter contract cases pass on the in-memory stores with no test runner" in_consumer node contract-consumer.mjs
  for extension in mts cts ts; do
    echo "export * as testing from 'ordersource/testing';" >"$consumer/testing-consumer.$extension"
  done
  more_esm+=(testing-consumer.mts)
  more_cjs+=(testing-consumer.cts)
else
  check "ordersource/testing is in the package" false
fi
more=("${more_esm[@]/%.mts/.ts}")

typecheck=(node typecheck-consumer.cjs "$repo/node_modules/typescript")
check "TypeScript consumer, moduleResolution node16: .mts gets the ES module types, .cts the CommonJS ones" \
  in_consumer "${typecheck[@]}" tsconfig.node16.json esm,cjs "${more_esm[@]}" "${more_cjs[@]}"
check "TypeScript consumer, moduleResolution bundler" in_consumer "${typecheck[@]}" tsconfig.bundler.json esm "${more[@]}"
check "TypeScript consumer, moduleResolution node10 (types, and typesVersions for subpaths)" \
  in_consumer "${typecheck[@]}" tsconfig.node10.json cjs "${more[@]}"

adapters=()
while IFS= read -r index; do
  adapters+=("$(dirname "${index#"$installed/dist/cjs/adapters/"}")")
done < <(find "$installed/dist/cjs/adapters" -maxdepth 3 -name index.js 2>/dev/null | sort)
if [ "${#adapters[@]}" -eq 0 ]; then
  check "adapter entries are in the package" false
fi
for adapter in "${adapters[@]}"; do
  entry="ordersource/adapters/$adapter"
  # The consumer has no drivers, so only resolution is checked there; loading happens in the repository.
  check "$entry resolves from CommonJS and ES modules without its driver installed" in_consumer node --input-type=module -e \
    "import { createRequire } from 'node:module'; createRequire(import.meta.url).resolve('$entry'); import.meta.resolve('$entry');"
  check "$entry loads from CommonJS (repository, driver installed)" in_repo node -e "require('$entry')"
  check "$entry loads from ES modules (repository, driver installed)" in_repo node --input-type=module -e "await import('$entry')"
done

# The README's first two examples, verbatim, as one ES module: embedding the engine, then its read models.
readme_examples_run() {
  in_consumer node readme-examples.cjs "$repo/README.md" readme.mts &&
    in_consumer node "$repo/node_modules/typescript/bin/tsc" -p tsconfig.readme.json &&
    in_consumer node readme-out/readme.mjs
}
check "README: its embedding and read-model examples type-check (strict) and run as an ES module" readme_examples_run

bins="$(node -p "const b = require('$installed/package.json').bin; (typeof b === 'string' ? ['ordersource'] : Object.keys(b || {})).join(' ')")"
if [ -z "$bins" ]; then
  check "CLI: package.json declares the ordersource bin" false
fi
for bin in $bins; do
  check "CLI: $bin --help" in_consumer "$consumer/node_modules/.bin/$bin" --help
done

# The package ships no bench/: the command must say where the bench runs rather than fail obscurely.
bench_points_to_a_clone() {
  local output status=0
  output="$(in_consumer "$consumer/node_modules/.bin/ordersource" bench --smoke 2>&1)" || status=$?
  if [ "$status" -ne 1 ] || ! grep -q 'clone of the ordersource repository.*npm run bench' <<<"$output"; then
    echo "exit status $status, output: $output"
    return 1
  fi
}
check "CLI: ordersource bench in an installed package says to run it from a clone, exit 1" bench_points_to_a_clone
check "CLI: audit --schemas reads a host's events with the host's schemas, from a module requiring the installed package" in_consumer node cli-schemas.cjs

finish
