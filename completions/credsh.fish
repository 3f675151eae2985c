# fish completion for credsh -- installed by `make install`, or: credsh completion fish | source
function __credsh_profiles
    if set -q __credsh_bin
        $__credsh_bin profiles 2>/dev/null
    else
        command credsh profiles 2>/dev/null
    end
end

set -l cmds allow completion deny exec export hook login pin profiles prompt status use
complete -c credsh -f
complete -c credsh -n "not __fish_seen_subcommand_from $cmds" -a allow -d 'trust the nearest .credprofile'
complete -c credsh -n "not __fish_seen_subcommand_from $cmds" -a completion -d 'print a completion script'
complete -c credsh -n "not __fish_seen_subcommand_from $cmds" -a deny -d 'never use the nearest .credprofile'
complete -c credsh -n "not __fish_seen_subcommand_from $cmds" -a exec -d 'run one command with a profile'
complete -c credsh -n "not __fish_seen_subcommand_from $cmds" -a export -d 'print shell code (hook)'
complete -c credsh -n "not __fish_seen_subcommand_from $cmds" -a hook -d 'print the hook for a shell'
complete -c credsh -n "not __fish_seen_subcommand_from $cmds" -a login -d 'sign in for a profile'
complete -c credsh -n "not __fish_seen_subcommand_from $cmds" -a pin -d 'write and trust ./.credprofile'
complete -c credsh -n "not __fish_seen_subcommand_from $cmds" -a profiles -d 'list profiles'
complete -c credsh -n "not __fish_seen_subcommand_from $cmds" -a prompt -d 'print the prompt segment'
complete -c credsh -n "not __fish_seen_subcommand_from $cmds" -a status -d 'show the active profile and why'
complete -c credsh -n "not __fish_seen_subcommand_from $cmds" -a use -d "set this shell's session profile"
complete -c credsh -n "__fish_seen_subcommand_from use login pin" -a '(__credsh_profiles)'
complete -c credsh -n "__fish_seen_subcommand_from use" -l clear -d 'drop the session profile'
complete -c credsh -n "__fish_seen_subcommand_from exec" -s p -l profile -x -a '(__credsh_profiles)' -d profile
complete -c credsh -n "__fish_seen_subcommand_from exec" -l profile-location -r -d 'credentials file'
complete -c credsh -n "__fish_seen_subcommand_from exec" -l mode -x -a 'auto keys profile'
complete -c credsh -n "__fish_seen_subcommand_from pin" -l region -x -d region
complete -c credsh -n "__fish_seen_subcommand_from pin" -l ask-profile -x -a '(__credsh_profiles)'
complete -c credsh -n "__fish_seen_subcommand_from hook export completion" -a 'bash zsh fish pwsh'
complete -c credsh -n "__fish_seen_subcommand_from status" -l explain -d 'scope table'
complete -c credsh -n "__fish_seen_subcommand_from status profiles" -l json -d 'JSON output'
complete -c credsh -n "__fish_seen_subcommand_from allow deny" -F
