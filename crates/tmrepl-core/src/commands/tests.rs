use super::*;

#[test]
fn time_machine_commands() {
    assert_eq!(parse(":past 7"), Ok(Command::Past(7)));
    assert_eq!(parse("  :past   12  "), Ok(Command::Past(12)));
    assert_eq!(
        parse(":vars"),
        Ok(Command::Vars {
            at: None,
            name: None
        })
    );
    assert_eq!(
        parse(":vars 3"),
        Ok(Command::Vars {
            at: Some(3),
            name: None
        })
    );
    assert_eq!(
        parse(":vars 3 v"),
        Ok(Command::Vars {
            at: Some(3),
            name: Some("v".into())
        })
    );
    assert_eq!(
        parse(":vars big"),
        Ok(Command::Vars {
            at: None,
            name: Some("big".into())
        })
    );
    assert!(parse(":vars 3 v w").is_err());
    assert!(parse(":vars v 3").is_err());
    assert!(parse(":vars 3 4").is_err());
    assert_eq!(parse(":snapshots off"), Ok(Command::Snapshots(false)));
    assert_eq!(parse(":saving off"), Ok(Command::Snapshots(false)));
    assert_eq!(parse(":dontsave big"), Ok(Command::DontSave("big".into())));
    assert_eq!(parse(":clear_past"), Ok(Command::ClearPast(None)));
    assert_eq!(
        parse(":clear_past 2..5"),
        Ok(Command::ClearPast(Some((2, 5))))
    );
    assert_eq!(parse(":clear_past 4"), Ok(Command::ClearPast(Some((4, 4)))));
    assert_eq!(
        parse(":clear_past ..3"),
        Ok(Command::ClearPast(Some((1, 3))))
    );
    assert_eq!(parse(":history"), Ok(Command::Cells));
    assert_eq!(
        parse(":save lab"),
        Ok(Command::Save {
            name: Some("lab".into()),
            replace: false
        })
    );
    assert_eq!(
        parse(":save! lab"),
        Ok(Command::Save {
            name: Some("lab".into()),
            replace: true
        })
    );
    assert!(parse(":save! a b").is_err());
}

#[test]
fn bad_arguments_give_one_line_errors() {
    for bad in [
        ":past",
        ":past x",
        ":past -1",
        ":past 0",
        ":vars y z",
        ":vars 2 -x",
        ":snapshots maybe",
        ":dontsave 1abc",
        ":clear_past 5..2",
        ":cells now",
        ":frobnicate",
        ":",
        ":opt 9",
        ":type",
        ":build_env ONLYKEY",
        ":build_env =x",
        ":doc",
        ":allow_static_linking",
        ":allow_static_linking maybe",
        ":cache lots",
        ":last_compile_dir now",
    ] {
        let error = parse(bad).expect_err(bad);
        assert!(!error.0.contains('\n'), "{bad}: {error}");
        assert!(!error.0.is_empty());
    }
    assert_eq!(
        parse(":frobnicate").unwrap_err().0,
        "unknown command :frobnicate; :help lists them"
    );
}

#[test]
fn evcxr_commands_pass_through_typed() {
    assert_eq!(
        parse(":dep regex = \"1\""),
        Ok(Command::Evcxr(EvcxrCommand::Dep {
            spec: "regex = \"1\"".into()
        }))
    );
    assert_eq!(
        parse(":opt 2"),
        Ok(Command::Evcxr(EvcxrCommand::Opt(Some("2".into()))))
    );
    assert_eq!(
        parse(":t x"),
        Ok(Command::Evcxr(EvcxrCommand::Type("x".into())))
    );
    assert_eq!(
        parse(":offline on"),
        Ok(Command::Evcxr(EvcxrCommand::Offline(Some(true))))
    );
    assert_eq!(
        parse(":build_env RUST_LOG debug"),
        Ok(Command::Evcxr(EvcxrCommand::BuildEnv {
            key: "RUST_LOG".into(),
            value: "debug".into()
        }))
    );
}

/// The argument forms evcxr's own commands take parse to the same requests.
#[test]
fn evcxr_argument_forms() {
    let build_env = |key: &str, value: &str| {
        Ok(Command::Evcxr(EvcxrCommand::BuildEnv {
            key: key.into(),
            value: value.into(),
        }))
    };
    assert_eq!(
        parse(":build_env RUST_LOG=debug"),
        build_env("RUST_LOG", "debug")
    );
    assert_eq!(
        parse(":build_env FLAGS=-C a=b"),
        build_env("FLAGS", "-C a=b")
    );
    assert_eq!(
        parse(":build_env FLAGS -C a=b"),
        build_env("FLAGS", "-C a=b")
    );
    assert_eq!(
        parse(":doc std::vec::Vec"),
        Ok(Command::Evcxr(EvcxrCommand::Doc("std::vec::Vec".into())))
    );
    assert_eq!(
        parse(":allow_static_linking 0"),
        Ok(Command::Evcxr(EvcxrCommand::AllowStaticLinking(false)))
    );
    assert_eq!(
        parse(":env RUST_LOG=debug"),
        Ok(Command::Evcxr(EvcxrCommand::Env {
            key: "RUST_LOG".into(),
            value: "debug".into()
        }))
    );
    assert_eq!(
        parse(":load_config --quiet"),
        Ok(Command::Evcxr(EvcxrCommand::LoadConfig { quiet: true }))
    );
    assert!(parse(":load_config now").is_err());
    assert_eq!(
        parse(":allow_static_linking 1"),
        Ok(Command::Evcxr(EvcxrCommand::AllowStaticLinking(true)))
    );
    assert_eq!(
        parse(":offline 1"),
        Ok(Command::Evcxr(EvcxrCommand::Offline(Some(true))))
    );
    assert_eq!(
        parse(":time_passes"),
        Ok(Command::Evcxr(EvcxrCommand::TimePasses(None)))
    );
    assert_eq!(
        parse(":cache 0"),
        Ok(Command::Evcxr(EvcxrCommand::Cache(Some(0))))
    );
    assert_eq!(
        parse(":cache"),
        Ok(Command::Evcxr(EvcxrCommand::Cache(None)))
    );
    assert_eq!(
        parse(":codegen_backend"),
        Ok(Command::Evcxr(EvcxrCommand::CodegenBackend(None)))
    );
}

#[test]
fn unavailable_evcxr_commands_say_why_on_one_line() {
    for (name, _) in UNAVAILABLE {
        assert!(find(name).is_none(), ":{name} is both available and not");
        let error = parse(&format!(":{name} X=1")).unwrap_err().0;
        assert!(
            error.starts_with(&format!(":{name} is not available in tmrepl: ")),
            "{error}"
        );
        assert!(!error.contains('\n'), "{error}");
        assert!(help_text().contains(&format!(":{name}")), ":{name}");
    }
}

#[test]
fn every_command_parses_its_own_example() {
    for command in COMMANDS {
        let parsed = parse(command.example);
        assert!(parsed.is_ok(), "{}: {parsed:?}", command.example);
        let typed = command.example[1..].split_whitespace().next().unwrap();
        assert_eq!(
            typed, command.name,
            "{} is not an example of :{}",
            command.example, command.name
        );
        let shown = command.usage[1..].split_whitespace().next().unwrap();
        assert_eq!(
            shown, command.name,
            "usage {} names another command",
            command.usage
        );
    }
}

#[test]
fn names_and_aliases_are_unique() {
    let mut seen = std::collections::HashSet::new();
    for command in COMMANDS {
        for name in std::iter::once(&command.name).chain(command.aliases) {
            assert!(seen.insert(*name), "{name} names two commands");
        }
    }
}

#[test]
fn aliases_parse_like_their_command() {
    assert_eq!(parse(":h"), Ok(Command::Help));
    assert_eq!(parse(":?"), Ok(Command::Help));
    assert_eq!(parse(":mem"), Ok(Command::Memory));
    assert_eq!(parse(":exit"), Ok(Command::Quit));
    assert_eq!(parse(":q"), Ok(Command::Quit));
    assert_eq!(parse(":h now").unwrap_err().0, ":h takes no arguments");
}

#[test]
fn completion_offers_names_with_their_colon() {
    // The editor's word before the cursor keeps the colon: `:pa` must find `:past`.
    assert_eq!(completions(":pa"), vec![":past".to_owned()]);
    let mut saves = completions(":sav");
    saves.sort();
    assert_eq!(saves, vec![":save", ":save!"]);
    assert!(completions(":").len() == COMMANDS.len());
    assert!(
        completions(":")
            .iter()
            .all(|name| parse(name).is_ok() || find(&name[1..]).is_some())
    );
}

#[test]
fn help_lists_every_command_and_background_jobs() {
    let help = help_text();
    for command in COMMANDS {
        assert!(help.contains(command.usage), "{}", command.usage);
    }
    let background = help.find("&CODE").unwrap();
    assert!(help.find(":memory").unwrap() < background);
    assert!(background < help.find(":jobs").unwrap());
}
