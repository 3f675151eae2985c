# Logout reaches every shell (issue 11 item 3) in zsh; the scenario is in logout.sh.
SUT=zsh
source "$(dirname "${BASH_SOURCE[0]}")/logout.sh"
