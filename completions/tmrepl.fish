# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_tmrepl_global_optspecs
    string join \n plain snapshot-memory= notify= notify-after= snapshot-count= jobs= explain-past data-dir= session= resume= cell= no-replay replay-effects config= h/help V/version
end

function __fish_tmrepl_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_tmrepl_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_tmrepl_using_subcommand
    set -l cmd (__fish_tmrepl_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c tmrepl -n "__fish_tmrepl_needs_command" -l snapshot-memory -d 'Memory all snapshots together may use before old ones are thinned out: bytes with a unit (512M, 4G) or a share of RAM (50%) [default: 50%]' -r
complete -c tmrepl -n "__fish_tmrepl_needs_command" -l notify -d 'Where job-finished notices go [default: desktop]' -r -f -a "desktop\t''
terminal\t''
off\t''"
complete -c tmrepl -n "__fish_tmrepl_needs_command" -l notify-after -d 'Jobs that finish sooner than this many seconds end without a notification [default: 5]' -r
complete -c tmrepl -n "__fish_tmrepl_needs_command" -l snapshot-count -d 'How many snapshots stay in memory: every one of the last 32 cells, older ones ever sparser; `:past` to a thinned cell rebuilds it by replaying cells (0: no limit) [default: 48]' -r
complete -c tmrepl -n "__fish_tmrepl_needs_command" -l jobs -d 'How many `&` jobs run at once; later ones wait, queued [default: 4]' -r
complete -c tmrepl -n "__fish_tmrepl_needs_command" -l data-dir -d 'Folder for saved sessions and built dependencies [default: $XDG_DATA_HOME/tmrepl]' -r -f -a "(__fish_complete_directories)"
complete -c tmrepl -n "__fish_tmrepl_needs_command" -l session -d 'Start or continue the saved session NAME: every cell is written to its archive' -r
complete -c tmrepl -n "__fish_tmrepl_needs_command" -l resume -d 'Reopen the saved session NAME (default: the most recently used one)' -r
complete -c tmrepl -n "__fish_tmrepl_needs_command" -l cell -d 'With --session or --resume: rebuild the state after this cell instead of the last' -r
complete -c tmrepl -n "__fish_tmrepl_needs_command" -l config -d 'Configuration file [default: $XDG_CONFIG_HOME/tmrepl/config.toml]' -r -F
complete -c tmrepl -n "__fish_tmrepl_needs_command" -l plain -d 'Line mode (rustyline) instead of the full-screen interface; implied when stdin is not a terminal'
complete -c tmrepl -n "__fish_tmrepl_needs_command" -l explain-past -d 'Before `:past N` rewinds, show what it changes with the values now and then (as Ctrl-T does in the full-screen interface)'
complete -c tmrepl -n "__fish_tmrepl_needs_command" -l no-replay -d 'With --resume: bring back only the values on disk, without replaying the cells that made the others'
complete -c tmrepl -n "__fish_tmrepl_needs_command" -l replay-effects -d 'With --resume: also replay cells that act outside the session (files, network, processes, stdin, the clock, randomness) to rebuild values'
complete -c tmrepl -n "__fish_tmrepl_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tmrepl -n "__fish_tmrepl_needs_command" -s V -l version -d 'Print version'
complete -c tmrepl -n "__fish_tmrepl_needs_command" -f -a "config" -d 'Print the effective configuration and where each value comes from'
complete -c tmrepl -n "__fish_tmrepl_needs_command" -f -a "sessions" -d 'List saved sessions (cells, size on disk, last use); check, export or import one'
complete -c tmrepl -n "__fish_tmrepl_needs_command" -f -a "kernel" -d 'Serve a Jupyter kernel (what the kernelspec runs), or install or remove the kernelspec'
complete -c tmrepl -n "__fish_tmrepl_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tmrepl -n "__fish_tmrepl_using_subcommand config" -s h -l help -d 'Print help'
complete -c tmrepl -n "__fish_tmrepl_using_subcommand sessions; and not __fish_seen_subcommand_from export import help" -l check -d 'Check every manifest and object of saved session NAME: list damaged manifests and the objects they pin (exits 1 if any)' -r
complete -c tmrepl -n "__fish_tmrepl_using_subcommand sessions; and not __fish_seen_subcommand_from export import help" -s h -l help -d 'Print help'
complete -c tmrepl -n "__fish_tmrepl_using_subcommand sessions; and not __fish_seen_subcommand_from export import help" -f -a "export" -d 'Write saved session NAME to FILE: one portable file with its manifests and values, each with its BLAKE3 hash (no lock, staging or absolute paths)'
complete -c tmrepl -n "__fish_tmrepl_using_subcommand sessions; and not __fish_seen_subcommand_from export import help" -f -a "import" -d 'Unpack an exported FILE as a saved session, checking every hash first; a damaged or truncated file is refused and nothing is written. Importing runs no code; resuming the session runs its cells\' code, as resuming always does'
complete -c tmrepl -n "__fish_tmrepl_using_subcommand sessions; and not __fish_seen_subcommand_from export import help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tmrepl -n "__fish_tmrepl_using_subcommand sessions; and __fish_seen_subcommand_from export" -s h -l help -d 'Print help'
complete -c tmrepl -n "__fish_tmrepl_using_subcommand sessions; and __fish_seen_subcommand_from import" -l replace -d 'Replace the saved session NAME if there is one'
complete -c tmrepl -n "__fish_tmrepl_using_subcommand sessions; and __fish_seen_subcommand_from import" -s h -l help -d 'Print help'
complete -c tmrepl -n "__fish_tmrepl_using_subcommand sessions; and __fish_seen_subcommand_from help" -f -a "export" -d 'Write saved session NAME to FILE: one portable file with its manifests and values, each with its BLAKE3 hash (no lock, staging or absolute paths)'
complete -c tmrepl -n "__fish_tmrepl_using_subcommand sessions; and __fish_seen_subcommand_from help" -f -a "import" -d 'Unpack an exported FILE as a saved session, checking every hash first; a damaged or truncated file is refused and nothing is written. Importing runs no code; resuming the session runs its cells\' code, as resuming always does'
complete -c tmrepl -n "__fish_tmrepl_using_subcommand sessions; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tmrepl -n "__fish_tmrepl_using_subcommand kernel; and not __fish_seen_subcommand_from install uninstall help" -l connection-file -d 'The connection file Jupyter wrote for this kernel' -r -F
complete -c tmrepl -n "__fish_tmrepl_using_subcommand kernel; and not __fish_seen_subcommand_from install uninstall help" -s h -l help -d 'Print help'
complete -c tmrepl -n "__fish_tmrepl_using_subcommand kernel; and not __fish_seen_subcommand_from install uninstall help" -f -a "install" -d 'Write the kernelspec "Rust (tmrepl)" where Jupyter finds it [default: --user]; with --session NAME before `kernel`, its notebooks use that saved session'
complete -c tmrepl -n "__fish_tmrepl_using_subcommand kernel; and not __fish_seen_subcommand_from install uninstall help" -f -a "uninstall" -d 'Remove the kernelspec [default: the one Jupyter would find first]'
complete -c tmrepl -n "__fish_tmrepl_using_subcommand kernel; and not __fish_seen_subcommand_from install uninstall help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tmrepl -n "__fish_tmrepl_using_subcommand kernel; and __fish_seen_subcommand_from install" -l prefix -d 'DIR/share/jupyter' -r -f -a "(__fish_complete_directories)"
complete -c tmrepl -n "__fish_tmrepl_using_subcommand kernel; and __fish_seen_subcommand_from install" -l user -d 'The user\'s folder: $JUPYTER_DATA_DIR, else $XDG_DATA_HOME/jupyter'
complete -c tmrepl -n "__fish_tmrepl_using_subcommand kernel; and __fish_seen_subcommand_from install" -l sys-prefix -d 'The active Python environment ($VIRTUAL_ENV or $CONDA_PREFIX)'
complete -c tmrepl -n "__fish_tmrepl_using_subcommand kernel; and __fish_seen_subcommand_from install" -s h -l help -d 'Print help'
complete -c tmrepl -n "__fish_tmrepl_using_subcommand kernel; and __fish_seen_subcommand_from uninstall" -l prefix -d 'DIR/share/jupyter' -r -f -a "(__fish_complete_directories)"
complete -c tmrepl -n "__fish_tmrepl_using_subcommand kernel; and __fish_seen_subcommand_from uninstall" -l user -d 'The user\'s folder: $JUPYTER_DATA_DIR, else $XDG_DATA_HOME/jupyter'
complete -c tmrepl -n "__fish_tmrepl_using_subcommand kernel; and __fish_seen_subcommand_from uninstall" -l sys-prefix -d 'The active Python environment ($VIRTUAL_ENV or $CONDA_PREFIX)'
complete -c tmrepl -n "__fish_tmrepl_using_subcommand kernel; and __fish_seen_subcommand_from uninstall" -s h -l help -d 'Print help'
complete -c tmrepl -n "__fish_tmrepl_using_subcommand kernel; and __fish_seen_subcommand_from help" -f -a "install" -d 'Write the kernelspec "Rust (tmrepl)" where Jupyter finds it [default: --user]; with --session NAME before `kernel`, its notebooks use that saved session'
complete -c tmrepl -n "__fish_tmrepl_using_subcommand kernel; and __fish_seen_subcommand_from help" -f -a "uninstall" -d 'Remove the kernelspec [default: the one Jupyter would find first]'
complete -c tmrepl -n "__fish_tmrepl_using_subcommand kernel; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tmrepl -n "__fish_tmrepl_using_subcommand help; and not __fish_seen_subcommand_from config sessions kernel help" -f -a "config" -d 'Print the effective configuration and where each value comes from'
complete -c tmrepl -n "__fish_tmrepl_using_subcommand help; and not __fish_seen_subcommand_from config sessions kernel help" -f -a "sessions" -d 'List saved sessions (cells, size on disk, last use); check, export or import one'
complete -c tmrepl -n "__fish_tmrepl_using_subcommand help; and not __fish_seen_subcommand_from config sessions kernel help" -f -a "kernel" -d 'Serve a Jupyter kernel (what the kernelspec runs), or install or remove the kernelspec'
complete -c tmrepl -n "__fish_tmrepl_using_subcommand help; and not __fish_seen_subcommand_from config sessions kernel help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tmrepl -n "__fish_tmrepl_using_subcommand help; and __fish_seen_subcommand_from sessions" -f -a "export" -d 'Write saved session NAME to FILE: one portable file with its manifests and values, each with its BLAKE3 hash (no lock, staging or absolute paths)'
complete -c tmrepl -n "__fish_tmrepl_using_subcommand help; and __fish_seen_subcommand_from sessions" -f -a "import" -d 'Unpack an exported FILE as a saved session, checking every hash first; a damaged or truncated file is refused and nothing is written. Importing runs no code; resuming the session runs its cells\' code, as resuming always does'
complete -c tmrepl -n "__fish_tmrepl_using_subcommand help; and __fish_seen_subcommand_from kernel" -f -a "install" -d 'Write the kernelspec "Rust (tmrepl)" where Jupyter finds it [default: --user]; with --session NAME before `kernel`, its notebooks use that saved session'
complete -c tmrepl -n "__fish_tmrepl_using_subcommand help; and __fish_seen_subcommand_from kernel" -f -a "uninstall" -d 'Remove the kernelspec [default: the one Jupyter would find first]'
