#!/bin/sh
# A bare clone passes the test suite: the committed HEAD of SOURCE_DIR is
# cloned into a new temporary folder that holds nothing else, and `make test`
# (everything but `slow`) runs there.  Uncommitted changes in SOURCE_DIR are
# not part of the clone.
# usage: test_bare_clone.sh SOURCE_DIR
set -eu
src="$1"
head=$(git -C "$src" rev-parse --verify HEAD 2>/dev/null) || {
    echo "$src: not a git checkout; nothing to clone"
    exit 1
}
if [ -n "$(git -C "$src" status --porcelain --untracked-files=no)" ]; then
    echo "note: $src has uncommitted changes; testing the committed HEAD only"
fi
echo "cloning $src at $head"
tmp=$(mktemp -d /tmp/tc_clone_XXXXXX)
trap 'rm -rf "$tmp"' EXIT
git clone --quiet --no-hardlinks "$src" "$tmp/tensorcommit"
git -C "$tmp/tensorcommit" checkout --quiet --detach "$head"
if [ "$(ls -A "$tmp")" != tensorcommit ]; then
    echo "$tmp: expected only the clone in the temporary folder"
    exit 1
fi
# a make run from ctest inherits the outer make's job server; the clone's
# build must not depend on it
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$tmp/tensorcommit" test
echo "the clone of $head passes make test"
