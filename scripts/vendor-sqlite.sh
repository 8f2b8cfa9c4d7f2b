#!/bin/bash
# Writes Sources/CSQLite/sqlite3.c: the SQLite amalgamation that the ledger is built with (see Package.swift, CSQLite).
#
# The amalgamation is SQLite's own form for embedding (sqlite.org/amalgamation.html): one C file, public domain.
# Here it comes from the copy vendored by vapor/sqlite-nio (in the machine's package mirror, or cloned from
# GitHub), which prefixes every public name with sqlite_nio_ and adds two clang warning pragmas; the prefix is
# taken off again, so the file is sqlite.org's sqlite-amalgamation-3540100.zip plus those two lines.
#   scripts/vendor-sqlite.sh [SQLITE_NIO_GIT_DIR_OR_URL] [TAG]
set -euo pipefail
cd "$(dirname "$0")/.."
src=${1:-/opt/swift-packages/vapor/sqlite-nio.git}
tag=${2:-1.13.2}
if [ ! -d "$src" ]; then
  tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
  git clone --quiet --bare "$src" "$tmp/sqlite-nio.git"
  src=$tmp/sqlite-nio.git
fi
git -C "$src" show "$tag:Sources/VaporCSQLite/version.txt"
git -C "$src" show "$tag:Sources/VaporCSQLite/sqlite_nio_sqlite3.c" \
  | sed 's/sqlite_nio_sqlite3/sqlite3/g; s/SQLITE_NIO_SQLITE3/SQLITE3/g' > Sources/CSQLite/sqlite3.c
if grep -q sqlite_nio Sources/CSQLite/sqlite3.c; then echo "a sqlite_nio name is left in sqlite3.c" >&2; exit 1; fi
grep -m1 -o 'version 3\.[0-9.]*' Sources/CSQLite/sqlite3.c
