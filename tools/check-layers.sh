#!/bin/sh
# The layers of core/ and what may include what (ARCHITECTURE.md): every #include "..." points down or
# sideways, never up, and a plugin sees only the ABI header, base/ and its own folder or plugins/common.
#   base      -> base
#   shell     -> base, shell (its own folder, bare names)
#   config    -> base, config
#   pipeline  -> base, config, pipeline, shell
#   cli       -> everything in core/ and shell
#   plugins/* -> base, plugins/common, its own folder (bare names); <credsh/plugin_abi.hpp>
# Prints each include that breaks a rule with file and line; exits 1 if there is one. Run by `make check`.
set -eu
cd "$(dirname "$0")/.."
allowed() { # $1 layer, $2 included path -> 0 if allowed
    case "$2" in
    */*) to=${2%%/*} ;;
    *) to=local ;;
    esac
    case "$1:$to" in
    base:base | config:base | config:config | pipeline:base | pipeline:config | pipeline:pipeline) return 0 ;;
    pipeline:local) [ -f "shell/$2" ] ;; # the shell emitters' headers, by bare name
    cli:base | cli:config | cli:pipeline | cli:cli) return 0 ;;
    cli:local) [ -f "shell/$2" ] ;;
    shell:base) return 0 ;;
    shell:local) [ -f "shell/$2" ] ;;
    plugin:base) return 0 ;;
    plugin:local) return 0 ;; # resolved against the plugin's own folder and plugins/common by the compiler
    *) return 1 ;;
    esac
}
broken=$(find core/base core/config core/pipeline core/cli shell plugins -name '*.cpp' -o -name '*.hpp' | sort |
    while IFS= read -r f; do
        case "$f" in
        core/*) layer=$(echo "$f" | cut -d/ -f2) ;;
        shell/*) layer=shell ;;
        *) layer=plugin ;;
        esac
        grep -n '^#include "' "$f" | while IFS= read -r line; do
            inc=$(echo "$line" | sed 's/^[0-9]*:#include "\([^"]*\)".*/\1/')
            allowed "$layer" "$inc" || echo "$f:${line%%:*}: a $layer file includes \"$inc\""
        done
    done)
if [ -n "$broken" ]; then
    echo "$broken"
    echo "check-layers: includes that point up a layer (the rules are at the top of tools/check-layers.sh)" >&2
    exit 1
fi
echo "check-layers: every include points down"
