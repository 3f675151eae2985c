# Logout reaches every shell (issue 11 item 3) in PowerShell 7; the scenario is in logout.sh.
SUT=pwsh
source "$(dirname "${BASH_SOURCE[0]}")/logout.sh"
