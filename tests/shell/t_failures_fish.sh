# Issue 11 item 2 (failures show) in fish; the scenario is in failures.sh.
SUT=fish
source "$(dirname "${BASH_SOURCE[0]}")/failures.sh"
