
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
            [CompletionResult]::new('--snapshot-memory', '--snapshot-memory', [CompletionResultType]::ParameterName, 'Memory all snapshots together may use before old ones are thinned out: bytes with a unit (512M, 4G) or a share of RAM (50%)')
            [CompletionResult]::new('--notify', '--notify', [CompletionResultType]::ParameterName, 'Where job-finished notices go')
            [CompletionResult]::new('--notify-after', '--notify-after', [CompletionResultType]::ParameterName, 'Jobs that finish sooner than this many seconds end without a notification')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'How many `&` jobs run at once; later ones wait, queued')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Folder for history and sessions (default: $XDG_DATA_HOME/tmrepl)')
            [CompletionResult]::new('--plain', '--plain', [CompletionResultType]::ParameterName, 'Line mode (rustyline) instead of the full-screen interface; implied when stdin is not a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
