#!/usr/bin/env bash
# Records what evcxr_repl 0.22 prints for `main()` of every corpus program, into
# expected/<name>.out, the expectation tests/corpus.rs compares tmrepl with.
#
#   EVCXR_BIN=path/to/evcxr tests/corpus/record-evcxr.sh [NAME...]
#   tests/corpus/record-evcxr.sh path/to/evcxr [NAME...]
#
# evcxr_repl 0.22 is installed with
#   cargo install evcxr_repl --version 0.22.0 --locked --root SOMEWHERE
# and its binary is SOMEWHERE/bin/evcxr. With NAMEs (file names in programs/ without
# `.rs`), only those programs are recorded.
#
# How evcxr_repl is driven, and why. Each program runs in a fresh evcxr_repl, as a user
# would paste it: the whole file as one cell that defines its items, then `main()`.
# Piped into evcxr_repl's default (rustyline) mode, a program would instead arrive item by
# item: rustyline reads lines until evcxr's validator calls the input complete, so every
# complete item is a cell of its own, and an item that uses a later one (`fn main` calling
# a function defined below it, the usual order) fails to compile; two blank lines in a row
# also submit an unfinished item there (evcxr's "Enter twice" escape hatch). So evcxr_repl
# runs with `--disable-readline`, where it reads one line per cell and turns U+2028 (LINE
# SEPARATOR) into a newline: the program is sent as one line with its newlines replaced
# by U+2028, so evcxr gets the whole program as one cell that defines its items. Its input
# is four lines:
#
#   <the program, newlines as U+2028>
#   println!("@@corpus: main begin@@");
#   main()
#   println!("@@corpus: main end@@");
#
# What evcxr prints between the two markers is the expectation: main()'s output, then
# the line evcxr shows for main()'s value (`()`, or `Ok(())` for a main returning a
# Result). In this mode evcxr writes its prompt (`>> `, coloured) before reading every
# line, and the prompt can land before any line of output; the script removes exactly
# those prompts (and checks there were five: four lines and end of input). Anything else
# before the first marker (a compile error of the program), anything on stderr, or no end
# marker fails the program. A failed program is run again, up to $EVCXR_ATTEMPTS times (10):
# evcxr 0.22 keeps a cell's items in a hash map and writes them out in its order, so a
# `macro_rules!` macro lands before the code that uses it only by chance, and such a
# program compiles in some runs and not in others. The expectation is then the output of
# the first run that worked, and the summary names the programs that needed more than one.
# A program that fails every time gets no expectation (the script exits with status 1).
#
# Each evcxr_repl gets its own empty working folder and EVCXR_CONFIG_DIR, so a user's
# init.evcxr and prelude.rs are not loaded and no history is written. When rustc is on
# PATH the script also runs every program compiled with `rustc --edition 2024` (evcxr
# 0.22's edition) and says where evcxr's output (without the value line) differs from it.

set -u

usage() {
    echo "usage: EVCXR_BIN=path/to/evcxr $0 [NAME...]   or   $0 path/to/evcxr [NAME...]" >&2
    exit 2
}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
evcxr=${EVCXR_BIN:-}
if [ -z "$evcxr" ]; then
    [ $# -ge 1 ] || usage
    evcxr=$1
    shift
fi
[ -x "$evcxr" ] || { echo "not an executable: $evcxr" >&2; usage; }
case $("$evcxr" --version 2>&1) in
    *" 0.22."*) ;;
    *) echo "warning: $evcxr is not evcxr_repl 0.22: $("$evcxr" --version 2>&1)" >&2 ;;
esac

if [ $# -gt 0 ]; then
    names=("$@")
else
    names=()
    for file in "$here"/programs/*.rs; do
        name=${file##*/}
        names+=("${name%.rs}")
    done
fi

mkdir -p "$here/expected"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

separator=$'\xe2\x80\xa8' # U+2028 in UTF-8
esc=$'\e'
prompt="${esc}[33m>> ${esc}[0m"
begin='@@corpus: main begin@@'
end='@@corpus: main end@@'
have_rustc=0
command -v rustc > /dev/null && have_rustc=1

# Runs one program through a fresh evcxr_repl in $work; sets $problem (empty: it worked)
# and leaves what main() printed in $work/out.
run_once() {
    rm -rf "$work"
    mkdir -p "$work/cwd" "$work/config"
    {
        printf '%s\n' "${text//$'\n'/$separator}"
        printf 'println!("%s");\n' "$begin"
        printf 'main()\n'
        printf 'println!("%s");\n' "$end"
    } > "$work/input"
    (
        cd "$work/cwd" || exit 1
        env -u RUST_BACKTRACE EVCXR_CONFIG_DIR="$work/config" NO_COLOR=1 \
            timeout 300 "$evcxr" --disable-readline < "$work/input" > "$work/stdout" 2> "$work/stderr"
    )
    status=$?

    # Take the prompts out, then keep what lies between the markers.
    prompts=0
    state=start
    problem=""
    : > "$work/out"
    while IFS= read -r line || [ -n "$line" ]; do
        stripped=${line//"$prompt"/}
        if [ "$stripped" != "$line" ]; then
            rest=${line//"$prompt"/$'\n'}
            count=$(printf '%s' "$rest" | tr -cd '\n' | wc -c)
            prompts=$((prompts + count))
        fi
        line=$stripped
        case $state in
            start)
                if [ "$line" = "$begin" ]; then
                    state=main
                elif [[ $line != "Welcome to evcxr. For help, type :help" && -n $line ]]; then
                    problem="printed before main(): $line"
                fi
                ;;
            main)
                if [ "$line" = "$end" ]; then
                    state=done
                else
                    printf '%s\n' "$line" >> "$work/out"
                fi
                ;;
            done)
                [ -z "$line" ] || problem="printed after the end marker: $line"
                ;;
        esac
        [ -n "$problem" ] && break
    done < "$work/stdout"
    if [ -z "$problem" ]; then
        if [ $status -ne 0 ]; then
            problem="evcxr exited with status $status"
        elif [ "$state" != done ]; then
            problem="no end marker (state $state)"
        elif [ -s "$work/stderr" ]; then
            problem="wrote to stderr"
        elif [ $prompts -ne 5 ]; then
            problem="saw $prompts prompts, expected 5"
        fi
    fi
}

recorded=0
failed=()
retried=()
attempts=${EVCXR_ATTEMPTS:-10}
unlike_rustc=()
for name in "${names[@]}"; do
    program="$here/programs/$name.rs"
    [ -f "$program" ] || { echo "$name: no such program ($program)" >&2; failed+=("$name"); continue; }
    text=$(cat "$program")
    if [[ $text == *"$separator"* ]]; then
        echo "$name: FAILED: the program contains U+2028, which evcxr reads as a newline" >&2
        failed+=("$name")
        continue
    fi
    work="$scratch/$name"
    attempt=1
    while :; do
        run_once
        [ -z "$problem" ] || [ $attempt -ge "$attempts" ] || {
            echo "$name: attempt $attempt failed: $problem; again" >&2
            attempt=$((attempt + 1))
            continue
        }
        break
    done
    if [ -n "$problem" ]; then
        echo "$name: FAILED $attempt times; the last: $problem" >&2
        echo "--- stdout" >&2
        cat "$work/stdout" >&2
        echo "--- stderr" >&2
        cat "$work/stderr" >&2
        failed+=("$name")
        continue
    fi
    [ $attempt -gt 1 ] && retried+=("$name($attempt)")
    cp "$work/out" "$here/expected/$name.out"
    recorded=$((recorded + 1))

    if [ $have_rustc = 1 ]; then
        if rustc --edition 2024 -o "$work/bin" "$program" 2> "$work/rustc.err"; then
            (cd "$work/cwd" && timeout 10 "$work/bin" < /dev/null > "$work/rustc.out" 2> /dev/null)
            # evcxr's output without its last line, the value of main().
            sed '$d' "$work/out" > "$work/evcxr.printed"
            if ! cmp -s "$work/evcxr.printed" "$work/rustc.out"; then
                unlike_rustc+=("$name")
                echo "$name: note: evcxr's output differs from the rustc-built program's:" >&2
                diff "$work/rustc.out" "$work/evcxr.printed" | sed 's/^/    /' >&2
            fi
        else
            echo "$name: note: rustc --edition 2024 does not compile it" >&2
            unlike_rustc+=("$name")
        fi
    fi
    echo "$name: recorded ($(wc -l < "$work/out") lines)"
done

echo "record-evcxr: ${#names[@]} programs, $recorded recorded, ${#failed[@]} failed${failed:+: ${failed[*]}}"
echo "record-evcxr: ${#retried[@]} recorded only after failed attempts${retried:+ (attempts): ${retried[*]}}"
if [ $have_rustc = 1 ]; then
    echo "record-evcxr: ${#unlike_rustc[@]} differ from rustc${unlike_rustc:+: ${unlike_rustc[*]}}"
fi
[ ${#failed[@]} -eq 0 ]
