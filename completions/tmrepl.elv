
use builtin;
use str;

set edit:completion:arg-completer[tmrepl] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'tmrepl'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'tmrepl'= {
            cand --snapshot-memory 'Memory all snapshots together may use before old ones are thinned out: bytes with a unit (512M, 4G) or a share of RAM (50%) [default: 50%]'
            cand --notify 'Where job-finished notices go [default: desktop]'
            cand --notify-after 'Jobs that finish sooner than this many seconds end without a notification [default: 5]'
            cand --snapshot-count 'How many snapshots stay in memory: every one of the last 32 cells, older ones ever sparser; `:past` to a thinned cell rebuilds it by replaying cells (0: no limit) [default: 48]'
            cand --jobs 'How many `&` jobs run at once; later ones wait, queued [default: 4]'
            cand --data-dir 'Folder for saved sessions and built dependencies [default: $XDG_DATA_HOME/tmrepl]'
            cand --session 'Start or continue the saved session NAME: every cell is written to its archive'
            cand --resume 'Reopen the saved session NAME (default: the most recently used one)'
            cand --cell 'With --session or --resume: rebuild the state after this cell instead of the last'
            cand --config 'Configuration file [default: $XDG_CONFIG_HOME/tmrepl/config.toml]'
            cand --plain 'Line mode (rustyline) instead of the full-screen interface; implied when stdin is not a terminal'
            cand --explain-past 'Before `:past N` rewinds, show what it changes with the values now and then (as Ctrl-T does in the full-screen interface)'
            cand --no-replay 'With --resume: bring back only the values on disk, without replaying the cells that made the others'
            cand --replay-effects 'With --resume: also replay cells that act outside the session (files, network, processes, stdin, the clock, randomness) to rebuild values'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand config 'Print the effective configuration and where each value comes from'
            cand sessions 'List saved sessions (cells, size on disk, last use); check, export or import one'
            cand kernel 'Serve a Jupyter kernel (what the kernelspec runs), or install or remove the kernelspec'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'tmrepl;config'= {
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'tmrepl;sessions'= {
            cand --check 'Check every manifest and object of saved session NAME: list damaged manifests and the objects they pin (exits 1 if any)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand export 'Write saved session NAME to FILE: one portable file with its manifests and values, each with its BLAKE3 hash (no lock, staging or absolute paths)'
            cand import 'Unpack an exported FILE as a saved session, checking every hash first; a damaged or truncated file is refused and nothing is written. Importing runs no code; resuming the session runs its cells'' code, as resuming always does'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'tmrepl;sessions;export'= {
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'tmrepl;sessions;import'= {
            cand --replace 'Replace the saved session NAME if there is one'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'tmrepl;sessions;help'= {
            cand export 'Write saved session NAME to FILE: one portable file with its manifests and values, each with its BLAKE3 hash (no lock, staging or absolute paths)'
            cand import 'Unpack an exported FILE as a saved session, checking every hash first; a damaged or truncated file is refused and nothing is written. Importing runs no code; resuming the session runs its cells'' code, as resuming always does'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'tmrepl;sessions;help;export'= {
        }
        &'tmrepl;sessions;help;import'= {
        }
        &'tmrepl;sessions;help;help'= {
        }
        &'tmrepl;kernel'= {
            cand --connection-file 'The connection file Jupyter wrote for this kernel'
            cand -h 'Print help'
            cand --help 'Print help'
            cand install 'Write the kernelspec "Rust (tmrepl)" where Jupyter finds it [default: --user]; with --session NAME before `kernel`, its notebooks use that saved session'
            cand uninstall 'Remove the kernelspec [default: the one Jupyter would find first]'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'tmrepl;kernel;install'= {
            cand --prefix 'DIR/share/jupyter'
            cand --user 'The user''s folder: $JUPYTER_DATA_DIR, else $XDG_DATA_HOME/jupyter'
            cand --sys-prefix 'The active Python environment ($VIRTUAL_ENV or $CONDA_PREFIX)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'tmrepl;kernel;uninstall'= {
            cand --prefix 'DIR/share/jupyter'
            cand --user 'The user''s folder: $JUPYTER_DATA_DIR, else $XDG_DATA_HOME/jupyter'
            cand --sys-prefix 'The active Python environment ($VIRTUAL_ENV or $CONDA_PREFIX)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'tmrepl;kernel;help'= {
            cand install 'Write the kernelspec "Rust (tmrepl)" where Jupyter finds it [default: --user]; with --session NAME before `kernel`, its notebooks use that saved session'
            cand uninstall 'Remove the kernelspec [default: the one Jupyter would find first]'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'tmrepl;kernel;help;install'= {
        }
        &'tmrepl;kernel;help;uninstall'= {
        }
        &'tmrepl;kernel;help;help'= {
        }
        &'tmrepl;help'= {
            cand config 'Print the effective configuration and where each value comes from'
            cand sessions 'List saved sessions (cells, size on disk, last use); check, export or import one'
            cand kernel 'Serve a Jupyter kernel (what the kernelspec runs), or install or remove the kernelspec'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'tmrepl;help;config'= {
        }
        &'tmrepl;help;sessions'= {
            cand export 'Write saved session NAME to FILE: one portable file with its manifests and values, each with its BLAKE3 hash (no lock, staging or absolute paths)'
            cand import 'Unpack an exported FILE as a saved session, checking every hash first; a damaged or truncated file is refused and nothing is written. Importing runs no code; resuming the session runs its cells'' code, as resuming always does'
        }
        &'tmrepl;help;sessions;export'= {
        }
        &'tmrepl;help;sessions;import'= {
        }
        &'tmrepl;help;kernel'= {
            cand install 'Write the kernelspec "Rust (tmrepl)" where Jupyter finds it [default: --user]; with --session NAME before `kernel`, its notebooks use that saved session'
            cand uninstall 'Remove the kernelspec [default: the one Jupyter would find first]'
        }
        &'tmrepl;help;kernel;install'= {
        }
        &'tmrepl;help;kernel;uninstall'= {
        }
        &'tmrepl;help;help'= {
        }
    ]
    $completions[$command]
}
