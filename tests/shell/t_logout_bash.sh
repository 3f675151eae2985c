# Logout reaches every shell (issue 11 item 3) in bash; the scenario is in logout.sh.
SUT=bash
source "$(dirname "${BASH_SOURCE[0]}")/logout.sh"
