//! What the command line prints: a one-time secret lost to a closed pipe is an error naming the client, table
//! cells carry no terminal escapes, a failed list prints nothing, TOML refuses null metadata, `--verbose` logs
//! each attempt once.

mod support;

use support::*;

#[test]
fn a_one_time_secret_into_a_closed_pipe_is_an_error_naming_the_client() {
    let project = Project::frozen();
    let out = raw(
        &project,
        bin(),
        &["clients", "create", "--scope", "a", "--client-id", "lost"],
    )
    .stdout(closed_pipe())
    .output()
    .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(4), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("\"lost\""), "{err}");
    // A list cut short by its reader is fine; completions never panic.
    let list = raw(&project, bin(), &["clients", "list"])
        .stdout(closed_pipe())
        .output()
        .unwrap();
    assert_eq!(list.status.code(), Some(0), "{}", stderr(&list));
    let completions = raw(&project, bin(), &["completions", "bash"])
        .stdout(closed_pipe())
        .output()
        .unwrap();
    assert!(
        !stderr(&completions).contains("panicked"),
        "{}",
        stderr(&completions)
    );
    assert_eq!(completions.status.code(), Some(0));
    // The apply report (the plan) into a closed pipe: nothing is applied, and the exit says so.
    std::fs::write(
        project.dir.path().join("clients.toml"),
        "[[clients]]\nclient_id = \"planned\"\nscopes = [\"a\"]\n",
    )
    .unwrap();
    let before = project.writes();
    let apply = raw(
        &project,
        bin(),
        &["apply", "clients.toml", "--secrets-out", "s.jsonl"],
    )
    .stdout(closed_pipe())
    .output()
    .unwrap();
    assert_eq!(apply.status.code(), Some(4), "{}", stderr(&apply));
    assert_eq!(project.writes(), before);
}

#[test]
fn table_cells_never_carry_terminal_escapes() {
    let project = Project::frozen();
    // The emulator refuses control characters in names (its policy); Stytch's rules do not forbid them in a
    // description or a scope, and a server may send anything.
    let evil = "evil\u{1b}]0;owned\u{7}\u{1b}[2J";
    let out = project
        .cli(&[
            "clients",
            "create",
            "--scope",
            evil,
            "--client-id",
            "e",
            "--description",
            evil,
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    for args in [
        &["clients", "get", "e", "-o", "table"][..],
        &["clients", "list", "-o", "table"][..],
    ] {
        let out = project.cli(args).output().unwrap();
        let text = stdout(&out);
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{7}'),
            "{text:?}"
        );
        assert!(text.contains("evil\\u{1b}]0;owned"), "{text}");
    }
}

#[test]
fn a_failed_list_prints_nothing_that_reads_as_an_answer() {
    let project = Project::frozen();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = closed.local_addr().unwrap();
    drop(closed);
    for format in ["json", "toml", "table"] {
        let out = project
            .cli(&["clients", "list", "-o", format])
            .env("STYTCH_BASE_URL", format!("http://{address}"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(3));
        assert_eq!(stdout(&out), "", "{format}");
    }
    // An empty project is a complete answer.
    let out = project.cli(&["clients", "list"]).output().unwrap();
    assert_eq!(json(&out), serde_json::json!([]));
}

#[test]
fn toml_export_refuses_a_null_naming_the_client_and_the_key() {
    let project = Project::frozen();
    let out = project
        .cli(&[
            "clients",
            "create",
            "--scope",
            "a",
            "--client-id",
            "meta",
            "--metadata",
            r#"{"team": {"lead": null}}"#,
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let out = project
        .cli(&["clients", "list", "-o", "toml"])
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("\"meta\"") && err.contains("trusted_metadata.team.lead"),
        "{err}"
    );
}

#[test]
fn verbose_logs_each_request_once_per_attempt() {
    let project = Project::frozen();
    project.emulator.controls().fail_next(
        stytch_m2m_mock::Route::Get,
        1,
        stytch_m2m_mock::Fault::status(503),
    );
    let out = project
        .cli(&["clients", "get", "nobody", "-v"])
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    let responses: Vec<&str> = err.lines().filter(|l| l.contains(" response")).collect();
    assert_eq!(responses.len(), 2, "{err}");
    for line in &responses {
        assert!(line.contains("DEBUG"), "{line}");
        assert!(
            line.contains("method=\"GET\"") || line.contains("method=GET"),
            "{line}"
        );
        assert!(line.contains("/v1/m2m/clients/nobody"), "{line}");
        assert!(line.contains("duration_ms="), "{line}");
        assert_eq!(line.matches("attempt=").count(), 1, "{line}");
    }
    assert!(responses[0].contains("status=503"), "{}", responses[0]);
    assert!(
        responses[1].contains("status=404") && responses[1].contains("request_id="),
        "{}",
        responses[1]
    );
}
