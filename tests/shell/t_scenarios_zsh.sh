# Real-shell scenarios (DESIGN.md §1-4, SECURITY.md 6-8) in zsh; the scenarios themselves are in scenarios.sh.
SUT=zsh
source "$(dirname "${BASH_SOURCE[0]}")/scenarios.sh"
