# Issue 11 item 2 (failures show) in PowerShell 7; the scenario is in failures.sh.
SUT=pwsh
source "$(dirname "${BASH_SOURCE[0]}")/failures.sh"
