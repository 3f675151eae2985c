# PowerShell completion for credsh (subcommands and profile names).
# NOTE: not executed here (PowerShell is not installable on the development machines); syntax-checked only.
Register-ArgumentCompleter -Native -CommandName credsh -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)
    $words = @($commandAst.CommandElements | ForEach-Object { $_.ToString() })
    $commands = 'allow', 'completion', 'deny', 'exec', 'export', 'hook', 'login', 'pin', 'profiles', 'prompt', 'status', 'use'
    $bin = if ($global:__credsh_bin) { $global:__credsh_bin } else { 'credsh' }
    $candidates = if ($words.Count -le 1 -or ($words.Count -eq 2 -and $wordToComplete)) { $commands }
        elseif ($words[1] -in 'use', 'login', 'pin' -or $words[-1] -in '-p', '--profile' -or
                ($words[-2] -in '-p', '--profile' -and $wordToComplete)) { & $bin profiles 2>$null }
        elseif ($words[1] -in 'hook', 'export', 'completion') { 'bash', 'zsh', 'fish', 'pwsh' }
        else { @() }
    $candidates | Where-Object { $_ -like "$wordToComplete*" } | ForEach-Object {
        $text = if ($_ -match '[\s''"`$]') { "'" + ($_ -replace "'", "''") + "'" } else { $_ }
        [System.Management.Automation.CompletionResult]::new($text, $_, 'ParameterValue', $_)
    }
}
