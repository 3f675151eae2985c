# credsh hook for PowerShell 7.2+ -- install in $PROFILE:
#     Invoke-Expression (& credsh hook pwsh | Out-String)
#
# Wraps the prompt function: before each prompt, __credsh_hook decides without starting a process whether
# anything changed (the nearest .credprofile, the session profile, a watched file newer than this shell's
# stamp, the refresh time) and only then runs `credsh export pwsh` once. $? and $LASTEXITCODE are kept.
# NOTE: PowerShell is not installable on the machines credsh is developed on; this script is checked with
# the tree-sitter PowerShell grammar, not executed (see README).

$global:__credsh_bin = @CREDSH@

function global:__credsh_set_watch { $global:__credsh_watch = @($args) }

function global:__credsh_export {
    $out = ("$global:__credsh_state" | & $global:__credsh_bin export pwsh --pid $PID --session "$global:__credsh_session" --stdin-state) -join "`n"
    if ($out -like '*# credsh-end') { Invoke-Expression $out }
}

function global:__credsh_prompt_update {
    $p = "$global:__credsh_pfmt"
    if ($global:__credsh_expires -and $p.Contains('@@T@@')) {
        $s = [long]$global:__credsh_expires - [DateTimeOffset]::UtcNow.ToUnixTimeSeconds()
        $t = if ($s -le 0) { 'expired' }
             elseif ($s -lt 60) { "${s}s" }
             elseif ($s -lt 3600) { "$([math]::Floor($s / 60))m" }
             elseif ($s -lt 172800) { '{0}h{1:d2}m' -f [math]::Floor($s / 3600), [math]::Floor(($s % 3600) / 60) }
             else { "$([math]::Floor($s / 86400))d" }
        $p = $p.Replace('@@T@@', $t)
    }
    $global:CREDSH_PROMPT = $p
}

function global:__credsh_hook {
    $d = (Get-Location -PSProvider FileSystem).ProviderPath
    $f = ''
    while ($d) {
        $candidate = [System.IO.Path]::Combine($d, '.credprofile')
        if ([System.IO.File]::Exists($candidate)) { $f = $candidate; break }
        $parent = [System.IO.Path]::GetDirectoryName($d)
        if (-not $parent -or $parent -eq $d) { break }
        $d = $parent
    }
    $key = "$f|$global:__credsh_session"
    $need = ($key -ne $global:__credsh_key) -or (-not $global:__credsh_stamp) -or
        (-not [System.IO.File]::Exists($global:__credsh_stamp))
    if (-not $need -and $global:__credsh_refresh_at) {
        $need = [DateTimeOffset]::UtcNow.ToUnixTimeSeconds() -ge [long]$global:__credsh_refresh_at
    }
    if (-not $need) {
        $stamp = [System.IO.File]::GetLastWriteTimeUtc($global:__credsh_stamp)
        foreach ($w in $global:__credsh_watch) {
            if ([System.IO.File]::GetLastWriteTimeUtc($w) -gt $stamp -or
                ([System.IO.Directory]::Exists($w) -and [System.IO.Directory]::GetLastWriteTimeUtc($w) -gt $stamp)) {
                $need = $true
                break
            }
        }
    }
    if ($need) {
        __credsh_export
        $global:__credsh_key = $key
    }
    __credsh_prompt_update
}

function global:credsh {
    $saved = $global:LASTEXITCODE
    switch ($args[0]) {
        'use' {
            if ($args -contains '--help' -or $args -contains '-h') { & $global:__credsh_bin @args; return }
            $out = (& $global:__credsh_bin @args --shell pwsh --session "$global:__credsh_session") -join "`n"
            if ($LASTEXITCODE -eq 0) { Invoke-Expression $out; __credsh_hook }
        }
        { $_ -in 'allow', 'deny', 'pin' } {
            & $global:__credsh_bin @args
            if ($LASTEXITCODE -eq 0) { $global:__credsh_key = ''; __credsh_hook }
        }
        'exec' {
            $rest = @($args | Select-Object -Skip 1)
            & $global:__credsh_bin exec --session "$global:__credsh_session" @rest
        }
        'status' {
            $rest = @($args | Select-Object -Skip 1)
            "$global:__credsh_state" | & $global:__credsh_bin status --session "$global:__credsh_session" --stdin-state @rest
        }
        default { & $global:__credsh_bin @args }
    }
}

# Install once: wrap the existing prompt, keeping $? and $LASTEXITCODE for it.
if (-not $global:__credsh_prompt_orig) {
    $global:__credsh_prompt_orig = $function:prompt
    function global:prompt {
        $ok = $?
        $code = $global:LASTEXITCODE
        __credsh_hook
        $global:LASTEXITCODE = $code
        if (-not $ok) { Write-Error -Message 'credsh: keep $? false' -ErrorAction SilentlyContinue }
        & $global:__credsh_prompt_orig
    }
}
__credsh_hook
