# PowerShell completion for credsh: subcommands, options, shells, and profile names from `credsh profiles`.
# `credsh hook pwsh` brings this file along, since PowerShell has no directory it loads completions from.
# Without the hook: credsh completion pwsh | Out-String | Invoke-Expression   (or dot-source
# PREFIX/share/credsh/credsh.ps1 from $PROFILE).
#
# With the hook, `credsh` is a function. PowerShell still asks the native completer below for the
# function's arguments (it has no parameters of its own), except for a word that starts with '-', which it
# completes against the function's parameters -- there are none -- so option names are offered only where
# `credsh` is the binary itself (for example before the hook is installed).
#
# Run in PowerShell 7.6 by tests/shell/t_pwsh_module.sh (TabExpansion2) and t_pwsh_interactive.sh (PSReadLine's Tab).

# What to type for $Text so that PowerShell reads back exactly $Text: a bare word when that is safe,
# otherwise a single-quoted string with ' and the curly single quotes U+2018-U+201B doubled (PowerShell ends
# a single-quoted string at any of them). A bare word must not start with a digit ('1e3' is a number) or
# '-', '@', and must hold nothing PowerShell gives a meaning to (',' makes an array, '$' a variable, ...).
function global:__credsh_completion_text {
    param([string] $Text)
    if ($Text -cmatch '^[A-Za-z_][A-Za-z0-9_./:%+=@-]*$') { return $Text }
    "'" + ($Text -replace '[''\u2018-\u201B]', '$0$0') + "'"
}

# Every profile name, one per line from `credsh profiles`; with -ProfileLocation, as the credentials file
# FILE would give them. Leaves $LASTEXITCODE as it was: completion must not change what the user sees there.
function global:__credsh_profile_names {
    param([string] $ProfileLocation)
    $bin = $global:__credsh_bin
    if (-not $bin) { $bin = (Get-Command -Name credsh -CommandType Application -ErrorAction Ignore | Select-Object -First 1).Source }
    if (-not $bin) { return }
    $code = $global:LASTEXITCODE
    $location = $env:AWS_SHARED_CREDENTIALS_FILE
    try {
        if ($ProfileLocation) { $env:AWS_SHARED_CREDENTIALS_FILE = $ProfileLocation }
        & $bin profiles 2>$null
    } finally {
        $env:AWS_SHARED_CREDENTIALS_FILE = $location
        $global:LASTEXITCODE = $code
    }
}

# CompletionResults for the candidates that start with $Word (compared exactly: a profile name may hold
# wildcard characters, so not -like).
function global:__credsh_completion_results {
    param([string] $Word, [string[]] $Candidates, [string] $Type = 'ParameterValue')
    # A word typed with an opening quote is matched on what follows the quote; the result replaces it whole.
    $prefix = $Word -replace '^[''"\u2018-\u201E]', ''
    foreach ($c in $Candidates) {
        if ($c -and $c.StartsWith($prefix, [System.StringComparison]::Ordinal)) {
            $text = if ($Type -eq 'ParameterName') { $c } else { __credsh_completion_text $c }
            [System.Management.Automation.CompletionResult]::new($text, $c, $Type, $c)
        }
    }
}

Register-ArgumentCompleter -Native -CommandName credsh -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)
    $commands = 'allow', 'completion', 'console', 'credential-process', 'deny', 'exec', 'export', 'hook', 'login', 'logout',
        'pin', 'plugins', 'profiles', 'prompt', 'remove', 'serve', 'sso', 'status', 'store', 'use'
    $options = @{
        allow = '--path'; deny = '--path'; completion = @(); export = @(); hook = @()
        console = '-p', '--profile', '--print', '--destination', '--duration'
        'credential-process' = '-p', '--profile'
        exec = '-p', '--profile', '--profile-location', '--mode', '--server', '--'
        serve = '-p', '--profile', '--profile-location'
        login = '--profile', '--sso-session', '--no-browser', '--use-device-code'; logout = '--profile', '--sso-session', '--all'
        pin = '--profile', '--region', '--ask-profile', '--dir'; sso = '--session', '--write', '--region', '--name'
        plugins = @('--names'); profiles = @('--json'); prompt = '-f', '--format'
        status = '--explain', '--json'; use = '--profile', '--clear'
        remove = '--profile', '--yes'; store = '--profile', '--stdin', '--mfa-serial', '--migrate'
    }
    $takesValue = '-p', '--profile', '--ask-profile', '--mode', '--profile-location', '--path', '--dir',
        '--region', '-f', '--format', '--sso-session', '--session', '--name', '--mfa-serial', '--destination', '--duration'

    # The words before the one being completed, as credsh will receive them (quotes removed).
    $words = @(foreach ($e in $commandAst.CommandElements) {
        if ($e.Extent.EndOffset -lt $cursorPosition -or ($e.Extent.EndOffset -eq $cursorPosition -and -not $wordToComplete)) {
            if ($e -is [System.Management.Automation.Language.StringConstantExpressionAst]) { $e.Value } else { $e.Extent.Text }
        }
    })
    if ($words.Count -le 1) {
        if ($wordToComplete.StartsWith('-')) {
            return __credsh_completion_results $wordToComplete @('--help', '--version') 'ParameterName'
        }
        return __credsh_completion_results $wordToComplete $commands 'Command'
    }
    $sub = $words[1]
    $prev = $words[-1]
    # exec ... -- COMMAND: returning nothing leaves it to PowerShell's own command and file completion.
    if ($sub -eq 'exec' -and $words -contains '--') { return }
    if ($prev -in '-p', '--profile', '--ask-profile') {
        return __credsh_completion_results $wordToComplete @(__credsh_profile_names)
    }
    if ($prev -eq '--mode') { return __credsh_completion_results $wordToComplete @('auto', 'keys', 'profile') }
    if ($prev -in $takesValue) { return } # a file, a region, a format: PowerShell's default completion
    if ($wordToComplete.StartsWith('-')) {
        __credsh_completion_results $wordToComplete (@($options[$sub]) + '--help') 'ParameterName'
        # A profile name may start with '-' too (offered quoted, so PowerShell passes it as a string).
        if ($sub -eq 'use' -and $words.Count -eq 2) { __credsh_completion_results $wordToComplete @(__credsh_profile_names) }
        return
    }
    # The subcommand's own arguments so far: words that are neither options nor an option's value.
    $nargs = 0
    for ($i = 2; $i -lt $words.Count; $i++) {
        if ($words[$i] -in $takesValue) { $i++ }
        elseif (-not $words[$i].StartsWith('-')) { $nargs++ }
    }
    if ($nargs -gt 0) { return }
    if ($sub -eq 'sso') { return __credsh_completion_results $wordToComplete @('accounts') }
    if ($sub -in 'use', 'login', 'logout', 'pin', 'remove', 'store') {
        return __credsh_completion_results $wordToComplete @(__credsh_profile_names)
    }
    if ($sub -in 'completion', 'export', 'hook') {
        return __credsh_completion_results $wordToComplete @('bash', 'fish', 'pwsh', 'zsh')
    }
}
