//! No secret is ever an argument: every argument of every command that takes a value is walked, and one whose
//! name, long option or environment variable speaks of a secret, a token, a password or a key fails the test, unless it takes a path (a file
//! holding the secret) or is the one warned exception: the token `verify` and `decode` accept (they print a
//! warning that argv is visible to other local users, and read standard input without it).

fn walk(command: &clap::Command, path: &str, found: &mut Vec<String>) {
    for arg in command.get_arguments() {
        let takes_value = arg.get_action().takes_values();
        if !takes_value {
            continue;
        }
        let words = format!(
            "{} {} {}",
            arg.get_id(),
            arg.get_long().unwrap_or_default(),
            arg.get_env()
                .map(|e| e.to_string_lossy())
                .unwrap_or_default()
        )
        .to_lowercase();
        let sensitive = ["secret", "token", "password", "key", "credential"]
            .iter()
            .any(|w| words.contains(w));
        let is_path = arg.get_value_hint() == clap::ValueHint::FilePath
            || arg
                .get_value_names()
                .is_some_and(|names| names.iter().any(|n| n.as_str() == "PATH"));
        let warned_token = arg.is_positional()
            && arg.get_id() == "token"
            && (path.ends_with(" verify") || path.ends_with(" decode"));
        if sensitive && !is_path && !warned_token {
            found.push(format!("{path} {}", arg.get_id()));
        }
    }
    for sub in command.get_subcommands() {
        walk(sub, &format!("{path} {}", sub.get_name()), found);
    }
}

#[test]
fn no_argument_can_take_a_secret() {
    let mut found = Vec::new();
    walk(&stytch_m2m_cli::command(), "stytch-m2m", &mut found);
    assert!(
        found.is_empty(),
        "arguments that could take a secret: {found:?}"
    );
}

#[test]
fn the_walk_finds_a_secret_argument() {
    // The check itself can fail: an option named like a secret that takes a value is found.
    let bad = clap::Command::new("x").subcommand(
        clap::Command::new("token").arg(
            clap::Arg::new("client_secret")
                .long("client-secret")
                .help("The client secret"),
        ),
    );
    let mut found = Vec::new();
    walk(&bad, "x", &mut found);
    assert_eq!(found, ["x token client_secret"]);
}

#[test]
fn the_token_of_verify_is_warned_about() {
    let command = stytch_m2m_cli::command();
    let verify = command.find_subcommand("verify").unwrap();
    let token = verify
        .get_arguments()
        .find(|a| a.get_id() == "token")
        .unwrap();
    assert!(token.is_positional());
}
