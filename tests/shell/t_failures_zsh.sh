# Issue 11 item 2 (failures show) in zsh; the scenario is in failures.sh.
SUT=zsh
source "$(dirname "${BASH_SOURCE[0]}")/failures.sh"
