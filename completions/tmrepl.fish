complete -c tmrepl -l snapshot-memory -d 'Memory all snapshots together may use before old ones are thinned out: bytes with a unit (512M, 4G) or a share of RAM (50%)' -r
complete -c tmrepl -l notify -d 'Where job-finished notices go' -r -f -a "desktop\t''
terminal\t''
off\t''"
complete -c tmrepl -l notify-after -d 'Jobs that finish sooner than this many seconds end without a notification' -r
complete -c tmrepl -l jobs -d 'How many `&` jobs run at once; later ones wait, queued' -r
complete -c tmrepl -l data-dir -d 'Folder for history and sessions (default: $XDG_DATA_HOME/tmrepl)' -r -f -a "(__fish_complete_directories)"
complete -c tmrepl -l plain -d 'Line mode (rustyline) instead of the full-screen interface; implied when stdin is not a terminal'
complete -c tmrepl -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tmrepl -s V -l version -d 'Print version'
