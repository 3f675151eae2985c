# credsh hook for PowerShell 7.2+ -- install in $PROFILE:
#     Invoke-Expression (& credsh hook pwsh | Out-String)
#
# Three parts, all installed by that one line (installing twice is harmless):
#  - the hook: __credsh_hook runs before each prompt and after each change of location. It decides without
#    starting a process whether anything changed (the nearest .credprofile, the session profile, the AWS
#    file locations, a watched file newer than this shell's stamp, the refresh time) and only then runs
#    `credsh export pwsh` once. It keeps $? and $LASTEXITCODE and never waits for input.
#  - the `credsh` function: the subcommands that change this shell (use, allow, deny, pin) run here, the
#    rest go straight to the binary -- as in the bash, zsh and fish hooks.
#  - the credsh module: PowerShell-style commands that mirror AWS Tools for PowerShell's scoping.
#      Set-CredshProfile (alias Use-CredshProfile)  session profile, like Set-AWSCredential -ProfileName
#      Invoke-CredshCommand -ProfileName X { ... }   command profile for one script block, like -ProfileName
#                                                    on an AWS cmdlet
#      Get-CredshProfile                             profiles, like Get-AWSCredential -ListProfileDetail
#      Clear-CredshProfile                           drops the session profile, like Clear-AWSCredential
#    -ProfileLocation (a credentials file) is accepted by all but Clear-CredshProfile, as in the AWS Tools.
# `credsh hook pwsh` appends the completion script (completions/credsh.ps1) after this file.
#
# Run in PowerShell 7.6 by tests/shell/t_pwsh_*.sh (the scenarios shared with bash, zsh and fish, the module,
# completion, an interactive session in tmux); tests/pwsh/parse.mjs stays as a fast syntax check.

$global:__credsh_bin = @CREDSH@
# Defined before first use: a session under Set-StrictMode must not fail on a variable not yet set.
foreach ($__credsh_name in 'session', 'state', 'key', 'stamp', 'refresh_at', 'expires', 'pfmt', 'watch',
        'suspended', 'installed', 'prompt_orig', 'location_saved', 'gone', 'absent', 'fs', 'fast', 'moved') {
    if (-not (Get-Variable -Scope Global -Name "__credsh_$__credsh_name" -ErrorAction Ignore)) {
        Set-Variable -Scope Global -Name "__credsh_$__credsh_name" -Value ''
    }
}
Remove-Variable -Name __credsh_name

# Runs the credsh binary with exactly these arguments, in the current location, and returns its exit code
# and what it printed, unaltered. Not `& $bin`: PowerShell splits a native command's output into lines and
# loses carriage returns, and the values credsh prints must arrive byte for byte (docs/security.md 1). stdin is
# $InputText, never the terminal, so nothing can wait for input -- except with -Terminal (`credsh use`, typed by
# a person: its MFA question and profile list read the terminal); stderr goes to the console as it is.
function global:__credsh_run {
    param([string[]] $Arguments, [string] $InputText = '', [hashtable] $Environment = @{}, [switch] $Terminal)
    $utf8 = [System.Text.UTF8Encoding]::new($false)
    $psi = [System.Diagnostics.ProcessStartInfo]::new($global:__credsh_bin)
    foreach ($a in $Arguments) { $psi.ArgumentList.Add($a) }
    $psi.UseShellExecute = $false
    $psi.RedirectStandardInput = -not $Terminal
    $psi.RedirectStandardOutput = $true
    if (-not $Terminal) { $psi.StandardInputEncoding = $utf8 } # allowed only on a redirected stdin
    $psi.StandardOutputEncoding = $utf8
    # .NET starts a process in its own current directory, which PowerShell does not keep in step with $PWD.
    $psi.WorkingDirectory = (Get-Location -PSProvider FileSystem).ProviderPath
    foreach ($k in $Environment.Keys) { $psi.Environment[$k] = $Environment[$k] }
    $p = [System.Diagnostics.Process]::Start($psi)
    try {
        if (-not $Terminal) {
            $p.StandardInput.Write($InputText)
            $p.StandardInput.Close()
        }
        $out = $p.StandardOutput.ReadToEnd()
        $p.WaitForExit()
        [pscustomobject]@{ ExitCode = $p.ExitCode; Output = $out }
    } finally {
        $p.Dispose()
    }
}

function global:__credsh_set_watch { $global:__credsh_watch = [string[]]@($args) }

# The hook's clock, a function so that the tests can replace it (as __credsh_now in the fish hook).
function global:__credsh_now { [DateTimeOffset]::UtcNow.ToUnixTimeSeconds() }

# Runs $Action with PowerShell's script tracing off: under Set-PSDebug -Trace 1 every line run is printed,
# under -Trace 2 every value assigned too -- the export text with its secrets, the session's saved values
# (docs/security.md 7, 33). PowerShell has no public way to read the trace level, and Set-PSDebug -Off would
# also drop the user's Set-PSDebug -Strict, so the level is read, cleared and put back on the engine's own
# (non-public) property; should that property ever be missing, tracing is switched off and stays off.
# Only the steps that handle secrets run through here: the prompt's fast path has none.
function global:__credsh_untraced {
    param([scriptblock] $Action)
    $flags = [System.Reflection.BindingFlags]'NonPublic,Instance'
    $context = $null; $property = $null; $level = $null
    try {
        $context = $ExecutionContext.GetType().GetField('_context', $flags).GetValue($ExecutionContext)
        $property = $context.GetType().GetProperty('PSDebugTraceLevel', $flags)
        $level = [int]$property.GetValue($context)
    } catch { $level = $null }
    if ($null -eq $level) { Set-PSDebug -Trace 0 } elseif ($level) { $property.SetValue($context, 0) }
    try { & $Action } finally { if ($level) { $property.SetValue($context, $level) } }
}

# Set by hand: the variables credsh compares at every prompt (none is a secret), as one string -- "x" and the
# value when set, nothing when unset. $__credsh_left holds it as the last export left them; a difference means a
# value set by hand, which the next export shows and lets stand.
function global:__credsh_vals {
    $s = ''
    foreach ($v in 'AWS_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'ASK_DEFAULT_PROFILE') {
        $x = [Environment]::GetEnvironmentVariable($v)
        $s += if ($null -eq $x) { '/' } else { "/x$x" }
    }
    $s
}

# The steady state, compiled. A prompt in PowerShell is slow to script: a function call costs ~20 µs, each
# .NET call ~2 µs, $env:X ~10 µs, Get-Location ~60 µs. So everything the slow path looks at for this location
# is put, once it has found nothing to do, into $__credsh_fs (an array of literal paths and values), and one
# delegate compiled here checks it at each prompt: about the cost of one .NET call per file. Compiled with
# System.Linq.Expressions, in memory (no compiler process, no file to trust); building it costs ~0.1 s once,
# not at the shell's start but when the console is first idle (in a script: at the first settled prompt).
# The location is not looked at: a change of location drops $__credsh_fs (LocationChangedAction, below).
# $__credsh_fs: 0 the clock matters (a refresh or expiry time: only __credsh_hook, which reads __credsh_now,
# may then trust it), 1 the session, 2 __credsh_fvals, 3 files that must exist (the .credprofile in effect),
# 4 paths that must not (the .credprofile candidates below it, the export's absent list), 5 the stamp file,
# 6 the watched files (each older than the stamp; a missing one counts as changed).
function global:__credsh_compile_fast {
    $X = [System.Linq.Expressions.Expression]
    $str = [string]
    $fs = $X::Parameter([object[]], 'fs')
    $session = $X::Parameter($str, 'session')
    $clockRead = $X::Parameter([bool], 'clockRead')
    $path = $X::Parameter($str, 'path')
    $stampTime = $X::Variable([datetime], 'stampTime')
    $time = $X::Variable([datetime], 'time')
    $missing = $X::Constant([datetime]::FromFileTimeUtc(0)) # what GetLastWriteTimeUtc says of a missing file
    $concat = $str.GetMethod('Concat', [type[]]@($str, $str))
    $mtime = [System.IO.File].GetMethod('GetLastWriteTimeUtc', [type[]]@($str))
    $fileExists = [System.IO.File].GetMethod('Exists', [type[]]@($str))
    $dirExists = [System.IO.Directory].GetMethod('Exists', [type[]]@($str))
    $same = $str.GetMethod('Equals', [type[]]@($str, $str)) # ordinal; null equals only null
    $all = [array].GetMethod('TrueForAll').MakeGenericMethod($str)
    $any = [array].GetMethod('Exists').MakeGenericMethod($str)
    $item = { param($i, $type) $X::Convert($X::ArrayIndex($fs, $X::Constant([int]$i)), $type) }
    # The values as __credsh_fvals writes them.
    $vals = $X::Constant('')
    foreach ($name in $global:__credsh_fnames) {
        $v = $X::Call([Environment].GetMethod('GetEnvironmentVariable', [type[]]@($str)), $X::Constant($name))
        $one = $X::Condition($X::Equal($v, $X::Constant($null, $str)), $X::Constant('/'), $X::Call($concat, $X::Constant('/x'), $v))
        $vals = $X::Call($concat, $vals, $one)
    }
    $exists = $X::Lambda([Predicate[string]], $X::Call($fileExists, $path), [System.Linq.Expressions.ParameterExpression[]]@($path))
    $present = $X::Lambda([Predicate[string]], $X::OrElse($X::Call($fileExists, $path), $X::Call($dirExists, $path)),
        [System.Linq.Expressions.ParameterExpression[]]@($path))
    $older = $X::Lambda([Predicate[string]], $X::Block([System.Linq.Expressions.ParameterExpression[]]@($time),
            [System.Linq.Expressions.Expression[]]@(
                $X::Assign($time, $X::Call($mtime, $path)),
                $X::AndAlso($X::NotEqual($time, $missing), $X::LessThan($time, $stampTime)))),
        [System.Linq.Expressions.ParameterExpression[]]@($path))
    $checks = @(
        $X::NotEqual($fs, $X::Constant($null, [object[]])),
        $X::OrElse($clockRead, $X::Not((& $item 0 ([bool])))),
        $X::Call($same, (& $item 1 $str), $session),
        $X::Call($same, (& $item 2 $str), $vals),
        $X::Call($all, (& $item 3 ([string[]])), $exists),
        $X::Not($X::Call($any, (& $item 4 ([string[]])), $present)),
        $X::NotEqual($X::Assign($stampTime, $X::Call($mtime, (& $item 5 $str))), $missing),
        $X::Call($all, (& $item 6 ([string[]])), $older))
    $body = $checks[-1]
    for ($i = $checks.Count - 2; $i -ge 0; $i--) { $body = $X::AndAlso($checks[$i], $body) }
    $block = $X::Block([System.Linq.Expressions.ParameterExpression[]]@($stampTime), [System.Linq.Expressions.Expression[]]@($body))
    # A path .NET refuses (too long, a directory above it unreadable) throws: then the slow path decides.
    $guarded = $X::TryCatch($block, [System.Linq.Expressions.CatchBlock[]]@($X::Catch([Exception], $X::Constant($false))))
    $X::Lambda([Func[object[], string, bool, bool]], $guarded,
        [System.Linq.Expressions.ParameterExpression[]]@($fs, $session, $clockRead)).Compile()
}

# Compiled once; should that fail, the slow path it stays (one warning).
function global:__credsh_make_fast {
    $global:__credsh_fast = $false
    try { $global:__credsh_fast = __credsh_compile_fast } catch { Write-Warning "credsh: no fast path: $_" }
}

# The variables the fast path compares: those of __credsh_vals and the AWS file locations (part of the key).
$global:__credsh_fnames = @('AWS_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_REGION', 'AWS_DEFAULT_REGION',
    'ASK_DEFAULT_PROFILE', 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE')
function global:__credsh_fvals {
    $s = ''
    foreach ($v in $global:__credsh_fnames) {
        $x = [Environment]::GetEnvironmentVariable($v)
        $s += if ($null -eq $x) { '/' } else { "/x$x" }
    }
    $s
}

function global:__credsh_export {
    # The binary is gone (uninstalled, moved): one line, then quiet at every prompt until it is back.
    if (-not [System.IO.File]::Exists($global:__credsh_bin)) {
        if (-not $global:__credsh_gone) {
            $shown = [regex]::Replace("$global:__credsh_bin", '\p{Cc}', { param($m) '\x{0:x2}' -f [int][char]$m.Value })
            [Console]::Error.WriteLine("credsh: $shown is gone (uninstalled or moved?): the hook stays quiet until it is back; to remove the hook, delete Invoke-Expression (& credsh hook pwsh | Out-String) from `$PROFILE")
        }
        $global:__credsh_gone = $true
        return
    }
    $global:__credsh_gone = $false
    __credsh_untraced {
        $a = @('export', 'pwsh', '--pid', "$PID", "--session=$global:__credsh_session", '--stdin-state')
        if ($global:__credsh_forget) { $a += '--forget-hand' }
        $global:__credsh_forget = $false
        $r = __credsh_run -Arguments $a -InputText "$global:__credsh_state"
        # All or nothing: evaluate only complete output (the binary ends it with this marker).
        if ($r.Output.TrimEnd("`n").EndsWith('# credsh-end')) {
            Invoke-Expression $r.Output
            $global:__credsh_left = __credsh_vals
        }
    }
}

function global:__credsh_prompt_update {
    $p = "$global:__credsh_pfmt"
    if ($global:__credsh_expires -and $p.Contains('@@T@@')) {
        $s = [long]$global:__credsh_expires - (__credsh_now)
        $t = if ($s -le 0) { 'expired' }
             elseif ($s -lt 60) { "${s}s" }
             elseif ($s -lt 3600) { "$([math]::Floor($s / 60))m" }
             elseif ($s -lt 172800) { '{0}h{1:d2}m' -f [long][math]::Floor($s / 3600), [long][math]::Floor(($s % 3600) / 60) }
             else { "$([math]::Floor($s / 86400))d" }
        $p = $p.Replace('@@T@@', $t)
    }
    # A region or an ASK vendor id comes from a file: its control characters (C0, DEL and C1, which
    # terminals act on: ESC, OSC, CSI U+009B) are shown as \xHH of their UTF-8 bytes, never sent as they are
    # (docs/security.md 34). PowerShell does not expand a string's value again, so $CREDSH_PROMPT in a
    # prompt function is only text.
    if ($p -match '\p{Cc}') {
        $p = [regex]::Replace($p, '\p{Cc}', {
            param($m) -join @(foreach ($b in [System.Text.Encoding]::UTF8.GetBytes($m.Value)) { '\x{0:x2}' -f $b }) })
    }
    $global:CREDSH_PROMPT = $p
}

function global:__credsh_hook {
    # Whatever the session's preferences, the hook neither stops at an error nor asks about one, and a
    # failing credsh is not turned into an exception ($PSNativeCommandUseErrorActionPreference, 7.3+).
    $ErrorActionPreference = 'Continue'
    $WarningPreference = 'Continue'
    $PSNativeCommandUseErrorActionPreference = $false
    # Invoke-CredshCommand holds the variables of a command profile: they are not this shell's to adopt.
    if ($global:__credsh_suspended) { return }
    $code = $global:LASTEXITCODE
    try {
        # The fast path (see __credsh_compile_fast), with the refresh time read from this hook's clock.
        if ($global:__credsh_fs -and $global:__credsh_fast.Invoke($global:__credsh_fs, "$global:__credsh_session", $true) -and
                (-not $global:__credsh_refresh_at -or (__credsh_now) -lt [long]$global:__credsh_refresh_at)) {
            if ($global:__credsh_expires) { __credsh_prompt_update }
            return
        }
        $global:__credsh_fs = $null
        $d = (Get-Location -PSProvider FileSystem).ProviderPath
        $f = ''
        $candidates = [System.Collections.Generic.List[string]]::new()
        while ($d) {
            $candidate = [System.IO.Path]::Combine($d, '.credprofile')
            if ([System.IO.File]::Exists($candidate)) { $f = $candidate; break }
            $candidates.Add($candidate)
            $parent = [System.IO.Path]::GetDirectoryName($d)
            if (-not $parent -or $parent -eq $d) { break }
            $d = $parent
        }
        # The file locations are part of the key: Set-CredshProfile -ProfileLocation changes one of them.
        $key = "$f|$global:__credsh_session|$env:AWS_CONFIG_FILE|$env:AWS_SHARED_CREDENTIALS_FILE"
        # -cne: a literal, case-sensitive comparison with what the last export left (no process).
        $need = ($null -eq $global:__credsh_left) -or ((__credsh_vals) -cne $global:__credsh_left) -or
            ($key -ne $global:__credsh_key) -or (-not $global:__credsh_stamp) -or
            (-not [System.IO.File]::Exists($global:__credsh_stamp))
        if (-not $need -and $global:__credsh_refresh_at) {
            $need = (__credsh_now) -ge [long]$global:__credsh_refresh_at
        }
        # A file missing at the export must still be missing (created since: export).
        $absent = @("$global:__credsh_absent".Split("`n") | Where-Object { $_ })
        if (-not $need) {
            foreach ($a in $absent) {
                if ([System.IO.File]::Exists($a) -or [System.IO.Directory]::Exists($a)) { $need = $true; break }
            }
        }
        if (-not $need) {
            # As the bash hook's [[ ! stamp -nt file ]]: an edit in the same timestamp tick counts, and so does
            # a watched file that is gone (GetLastWriteTimeUtc gives 1601-01-01 for a missing path).
            $stamp = [System.IO.File]::GetLastWriteTimeUtc($global:__credsh_stamp)
            $gone = [datetime]::FromFileTimeUtc(0)
            foreach ($w in $global:__credsh_watch) {
                # A path .NET refuses (too long, a directory above it unreadable) counts as changed: the export
                # then lists it as absent, which File.Exists answers without throwing.
                $t = try { [System.IO.File]::GetLastWriteTimeUtc($w) } catch { $gone }
                if ($t -eq $gone -or $t -ge $stamp) { $need = $true; break }
            }
        }
        if ($need) {
            $global:__credsh_key = $key
            __credsh_export
        } elseif ($global:__credsh_stamp) {
            # Only a settled state gets a fast path: after an export, the next prompt looks again (the export
            # may have failed or be waiting for a login), and that look builds it once nothing is due.
            if ($global:__credsh_fast -is [string] -and $global:__credsh_fast -eq '') { # not compiled yet
                if (Get-Module -Name PSReadLine) {
                    # At a console, compiled when PowerShell is next idle (PSReadLine's OnIdle event, once no key
                    # came for ~0.3 s), so that no prompt waits for it; until then the slow path answers. Hidden
                    # (-SupportEvent): no job or subscriber of credsh's shows in Get-Job or Get-EventSubscriber.
                    $global:__credsh_fast = 'pending'
                    $null = Register-EngineEvent -SourceIdentifier PowerShell.OnIdle -MaxTriggerCount 1 -SupportEvent -Action {
                        __credsh_make_fast
                    }
                } else {
                    __credsh_make_fast
                }
            }
            if ($global:__credsh_fast -is [Delegate]) {
                $global:__credsh_fs = [object[]]@(
                    [bool]($global:__credsh_refresh_at -or $global:__credsh_expires),
                    "$global:__credsh_session",
                    (__credsh_fvals),
                    [string[]]@(if ($f) { $f }),
                    [string[]]($candidates + $absent),
                    "$global:__credsh_stamp",
                    [string[]]@($global:__credsh_watch))
            }
        }
        __credsh_prompt_update
    } catch {
        Write-Warning "credsh: $_"
    } finally {
        $global:LASTEXITCODE = $code
    }
}

# The commands that change this shell run here; everything else goes straight to the binary.
function global:credsh {
    $PSNativeCommandUseErrorActionPreference = $false
    $sub = if ($args.Count) { "$($args[0])" } else { '' }
    if ($sub -eq 'use') {
        $rest = @($args | Select-Object -Skip 1)
        if ($rest.Count -eq 1 -and "$($rest[0])" -in '--help', '-h') { & $global:__credsh_bin @args; return }
        # PowerShell does not pass a bare `--` on to a function, so `credsh use -- -x` arrives as `use -x`:
        # use's own options stay options and every other word is the profile name, handed to the binary
        # after `--`, so that a name starting with '-' is a name. A quoted '--' ends the options as well.
        $argv = @('use', '--shell', 'pwsh', "--session=$global:__credsh_session")
        $names = @()
        for ($i = 0; $i -lt $rest.Count; $i++) {
            $a = "$($rest[$i])"
            if ($a -eq '--') { $names += @($rest | Select-Object -Skip ($i + 1) | ForEach-Object { "$_" }); break }
            elseif ($a -eq '--profile' -and $i + 1 -lt $rest.Count) { $i++; $argv += "--profile=$($rest[$i])" }
            elseif ($a -eq '--clear' -or $a -like '--profile=*') { $argv += $a }
            else { $names += $a }
        }
        if ($names.Count) { $argv += @('--') + $names }
        $r = __credsh_run -Arguments $argv -Terminal
        $rc = $r.ExitCode
        if ($rc -eq 0) {
            Invoke-Expression $r.Output
            # Export once now, and values set by hand stop standing: `credsh use` is a new choice.
            $global:__credsh_key = ''
            $global:__credsh_fs = $null
            $global:__credsh_forget = $true
            __credsh_hook
            if ($env:CREDSH_ERROR) { $rc = 1 } # the selected profile has no usable credentials
        }
        $global:LASTEXITCODE = $rc
    } elseif ($sub -in 'allow', 'deny', 'pin') {
        & $global:__credsh_bin @args
        if ($LASTEXITCODE -eq 0) {
            $global:__credsh_key = '' # trust changed: export once now, whatever the timestamps say
            $global:__credsh_fs = $null
            __credsh_hook
        }
    } elseif ($sub -eq 'exec') {
        # PowerShell does not pass `--` on to a function, so the line between credsh's options and the
        # command is drawn again: the command starts at the first word that is not an exec option or its value.
        $rest = @($args | Select-Object -Skip 1)
        $i = 0
        while ($i -lt $rest.Count) {
            $a = "$($rest[$i])"
            if ($a -eq '--') { break }
            if ($a -in '-p', '--profile', '--profile-location', '--mode') { $i += 2 }
            elseif ($a -like '--*=*' -or $a -in '-h', '--help', '--server') { $i += 1 }
            else { break }
        }
        $opts = @($rest | Select-Object -First $i)
        $command = @($rest | Select-Object -Skip $i)
        if ($command.Count -and "$($command[0])" -ne '--') { $command = @('--') + $command }
        # The shell's remembered state goes to --state-fd as in the other hooks (there fd 3), so that the
        # command gets the ambient values, not this directory's profile: through an inherited pipe, filled
        # and closed before the binary starts (it reads to the end; the buffer is made large enough), so the
        # command keeps the terminal as stdin and the state is in no file, argument or variable.
        __credsh_untraced {
            $bytes = [System.Text.UTF8Encoding]::new($false).GetBytes("$global:__credsh_state")
            $pipe = $null
            $state = @()
            if ($bytes.Length -le 1048576) { # 1 MiB: what credsh reads at most
                $pipe = [System.IO.Pipes.AnonymousPipeServerStream]::new([System.IO.Pipes.PipeDirection]::Out,
                    [System.IO.HandleInheritability]::Inheritable, [math]::Max($bytes.Length, 4096))
                $state = @('--state-fd', $pipe.GetClientHandleAsString())
                $pipe.Write($bytes, 0, $bytes.Length)
                $pipe.SafePipeHandle.Dispose()
            }
            try {
                & $global:__credsh_bin exec "--session=$global:__credsh_session" @state @opts @command
            } finally {
                if ($pipe) { $pipe.DisposeLocalCopyOfClientHandle(); $pipe.Dispose() }
            }
        }
    } elseif ($sub -eq 'status') {
        $rest = @($args | Select-Object -Skip 1)
        "$global:__credsh_state" | & $global:__credsh_bin status "--session=$global:__credsh_session" --stdin-state @rest
    } else {
        & $global:__credsh_bin @args
    }
}

New-Module -Name credsh -ScriptBlock {
    # Where -ProfileLocation points AWS_SHARED_CREDENTIALS_FILE for the session, what it was before, so that
    # Clear-CredshProfile (or the next Set-CredshProfile without it) puts it back exactly: unset stays unset.
    function Restore-CredshLocation {
        if ($global:__credsh_location_saved) {
            $env:AWS_SHARED_CREDENTIALS_FILE = $global:__credsh_location_saved.Value # $null removes it
            $global:__credsh_location_saved = $null
        }
    }

    function Set-CredshProfile {
        <#
        .SYNOPSIS
        Sets this session's profile (credsh use NAME), like Set-AWSCredential -ProfileName.
        .DESCRIPTION
        The session profile wins over .credprofile files and the default, and lasts until
        Clear-CredshProfile or the end of the session. With -ProfileLocation, AWS_SHARED_CREDENTIALS_FILE
        names that credentials file while the session profile is set, so credsh and every AWS SDK and CLI
        started from this session read the profile from there.
        .EXAMPLE
        Set-CredshProfile prod
        #>
        [CmdletBinding()]
        param(
            [Parameter(Mandatory = $true, Position = 0)] [string] $ProfileName,
            [string] $ProfileLocation
        )
        Restore-CredshLocation
        if ($ProfileLocation) {
            $global:__credsh_location_saved = @{ Value = $env:AWS_SHARED_CREDENTIALS_FILE }
            $env:AWS_SHARED_CREDENTIALS_FILE = $PSCmdlet.GetUnresolvedProviderPathFromPSPath($ProfileLocation)
        }
        credsh use "--profile=$ProfileName" # joined: a name may start with '-' or equal an option
        if ($LASTEXITCODE -ne 0) {
            Restore-CredshLocation
            Write-Error -Message "credsh: cannot use profile $ProfileName" -Category InvalidArgument
        }
    }

    function Clear-CredshProfile {
        <#
        .SYNOPSIS
        Drops the session profile (credsh use --clear): the directory or default scope applies again.
        #>
        [CmdletBinding()]
        param()
        Restore-CredshLocation
        credsh use --clear
    }

    function Get-CredshProfile {
        <#
        .SYNOPSIS
        Lists the profiles credsh knows, like Get-AWSCredential -ListProfileDetail.
        .DESCRIPTION
        One object per profile: ProfileName, StoreTypeName (SharedCredentialsFile for ~/.aws/config and
        ~/.aws/credentials, AskCliConfig, CredshConfig), ProfileLocation (the file), Region, Provider and
        Sources. -ProfileName filters (wildcards allowed). -ProfileLocation lists the profiles of that
        credentials file.
        #>
        [CmdletBinding()]
        param(
            [Parameter(Position = 0)] [string] $ProfileName,
            [string] $ProfileLocation,
            [switch] $ListProfileDetail # accepted for the AWS Tools' spelling: the objects are always detailed
        )
        $environment = @{}
        if ($ProfileLocation) {
            $environment['AWS_SHARED_CREDENTIALS_FILE'] = $PSCmdlet.GetUnresolvedProviderPathFromPSPath($ProfileLocation)
        }
        $r = __credsh_run -Arguments @('profiles', '--json') -Environment $environment
        if ($r.ExitCode -ne 0) { Write-Error -Message 'credsh: could not read every profile file' }
        if (-not $r.Output) { return }
        foreach ($p in ($r.Output | ConvertFrom-Json)) {
            if ($ProfileName -and $p.name -notlike $ProfileName) { continue }
            $sources = @($p.sources)
            if ($ProfileLocation -and $sources -notcontains 'credentials') { continue }
            $store, $from = if ($sources -contains 'credentials') { 'SharedCredentialsFile', 'credentials' }
                elseif ($sources -contains 'config') { 'SharedCredentialsFile', 'config' }
                elseif ($sources -contains 'ask') { 'AskCliConfig', 'ask' }
                else { 'CredshConfig', 'credsh' }
            [pscustomobject]@{
                PSTypeName      = 'Credsh.ProfileInfo'
                ProfileName     = $p.name
                StoreTypeName   = $store
                ProfileLocation = $p.files.$from
                Region          = $p.region
                Provider        = $p.provider
                Sources         = $sources
            }
        }
    }

    function Invoke-CredshCommand {
        <#
        .SYNOPSIS
        Runs a script block with a profile's credentials (the command scope), like -ProfileName on an AWS
        cmdlet; the session's variables are restored exactly afterwards, also when the block throws.
        .DESCRIPTION
        The variables are those `credsh exec -p NAME` gives a child process (computed by credsh exec running
        `env -0`), applied to this session for the duration of the block only: AWS_*, ASK_* and credsh's
        own. The prompt hook stays out of the way meanwhile.
        .EXAMPLE
        Invoke-CredshCommand -ProfileName admin { Get-S3Bucket }
        #>
        [CmdletBinding()]
        param(
            [Parameter(Mandatory = $true, Position = 0)] [string] $ProfileName,
            [Parameter(Mandatory = $true, Position = 1)] [scriptblock] $ScriptBlock,
            [string] $ProfileLocation,
            [ValidateSet('auto', 'keys', 'profile')] [string] $Mode
        )
        # --profile=NAME and --session=NAME joined: a name may start with '-'.
        $argv = @('exec', "--profile=$ProfileName", "--session=$global:__credsh_session")
        if ($ProfileLocation) {
            $argv += "--profile-location=$($PSCmdlet.GetUnresolvedProviderPathFromPSPath($ProfileLocation))"
        }
        if ($Mode) { $argv += "--mode=$Mode" }
        # The values (the profile's secrets, and the session's own that are put aside) are handled with
        # tracing off and only in these containers, never assigned to a variable Set-PSDebug -Trace 2 would
        # print; the script block itself runs as the session traces it.
        $managed = '^(AWS|ASK|CREDSH|AWSUME|GRANTED)_'
        $want = [System.Collections.Generic.Dictionary[string, string]]::new()
        $saved = [System.Collections.Generic.Dictionary[string, string]]::new()
        $status = [System.Collections.Generic.List[int]]::new()
        __credsh_untraced {
            $r = __credsh_run -Arguments ($argv + @('--', 'env', '-0'))
            $status.Add($r.ExitCode)
            if ($r.ExitCode -ne 0) { return }
            # Only names credsh manages change (docs/security.md 3); case-sensitive, as on Linux.
            foreach ($entry in $r.Output.Split([char]0)) {
                $eq = $entry.IndexOf('=')
                if ($eq -gt 0 -and $entry.Substring(0, $eq) -cmatch $managed) {
                    $want[$entry.Substring(0, $eq)] = $entry.Substring($eq + 1)
                }
            }
        }
        if ($status[0] -ne 0) {
            Write-Error -Message "credsh: no credentials for profile $ProfileName; the script block did not run"
            return
        }
        # Ctrl-C stops the pipeline and runs the finally block: the session's values come back in every case.
        $global:__credsh_suspended = $true
        try {
            __credsh_untraced {
                $names = [System.Collections.Generic.SortedSet[string]]::new([System.StringComparer]::Ordinal)
                foreach ($n in [System.Environment]::GetEnvironmentVariables().Keys) {
                    if ($n -cmatch $managed) { [void]$names.Add($n) }
                }
                foreach ($n in $want.Keys) { [void]$names.Add($n) }
                foreach ($n in $names) {
                    $old = [System.Environment]::GetEnvironmentVariable($n)
                    $new = $null
                    [void]$want.TryGetValue($n, [ref]$new)
                    if ($old -cne $new) {
                        $saved[$n] = $old
                        [System.Environment]::SetEnvironmentVariable($n, $new) # $null removes it
                    }
                }
            }
            & $ScriptBlock
        } finally {
            __credsh_untraced { foreach ($n in $saved.Keys) { [System.Environment]::SetEnvironmentVariable($n, $saved[$n]) } }
            $global:__credsh_suspended = $false
        }
    }

    # Profile names complete for these commands as they do for `credsh use` (completions/credsh.ps1).
    $commands = 'Set-CredshProfile', 'Clear-CredshProfile', 'Get-CredshProfile', 'Invoke-CredshCommand'
    Register-ArgumentCompleter -CommandName $commands -ParameterName ProfileName -ScriptBlock {
        param($commandName, $parameterName, $wordToComplete, $commandAst, $fakeBoundParameters)
        __credsh_completion_results $wordToComplete @(__credsh_profile_names $fakeBoundParameters['ProfileLocation'])
    }

    Set-Alias -Name Use-CredshProfile -Value Set-CredshProfile
    Export-ModuleMember -Function $commands -Alias Use-CredshProfile
} | Import-Module -Global -Force

# Install once: wrap the prompt (keeping $? and $LASTEXITCODE for the original one) and follow changes of
# location. Both call __credsh_hook by name, so a second install's newer functions are what runs.
if (-not $global:__credsh_installed) {
    $global:__credsh_installed = $true
    $global:__credsh_prompt_orig = $function:prompt
    function global:prompt {
        $ok = $global:?
        $code = $global:LASTEXITCODE
        # The steady state costs one compiled call here (__credsh_compile_fast): no function call, no
        # clock (a state with a refresh or expiry time goes to the hook, which reads __credsh_now).
        if (-not ($global:__credsh_fs -and $global:__credsh_fast.Invoke($global:__credsh_fs, "$global:__credsh_session", $false))) {
            __credsh_hook
            $global:LASTEXITCODE = $code
        }
        # $? cannot be assigned; a failing no-op is how to hand the original prompt a false one.
        if (-not $ok) { Write-Error -Message 'credsh' -ErrorAction Ignore }
        if ($global:__credsh_prompt_orig) { & $global:__credsh_prompt_orig } else { "PS $($PWD.Path)> " }
    }
}
# A change of location drops the fast path, whose .credprofile candidates belong to the old one, and runs the
# hook. Installed apart from the prompt: a session that loaded an older hook, whose handler only runs the hook,
# gets this one too (it runs after the older one).
if (-not $global:__credsh_moved) {
    $global:__credsh_moved = $true
    $ExecutionContext.InvokeCommand.LocationChangedAction = [Delegate]::Combine(
        $ExecutionContext.InvokeCommand.LocationChangedAction,
        [EventHandler[System.Management.Automation.LocationChangedEventArgs]] { $global:__credsh_fs = $null; __credsh_hook })
}
__credsh_hook
