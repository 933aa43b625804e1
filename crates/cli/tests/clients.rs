//! Transcripts of `stytch-m2m clients …` against the emulator in-process (deterministic mode, frozen clock), and
//! every exit code.

mod support;

use snapbox::str;
use support::*;

#[test]
fn help_names_every_command_and_the_exit_codes() {
    let project = Project::frozen();
    let output = project
        .cli(&["--help"])
        .assert()
        .success()
        .get_output()
        .clone();
    let help = stdout(&output);
    for word in [
        "clients",
        "token",
        "verify",
        "decode",
        "apply",
        "completions",
        "Exit codes",
        "STYTCH_SECRET",
    ] {
        assert!(help.contains(word), "{word}: {help}");
    }
    project
        .cli(&["clients", "secrets", "-h"])
        .assert()
        .success()
        .stdout_eq(str![[r#"
Rotate a client's secret: rotate-start, deploy the new secret, then rotate (or rotate-cancel)

Usage: stytch-m2m clients secrets [OPTIONS] <COMMAND>

Commands:
  rotate-start   Start a rotation: prints the next secret once; both secrets work until the rotation completes
  rotate-cancel  Cancel a rotation: the next secret stops working
  rotate         Complete a rotation: the next secret becomes the secret, the old one stops working
  help           Print this message or the help of the given subcommand(s)

Options:
  -o, --output <OUTPUT>      How to print results: `table` for people, `json` for scripts (the default when standard output is not a terminal); `toml` for `clients list` (a file `apply` accepts) [possible values: table, json, toml]
      --project-id <ID>      The project id [env: STYTCH_PROJECT_ID=project-test-[..]]
      --base-url <URL>       The API's base URL (default: Stytch's test or live API, from the project id) [env: STYTCH_BASE_URL=http://127.0.0.1:[..]]
      --secret-file <PATH>   A file holding the project secret, readable by its owner only (`-`: standard input). Without it, STYTCH_SECRET
      --allow-insecure-http  Allow a plain http:// base URL to a host that is not the loopback (a compose network's http://stytch:4010): credentials then cross the network in clear text
  -v, --verbose              Log every request on standard error (method, path, status, attempt, duration, request_id) and retries
  -h, --help                 Print help (see more with '--help')

"#]]);
}

#[test]
fn the_client_lifecycle() {
    let project = Project::frozen();
    // Create: the secret is printed once, with a warning on standard error.
    let created = project
        .cli(&[
            "clients",
            "create",
            "--scope",
            "read:invoices",
            "--name",
            "billing",
            "--client-id",
            "billing",
            "-o",
            "table",
        ])
        .assert()
        .success()
        .stdout_eq(str![[r#"
client_description       
client_id                billing
client_name              billing
client_secret            [..]
client_secret_last_four  [..]
created_at               2027-01-15T08:00:00.000Z
scopes                   read:invoices
status                   active
trusted_metadata         {}

"#]])
        .stderr_eq(str![[r#"
warning: this is the only time the client secret is shown; store it now, it cannot be shown again

"#]])
        .get_output()
        .clone();
    let secret = stdout(&created)
        .lines()
        .find_map(|l| l.strip_prefix("client_secret "))
        .unwrap()
        .trim()
        .to_owned();
    assert!(secret.len() >= 8, "the secret is printed once: {secret:?}");
    // JSON without a terminal: the API's object.
    let got = project
        .cli(&["clients", "get", "billing"])
        .assert()
        .success()
        .get_output()
        .clone();
    let got = json(&got);
    assert_eq!(got["client_id"], "billing");
    assert!(
        got.get("client_secret").is_none(),
        "a get never shows the secret"
    );
    // Update, then the list (every page, as a JSON array).
    project
        .cli(&[
            "clients",
            "update",
            "billing",
            "--description",
            "invoices",
            "--metadata",
            r#"{"team": "ops"}"#,
            "--status",
            "inactive",
        ])
        .assert()
        .success();
    project
        .cli(&[
            "clients",
            "create",
            "--scope",
            "write:x",
            "--client-id",
            "other",
        ])
        .assert()
        .success();
    let listed = project
        .cli(&["clients", "list"])
        .assert()
        .success()
        .get_output()
        .clone();
    let listed = json(&listed);
    let ids: Vec<_> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["client_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["billing", "other"]);
    assert_eq!(listed[0]["trusted_metadata"]["team"], "ops");
    project
        .cli(&["clients", "list", "--status", "inactive", "-o", "table"])
        .assert()
        .success()
        .stdout_eq(str![[r#"
CLIENT_ID                                             NAME                      STATUS    SCOPES
billing                                               billing                   inactive  read:invoices

"#]]);
    project
        .cli(&["clients", "list", "--scope", "write:x", "-o", "json"])
        .assert()
        .success()
        .stdout_eq(str![[r#"
[
  {"client_description":"","client_id":"other","client_name":"","client_secret_last_four":"[..]","created_at":"2027-01-15T08:00:00.000Z","scopes":["write:x"],"status":"active","trusted_metadata":{}}
]

"#]]);
    // Rotation: start (the next secret once), cancel, start again, complete.
    let started = project
        .cli(&["clients", "secrets", "rotate-start", "billing"])
        .assert()
        .success()
        .get_output()
        .clone();
    let next = json(&started)["next_client_secret"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(next.len() >= 8 && next != secret, "a new secret: {next:?}");
    assert!(stderr(&started).contains("only time the next client secret is shown"));
    project
        .cli(&["clients", "secrets", "rotate-cancel", "billing"])
        .assert()
        .success();
    project
        .cli(&["clients", "secrets", "rotate-start", "billing"])
        .assert()
        .success();
    let rotated = project
        .cli(&["clients", "secrets", "rotate", "billing"])
        .assert()
        .success()
        .get_output()
        .clone();
    assert!(json(&rotated)["next_client_secret_last_four"].is_null());
    // Delete with --yes.
    project
        .cli(&["clients", "delete", "billing", "--yes", "-o", "json"])
        .assert()
        .success();
    project.cli(&["clients", "get", "billing"]).assert().code(1);
}

#[test]
fn every_exit_code() {
    let project = Project::frozen();
    project
        .cli(&["clients", "create", "--scope", "a", "--client-id", "kept"])
        .assert()
        .success();
    // 1: the API refused; one line on standard error with the request id.
    project
        .cli(&["clients", "get", "nobody"])
        .assert()
        .code(1)
        .stdout_eq(str![""])
        .stderr_eq(str![[r#"
error: Stytch answered 404 m2m_client_not_found: [..] (request_id [..])

"#]]);
    // 2: usage errors and bad input, nothing sent.
    let before = project.writes();
    project.cli(&["clients", "frobnicate"]).assert().code(2);
    project
        .cli(&["clients", "create", "--scope", "a", "--metadata", "[1]"])
        .assert()
        .code(2)
        .stderr_eq(str![[r#"
error: --metadata must be a JSON object, like '{"team": "billing"}'

"#]]);
    project
        .cli(&["clients", "create", "--scope", "has space"])
        .assert()
        .code(2)
        .stderr_eq(str![[r#"
error: invalid `scopes[0]`: [..]

"#]]);
    project.cli(&["clients", "update", "kept"]).assert().code(2);
    project
        .cli(&["clients", "list", "-o", "toml", "--client-id", "kept"])
        .assert()
        .success();
    project
        .cli(&["clients", "get", "kept", "-o", "toml"])
        .assert()
        .code(2);
    // A delete without a terminal and without --yes is refused and deletes nothing.
    project
        .cli(&["clients", "delete", "kept"])
        .assert()
        .code(2)
        .stderr_eq(str![[r#"
error: refusing to delete kept without confirmation: not a terminal; pass --yes

"#]]);
    assert_eq!(project.writes(), before, "nothing was sent");
    project.cli(&["clients", "get", "kept"]).assert().success();
    // Missing credentials.
    project
        .cli(&["clients", "list"])
        .env_remove("STYTCH_SECRET")
        .assert()
        .code(2)
        .stderr_eq(str![[r#"
error: no project secret: set STYTCH_SECRET or pass --secret-file PATH

"#]]);
    project
        .cli(&["clients", "list"])
        .env_remove("STYTCH_PROJECT_ID")
        .assert()
        .code(2);
    // 3: the server cannot be reached.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = closed.local_addr().unwrap();
    drop(closed);
    project
        .cli(&[
            "clients",
            "get",
            "kept",
            "--base-url",
            &format!("http://{address}"),
        ])
        .assert()
        .code(3)
        .stderr_eq(str![[r#"
error: transport: [..]

"#]]);
    // Global options after the subcommand, as before it.
    project
        .cli(&["-o", "table", "clients", "get", "kept"])
        .assert()
        .success();
    project
        .cli(&["clients", "get", "kept", "-o", "table"])
        .assert()
        .success();
}

#[test]
fn the_secret_file_must_be_private_to_its_owner() {
    use std::os::unix::fs::PermissionsExt as _;
    let project = Project::frozen();
    let path = project.dir.path().join("secret");
    std::fs::write(
        &path,
        format!("{}\n", project.emulator.project_secret().expose_secret()),
    )
    .unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let shown = path.to_str().unwrap();
    project
        .cli(&["clients", "list", "--secret-file", shown])
        .env_remove("STYTCH_SECRET")
        .assert()
        .code(2)
        .stderr_eq(str![[r#"
error: [..]/secret is accessible to other users (mode 644); make it private: chmod 600 [..]/secret

"#]]);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    project
        .cli(&["clients", "list", "--secret-file", shown])
        .env_remove("STYTCH_SECRET")
        .assert()
        .success()
        .stdout_eq(str![[r#"
[]

"#]]);
    // `-`: standard input.
    project
        .cli(&["clients", "list", "--secret-file", "-"])
        .env_remove("STYTCH_SECRET")
        .stdin(project.emulator.project_secret().expose_secret().to_owned())
        .assert()
        .success();
}

#[test]
fn completions_for_each_shell() {
    let project = Project::frozen();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let output = project
            .cli(&["completions", shell])
            .assert()
            .success()
            .get_output()
            .clone();
        assert!(stdout(&output).contains("stytch-m2m"), "{shell}");
    }
    project.cli(&["completions", "tcsh"]).assert().code(2);
}
