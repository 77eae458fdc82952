
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'tmrepl' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'tmrepl'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'tmrepl' {
            [CompletionResult]::new('--snapshot-memory', '--snapshot-memory', [CompletionResultType]::ParameterName, 'Memory all snapshots together may use before old ones are thinned out: bytes with a unit (512M, 4G) or a share of RAM (50%) [default: 50%]')
            [CompletionResult]::new('--notify', '--notify', [CompletionResultType]::ParameterName, 'Where job-finished notices go [default: desktop]')
            [CompletionResult]::new('--notify-after', '--notify-after', [CompletionResultType]::ParameterName, 'Jobs that finish sooner than this many seconds end without a notification [default: 5]')
            [CompletionResult]::new('--snapshot-count', '--snapshot-count', [CompletionResultType]::ParameterName, 'How many snapshots stay in memory: every one of the last 32 cells, older ones ever sparser; `:past` to a thinned cell rebuilds it by replaying cells (0: no limit) [default: 48]')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'How many `&` jobs run at once; later ones wait, queued [default: 4]')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Folder for saved sessions and built dependencies [default: $XDG_DATA_HOME/tmrepl]')
            [CompletionResult]::new('--session', '--session', [CompletionResultType]::ParameterName, 'Start or continue the saved session NAME: every cell is written to its archive')
            [CompletionResult]::new('--resume', '--resume', [CompletionResultType]::ParameterName, 'Reopen the saved session NAME (default: the most recently used one)')
            [CompletionResult]::new('--cell', '--cell', [CompletionResultType]::ParameterName, 'With --session or --resume: rebuild the state after this cell instead of the last')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: $XDG_CONFIG_HOME/tmrepl/config.toml]')
            [CompletionResult]::new('--plain', '--plain', [CompletionResultType]::ParameterName, 'Line mode (rustyline) instead of the full-screen interface; implied when stdin is not a terminal')
            [CompletionResult]::new('--explain-past', '--explain-past', [CompletionResultType]::ParameterName, 'Before `:past N` rewinds, show what it changes with the values now and then (as Ctrl-T does in the full-screen interface)')
            [CompletionResult]::new('--no-replay', '--no-replay', [CompletionResultType]::ParameterName, 'With --resume: bring back only the values on disk, without replaying the cells that made the others')
            [CompletionResult]::new('--replay-effects', '--replay-effects', [CompletionResultType]::ParameterName, 'With --resume: also replay cells that act outside the session (files, network, processes, stdin, the clock, randomness) to rebuild values')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Print the effective configuration and where each value comes from')
            [CompletionResult]::new('sessions', 'sessions', [CompletionResultType]::ParameterValue, 'List saved sessions (cells, size on disk, last use); check, export or import one')
            [CompletionResult]::new('kernel', 'kernel', [CompletionResultType]::ParameterValue, 'Serve a Jupyter kernel (what the kernelspec runs), or install or remove the kernelspec')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'tmrepl;config' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'tmrepl;sessions' {
            [CompletionResult]::new('--check', '--check', [CompletionResultType]::ParameterName, 'Check every manifest and object of saved session NAME: list damaged manifests and the objects they pin (exits 1 if any)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write saved session NAME to FILE: one portable file with its manifests and values, each with its BLAKE3 hash (no lock, staging or absolute paths)')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Unpack an exported FILE as a saved session, checking every hash first; a damaged or truncated file is refused and nothing is written. Importing runs no code; resuming the session runs its cells'' code, as resuming always does')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'tmrepl;sessions;export' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'tmrepl;sessions;import' {
            [CompletionResult]::new('--replace', '--replace', [CompletionResultType]::ParameterName, 'Replace the saved session NAME if there is one')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'tmrepl;sessions;help' {
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write saved session NAME to FILE: one portable file with its manifests and values, each with its BLAKE3 hash (no lock, staging or absolute paths)')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Unpack an exported FILE as a saved session, checking every hash first; a damaged or truncated file is refused and nothing is written. Importing runs no code; resuming the session runs its cells'' code, as resuming always does')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'tmrepl;sessions;help;export' {
            break
        }
        'tmrepl;sessions;help;import' {
            break
        }
        'tmrepl;sessions;help;help' {
            break
        }
        'tmrepl;kernel' {
            [CompletionResult]::new('--connection-file', '--connection-file', [CompletionResultType]::ParameterName, 'The connection file Jupyter wrote for this kernel')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('install', 'install', [CompletionResultType]::ParameterValue, 'Write the kernelspec "Rust (tmrepl)" where Jupyter finds it [default: --user]; with --session NAME before `kernel`, its notebooks use that saved session')
            [CompletionResult]::new('uninstall', 'uninstall', [CompletionResultType]::ParameterValue, 'Remove the kernelspec [default: the one Jupyter would find first]')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'tmrepl;kernel;install' {
            [CompletionResult]::new('--prefix', '--prefix', [CompletionResultType]::ParameterName, 'DIR/share/jupyter')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'The user''s folder: $JUPYTER_DATA_DIR, else $XDG_DATA_HOME/jupyter')
            [CompletionResult]::new('--sys-prefix', '--sys-prefix', [CompletionResultType]::ParameterName, 'The active Python environment ($VIRTUAL_ENV or $CONDA_PREFIX)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'tmrepl;kernel;uninstall' {
            [CompletionResult]::new('--prefix', '--prefix', [CompletionResultType]::ParameterName, 'DIR/share/jupyter')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'The user''s folder: $JUPYTER_DATA_DIR, else $XDG_DATA_HOME/jupyter')
            [CompletionResult]::new('--sys-prefix', '--sys-prefix', [CompletionResultType]::ParameterName, 'The active Python environment ($VIRTUAL_ENV or $CONDA_PREFIX)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'tmrepl;kernel;help' {
            [CompletionResult]::new('install', 'install', [CompletionResultType]::ParameterValue, 'Write the kernelspec "Rust (tmrepl)" where Jupyter finds it [default: --user]; with --session NAME before `kernel`, its notebooks use that saved session')
            [CompletionResult]::new('uninstall', 'uninstall', [CompletionResultType]::ParameterValue, 'Remove the kernelspec [default: the one Jupyter would find first]')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'tmrepl;kernel;help;install' {
            break
        }
        'tmrepl;kernel;help;uninstall' {
            break
        }
        'tmrepl;kernel;help;help' {
            break
        }
        'tmrepl;help' {
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Print the effective configuration and where each value comes from')
            [CompletionResult]::new('sessions', 'sessions', [CompletionResultType]::ParameterValue, 'List saved sessions (cells, size on disk, last use); check, export or import one')
            [CompletionResult]::new('kernel', 'kernel', [CompletionResultType]::ParameterValue, 'Serve a Jupyter kernel (what the kernelspec runs), or install or remove the kernelspec')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'tmrepl;help;config' {
            break
        }
        'tmrepl;help;sessions' {
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write saved session NAME to FILE: one portable file with its manifests and values, each with its BLAKE3 hash (no lock, staging or absolute paths)')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Unpack an exported FILE as a saved session, checking every hash first; a damaged or truncated file is refused and nothing is written. Importing runs no code; resuming the session runs its cells'' code, as resuming always does')
            break
        }
        'tmrepl;help;sessions;export' {
            break
        }
        'tmrepl;help;sessions;import' {
            break
        }
        'tmrepl;help;kernel' {
            [CompletionResult]::new('install', 'install', [CompletionResultType]::ParameterValue, 'Write the kernelspec "Rust (tmrepl)" where Jupyter finds it [default: --user]; with --session NAME before `kernel`, its notebooks use that saved session')
            [CompletionResult]::new('uninstall', 'uninstall', [CompletionResultType]::ParameterValue, 'Remove the kernelspec [default: the one Jupyter would find first]')
            break
        }
        'tmrepl;help;kernel;install' {
            break
        }
        'tmrepl;help;kernel;uninstall' {
            break
        }
        'tmrepl;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
