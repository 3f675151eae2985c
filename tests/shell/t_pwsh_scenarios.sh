# Real-shell scenarios (docs/design.md §1-4, docs/security.md 6-8) in PowerShell 7: the same scenarios,
# fixtures and checks as bash, zsh and fish (scenarios.sh), the hook installed the README's way
# (Invoke-Expression (& credsh hook pwsh | Out-String)) in `pwsh -NoProfile -NonInteractive -File`.
SUT=pwsh
source "$(dirname "${BASH_SOURCE[0]}")/scenarios.sh"
