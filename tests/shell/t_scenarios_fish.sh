# Real-shell scenarios (docs/design.md §1-4, docs/security.md 6-8) in fish; the scenarios themselves are in scenarios.sh.
SUT=fish
source "$(dirname "${BASH_SOURCE[0]}")/scenarios.sh"
