# Issue 11 item 2 (failures show) in bash; the scenario is in failures.sh.
SUT=bash
source "$(dirname "${BASH_SOURCE[0]}")/failures.sh"
