# fish completion for credsh -- `credsh hook fish` includes it; `make install` also puts it in
# share/fish/vendor_completions.d (loaded on the first Tab), or: credsh completion fish | source
# Profile names come from `credsh profiles` (one per line); fish quotes whatever it inserts.

function __credsh_profiles
    set -l bin credsh
    set -q __credsh_bin; and set bin $__credsh_bin
    # fish reports an unknown command itself, past 2>/dev/null: a Tab must not print that.
    command -q $bin; and command $bin profiles 2>/dev/null
end

# True when the subcommand's first argument is still to come: no word after the subcommand yet, other than
# options and their values (after `--` every word is an argument, even one that starts with '-').
function __credsh_needs_arg
    set -l words (commandline -opc)
    set -e words[1..2]
    set -l skip 0
    set -l dashdash 0
    for w in $words
        test $dashdash = 1; and return 1
        if test $skip = 1
            set skip 0
            continue
        end
        switch $w
            case --
                set dashdash 1
            case -p --profile --ask-profile --mode --profile-location --path --dir --region -f --format \
                --sso-session --session --name
                set skip 1
            case '-*'
            case '*'
                return 1
        end
    end
    return 0
end

# exec: true once `--` has been typed (the command and its arguments follow).
function __credsh_exec_command
    set -l words (commandline -opc)
    contains -- -- $words[3..-1]
end

# exec ... -- COMMAND ARGS: completes what follows `--` as a command line of its own.
function __credsh_complete_command
    set -l words (commandline -opc) (commandline -ct)
    set -l i (contains -i -- -- $words)
    __fish_complete_subcommand --commandline $words[(math $i + 1)..-1]
end

set -l cmds allow completion console credential-process deny exec export hook login logout pin plugins profiles prompt remove serve sso status store use
complete -c credsh -f
complete -c credsh -n "not __fish_seen_subcommand_from $cmds" -l help -s h -d 'show help'
complete -c credsh -n "not __fish_seen_subcommand_from $cmds" -l version -d 'print the version'
complete -c credsh -n "not __fish_seen_subcommand_from $cmds" -a allow -d 'trust the nearest .credprofile'
complete -c credsh -n "not __fish_seen_subcommand_from $cmds" -a completion -d 'print a completion script'
complete -c credsh -n "not __fish_seen_subcommand_from $cmds" -a console -d 'open the AWS console as a profile'
complete -c credsh -n "not __fish_seen_subcommand_from $cmds" -a credential-process -d 'credentials as credential_process JSON'
complete -c credsh -n "not __fish_seen_subcommand_from $cmds" -a deny -d 'never use the nearest .credprofile'
complete -c credsh -n "not __fish_seen_subcommand_from $cmds" -a exec -d 'run one command with a profile'
complete -c credsh -n "not __fish_seen_subcommand_from $cmds" -a export -d 'print shell code (the hook uses it)'
complete -c credsh -n "not __fish_seen_subcommand_from $cmds" -a hook -d 'print the hook for a shell'
complete -c credsh -n "not __fish_seen_subcommand_from $cmds" -a login -d 'sign in for a profile'
complete -c credsh -n "not __fish_seen_subcommand_from $cmds" -a logout -d 'forget an SSO sign-in'
complete -c credsh -n "not __fish_seen_subcommand_from $cmds" -a pin -d 'write and trust ./.credprofile'
complete -c credsh -n "not __fish_seen_subcommand_from $cmds" -a plugins -d 'list the plugins found'
complete -c credsh -n "not __fish_seen_subcommand_from $cmds" -a profiles -d 'list profiles'
complete -c credsh -n "not __fish_seen_subcommand_from $cmds" -a prompt -d 'print the prompt segment'
complete -c credsh -n "not __fish_seen_subcommand_from $cmds" -a remove -d 'delete stored keys from the keyring'
complete -c credsh -n "not __fish_seen_subcommand_from $cmds" -a serve -d "serve a profile's credentials on 127.0.0.1"
complete -c credsh -n "not __fish_seen_subcommand_from $cmds" -a sso -d 'IAM Identity Center accounts and roles'
complete -c credsh -n "not __fish_seen_subcommand_from $cmds" -a status -d 'show the active profile and why'
complete -c credsh -n "not __fish_seen_subcommand_from $cmds" -a store -d 'keep long-term keys in the keyring'
complete -c credsh -n "not __fish_seen_subcommand_from $cmds" -a use -d "set this shell's session profile"

complete -c credsh -n "__fish_seen_subcommand_from $cmds; and not __credsh_exec_command" -s h -l help -d 'show help'

complete -c credsh -n "__fish_seen_subcommand_from allow deny" -l path -r -F -d 'a .credprofile or its directory'
complete -c credsh -n "__fish_seen_subcommand_from allow deny; and __credsh_needs_arg" -F

complete -c credsh -n "__fish_seen_subcommand_from completion export hook; and __credsh_needs_arg" -x -a 'bash fish pwsh zsh'

complete -c credsh -n "__fish_seen_subcommand_from credential-process" -s p -l profile -x -a '(__credsh_profiles)' -d 'profile to serve'
complete -c credsh -n "__fish_seen_subcommand_from exec; and not __credsh_exec_command" -s p -l profile -x -a '(__credsh_profiles)' -d 'profile for this command'
complete -c credsh -n "__fish_seen_subcommand_from exec; and not __credsh_exec_command" -l profile-location -r -F -d 'credentials file'
complete -c credsh -n "__fish_seen_subcommand_from exec; and not __credsh_exec_command" -l mode -x -a 'auto keys profile' -d 'how credentials reach the command'
complete -c credsh -n "__fish_seen_subcommand_from exec; and not __credsh_exec_command" -l server -d 'serve the credentials on 127.0.0.1'
complete -c credsh -n "__fish_seen_subcommand_from exec; and not __credsh_exec_command" -a -- -d 'the command follows'
complete -c credsh -n "__fish_seen_subcommand_from console" -s p -l profile -x -a '(__credsh_profiles)' -d 'profile to sign in as'
complete -c credsh -n "__fish_seen_subcommand_from console" -l print -d 'print the sign-in URL only'
complete -c credsh -n "__fish_seen_subcommand_from console" -l destination -x -d 'the console page to open'
complete -c credsh -n "__fish_seen_subcommand_from console" -l duration -x -d 'session length in seconds'
complete -c credsh -n "__fish_seen_subcommand_from serve" -s p -l profile -x -a '(__credsh_profiles)' -d 'profile to serve'
complete -c credsh -n "__fish_seen_subcommand_from serve" -l profile-location -r -F -d 'credentials file'
complete -c credsh -n "__fish_seen_subcommand_from exec; and __credsh_exec_command" -x -a '(__credsh_complete_command)'

complete -c credsh -n "__fish_seen_subcommand_from use login logout pin remove store; and __credsh_needs_arg" -x -a '(__credsh_profiles)'
# The value of -p/--profile, also when it starts with '-' (fish completes such a word only as an argument).
function __credsh_after_profile_option
    set -l words (commandline -opc)
    contains -- "$words[-1]" -p --profile
end
complete -c credsh -n "__fish_seen_subcommand_from console credential-process exec serve use login logout pin; and __credsh_after_profile_option" -x -a '(__credsh_profiles)'
complete -c credsh -n "__fish_seen_subcommand_from use login logout pin remove store" -l profile -x -a '(__credsh_profiles)' -d profile
complete -c credsh -n "__fish_seen_subcommand_from login logout" -l sso-session -x -d 'an [sso-session] instead of a profile'
complete -c credsh -n "__fish_seen_subcommand_from logout" -l all -d 'every SSO sign-in, token and SSO credential'
complete -c credsh -n "__fish_seen_subcommand_from login" -l no-browser -d 'open no browser: sign in with a device code'
complete -c credsh -n "__fish_seen_subcommand_from login" -l use-device-code -d 'a device code even where a browser could open'
complete -c credsh -n "__fish_seen_subcommand_from remove" -l yes -d 'do not ask'
complete -c credsh -n "__fish_seen_subcommand_from store" -l stdin -d 'read the two keys from stdin'
complete -c credsh -n "__fish_seen_subcommand_from store" -l mfa-serial -x -d 'MFA device ARN'
complete -c credsh -n "__fish_seen_subcommand_from store" -l migrate -d 'move the keys out of ~/.aws/credentials'
complete -c credsh -n "__fish_seen_subcommand_from use" -l clear -d 'drop the session profile'
complete -c credsh -n "__fish_seen_subcommand_from pin" -l region -x -d 'also set AWS_REGION'
complete -c credsh -n "__fish_seen_subcommand_from pin" -l ask-profile -x -a '(__credsh_profiles)' -d 'ASK CLI profile'
complete -c credsh -n "__fish_seen_subcommand_from pin" -l dir -x -a '(__fish_complete_directories)' -d 'where to write .credprofile'

complete -c credsh -n "__fish_seen_subcommand_from plugins" -l names -d 'only the names of usable plugins'
complete -c credsh -n "__fish_seen_subcommand_from profiles" -l json -d 'one JSON array'
complete -c credsh -n "__fish_seen_subcommand_from prompt" -s f -l format -x -d 'prompt format'
complete -c credsh -n "__fish_seen_subcommand_from sso; and __credsh_needs_arg" -x -a accounts -d 'list accounts and roles'
complete -c credsh -n "__fish_seen_subcommand_from sso" -l session -x -d 'the [sso-session] to list for'
complete -c credsh -n "__fish_seen_subcommand_from sso" -l write -d 'add profiles for new roles'
complete -c credsh -n "__fish_seen_subcommand_from sso" -l region -x -d 'region of the new profiles'
complete -c credsh -n "__fish_seen_subcommand_from sso" -l name -x -d 'profile name format'
complete -c credsh -n "__fish_seen_subcommand_from status" -l explain -d 'the whole scope table'
complete -c credsh -n "__fish_seen_subcommand_from status" -l json -d 'machine-readable'
