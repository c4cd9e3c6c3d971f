#!/bin/sh
# tokenize / detokenize through the tensorcommit binary.
# usage: cli_tokenize.sh TENSORCOMMIT SOURCE_DIR
set -u
TC="$1"
M="$2/tests/models"
S="$2/models/stories260K"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0

check() { # name expected actual
    if [ "$2" != "$3" ]; then
        echo "FAIL $1: expected [$2] got [$3]"
        fails=$((fails + 1))
    else
        echo "ok   $1"
    fi
}

# stories260K: the recorded prompt (expected/README.md: [1, 403, 407, 261, 378])
out=$("$TC" tokenize --model "$S" --text "Once upon a time" --add-special-tokens)
check "tokenize with BOS" '{"ids": [1, 403, 407, 261, 378]}' "$out"
out=$("$TC" tokenize --model "$S/tokenizer.json" --text "Once upon a time")
check "tokenize without BOS" '{"ids": [403, 407, 261, 378]}' "$out"
printf 'Once upon a time' > "$T/in.txt"
out=$("$TC" tokenize --model "$S" --file "$T/in.txt" --add-special-tokens)
check "tokenize --file" '{"ids": [1, 403, 407, 261, 378]}' "$out"
out=$("$TC" detokenize --model "$S" --ids 403,407,261,378)
check "detokenize" "Once upon a time" "$out"
out=$("$TC" detokenize --model "$S" --ids 1,403,407 --skip-special-tokens)
check "detokenize skipping BOS" "Once upon" "$out"
# gpt2 (cases.json: "Hello world" -> [15496, 995])
out=$("$TC" tokenize --model "$M/gpt2-tokenizer" --text "Hello world")
check "gpt2 tokenize" '{"ids": [15496, 995]}' "$out"
out=$("$TC" detokenize --model "$M/gpt2-tokenizer" --ids 15496,995,50256)
check "gpt2 detokenize" "Hello world<|endoftext|>" "$out"

# errors: exit status, one line on stderr (a usage error adds the line
# "try 'tensorcommit CMD --help'"), nothing on stdout
expect_fail() { # name status args...
    name=$1; want=$2; shift 2
    "$TC" "$@" > "$T/out" 2> "$T/err"
    rc=$?
    lines=1; [ "$want" = 2 ] && lines=2
    check "$name: exit status" "$want" "$rc"
    check "$name: no output" "" "$(cat "$T/out")"
    check "$name: error lines" "$lines" "$(wc -l < "$T/err" | tr -d ' ')"
    [ "$want" = 2 ] && check "$name: help hint" "try 'tensorcommit $1 --help'" "$(tail -n 1 "$T/err")"
}
expect_fail "invalid UTF-8" 3 tokenize --model "$S" --text "$(printf 'ab\377')"
expect_fail "malformed ids" 2 detokenize --model "$S" --ids 1,x
expect_fail "id out of range" 2 detokenize --model "$S" --ids 1,512
expect_fail "missing model" 3 tokenize --model "$T/none" --text a
printf '{"model":{"type":"Unigram","vocab":[]}}' > "$T/tokenizer.json"
expect_fail "unsupported model" 3 tokenize --model "$T" --text a
grep -q Unigram "$T/err" || { echo "FAIL message does not name Unigram"; fails=$((fails + 1)); }
head -c 100 "$M/gpt2-tokenizer/tokenizer.json" > "$T/tokenizer.json"
expect_fail "truncated tokenizer.json" 3 tokenize --model "$T/tokenizer.json" --text a
"$TC" tokenize > /dev/null 2>&1
check "no arguments: usage" 2 $?
"$TC" tokenize --help > /dev/null
check "--help" 0 $?

[ "$fails" -eq 0 ] || { echo "$fails failures"; exit 1; }
echo "all passed"
