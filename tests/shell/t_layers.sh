# The layering of core/ (ARCHITECTURE.md, tools/check-layers.sh): the tree as committed passes, and an include
# that points up a layer, or from a plugin into the host, is found and named with its file and line.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SRC=$CREDSH_SRC
out=$(sh "$SRC/tools/check-layers.sh" 2>&1)
check "the committed tree passes the layering check" 0 "$?"
check_contains "and says so" "every include points down" "$out"

# A copy of the sources with three includes that break the rules.
COPY="$T_ROOT/copy"
mkdir -p "$COPY"
cp -r "$SRC/core" "$SRC/plugins" "$SRC/shell" "$SRC/tools" "$COPY/"
sed -i '0,/^#include "/s//#include "cli\/cli.hpp"\n#include "/' "$COPY/core/base/text.cpp"
sed -i '0,/^#include "/s//#include "pipeline\/runner.hpp"\n#include "/' "$COPY/core/config/trust.cpp"
sed -i '0,/^#include "/s//#include "config\/profile_file.hpp"\n#include "/' "$COPY/plugins/imds/imds.cpp"
out=$(sh "$COPY/tools/check-layers.sh" 2>&1)
check "an include that points up fails the check" 1 "$?"
check_contains "base including cli is named with its file and line" \
    'core/base/text.cpp:' "$out"
check_contains "... and what it includes" 'a base file includes "cli/cli.hpp"' "$out"
check_contains "config including pipeline is named" 'a config file includes "pipeline/runner.hpp"' "$out"
check_contains "a plugin including the host's config is named" \
    'plugins/imds/imds.cpp:' "$out"
check_contains "... as a plugin include" 'a plugin file includes "config/profile_file.hpp"' "$out"
check "exactly the three planted includes are reported" 3 "$(grep -c 'includes "' <<<"$out")"
finish
