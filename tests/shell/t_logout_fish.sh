# Logout reaches every shell (issue 11 item 3) in fish; the scenario is in logout.sh.
SUT=fish
source "$(dirname "${BASH_SOURCE[0]}")/logout.sh"
