//! An operator's tool that never loses a secret or misreports what it did: token exchange without the project
//! secret, `apply` that checks everything first and reports partial work, secrets saved line by line, closed
//! pipes, a JWKS that refuses, terminal escapes, lists cut short, and what `--verbose` logs.

mod support;

use std::process::Stdio;

use serde_json::Value;
use support::*;

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_stytch-m2m")
}

/// A process like `Project::cli`, for the cases snapbox cannot express (a closed pipe, a file-size limit).
fn raw(project: &Project, program: &str, args: &[&str]) -> std::process::Command {
    let mut command = std::process::Command::new(program);
    command
        .args(args)
        .env_remove("STYTCH_CLIENT_SECRET")
        .env("STYTCH_PROJECT_ID", project.emulator.project_id())
        .env(
            "STYTCH_SECRET",
            project.emulator.project_secret().expose_secret(),
        )
        .env("STYTCH_BASE_URL", project.emulator.base_url())
        .current_dir(project.dir.path())
        .stdin(Stdio::null());
    command
}

/// Standard output is a pipe whose reader is already gone.
fn closed_pipe() -> Stdio {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    Stdio::from(writer)
}

fn client_ids(project: &Project) -> Vec<String> {
    let out = project.cli(&["clients", "list"]).output().unwrap();
    json(&out)
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["client_id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn token_needs_no_project_secret() {
    let project = Project::live();
    let created = project
        .cli(&[
            "clients",
            "create",
            "--scope",
            "read:x",
            "--client-id",
            "svc",
        ])
        .output()
        .unwrap();
    let secret = json(&created)["client_secret"].as_str().unwrap().to_owned();
    let token = project
        .cli(&["token", "--client-id", "svc", "--output", "json"])
        .env_remove("STYTCH_SECRET")
        .stdin(secret)
        .output()
        .unwrap();
    assert!(token.status.success(), "{}", stderr(&token));
    let answer = json(&token);
    assert_eq!(answer["token_type"], "bearer");
    assert!(answer["access_token"].as_str().unwrap().split('.').count() == 3);
}

#[test]
fn apply_checks_every_client_before_the_first_call() {
    let project = Project::frozen();
    std::fs::write(
        project.dir.path().join("clients.toml"),
        r#"
[[clients]]
client_id = "one"
scopes = ["a"]
[[clients]]
client_id = "two"
scopes = ["a"]
[[clients]]
client_id = "three"
scopes = ["read users"]
"#,
    )
    .unwrap();
    let out = project
        .cli(&["apply", "clients.toml", "--secrets-out", "s.jsonl"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("\"three\""), "{}", stderr(&out));
    assert!(stderr(&out).contains("scopes[0]"), "{}", stderr(&out));
    assert_eq!(project.writes(), 0);
    assert!(client_ids(&project).is_empty());
}

#[test]
fn apply_reports_what_it_applied_when_a_later_call_fails() {
    let project = Project::frozen();
    // The server refuses the second client (a name over the emulator's 256 characters: not a rule of Stytch's,
    // so the client sends it).
    let long_name = "n".repeat(300);
    std::fs::write(
        project.dir.path().join("clients.toml"),
        format!(
            "[[clients]]\nclient_id = \"first\"\nscopes = [\"a\"]\n\
             [[clients]]\nclient_id = \"second\"\nname = \"{long_name}\"\nscopes = [\"a\"]\n\
             [[clients]]\nclient_id = \"third\"\nscopes = [\"a\"]\n"
        ),
    )
    .unwrap();
    let out = project
        .cli(&["apply", "clients.toml", "--secrets-out", "s.jsonl"])
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("created first") && err.contains("failed at second"),
        "{err}"
    );
    assert!(err.contains("not applied third"), "{err}");
    assert_eq!(client_ids(&project), ["first"]);
}

#[test]
fn a_declared_inactive_client_whose_update_fails_is_reported_active() {
    let project = Project::frozen();
    std::fs::write(
        project.dir.path().join("clients.toml"),
        "[[clients]]\nclient_id = \"quiet\"\nscopes = [\"a\"]\nstatus = \"inactive\"\n",
    )
    .unwrap();
    project.emulator.controls().fail_next(
        stytch_m2m_mock::Route::Update,
        1,
        stytch_m2m_mock::Fault::status(400),
    );
    let out = project
        .cli(&["apply", "clients.toml", "--secrets-out", "s.jsonl"])
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("still ACTIVE"), "{err}");
}

#[test]
fn secrets_are_saved_line_by_line_and_a_full_disk_stops_the_apply() {
    let project = Project::frozen();
    let mut file = String::new();
    for i in 0..30 {
        file.push_str(&format!(
            "[[clients]]\nclient_id = \"c{i:02}\"\nscopes = [\"a\"]\n"
        ));
    }
    std::fs::write(project.dir.path().join("clients.toml"), file).unwrap();
    // A file-size limit of one block plays the full disk; SIGXFSZ ignored, a write past it fails with EFBIG.
    let script = format!(
        "ulimit -f 1; trap '' XFSZ; exec '{}' apply clients.toml --secrets-out secrets.jsonl",
        bin()
    );
    let out = raw(&project, "sh", &["-c", &script]).output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(4), "{err}");
    let saved = std::fs::read_to_string(project.dir.path().join("secrets.jsonl")).unwrap();
    let lines: Vec<Value> = saved
        .lines()
        .map(|l| serde_json::from_str(l).expect("only whole lines"))
        .collect();
    assert!(!lines.is_empty() && lines.len() < 30, "{}", lines.len());
    let created = client_ids(&project);
    assert_eq!(
        created.len(),
        lines.len() + 1,
        "creation stops at the first secret that cannot be saved"
    );
    let lost = created.last().unwrap();
    assert!(
        err.contains(&format!("{lost:?}")) && err.contains("rotate"),
        "{err}"
    );
    for (line, id) in lines.iter().zip(&created) {
        assert_eq!(line["client_id"], id.as_str());
        assert!(
            line["client_secret"]
                .as_str()
                .is_some_and(|s| !s.is_empty())
        );
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(project.dir.path().join("secrets.jsonl"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

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
fn a_jwks_that_refuses_is_a_misconfiguration_not_an_outage() {
    let project = Project::live();
    let created = project
        .cli(&["clients", "create", "--scope", "a", "--client-id", "svc"])
        .output()
        .unwrap();
    let secret = json(&created)["client_secret"].as_str().unwrap().to_owned();
    let token = project
        .cli(&["token", "--client-id", "svc"])
        .stdin(secret)
        .output()
        .unwrap();
    let token = stdout(&token).trim().to_owned();
    // A consumer project checked as B2B: its JWKS path answers 404.
    let out = project
        .cli(&["verify", "-", "--b2b"])
        .stdin(token.clone())
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("404") && err.contains("project id"), "{err}");
    assert!(!err.contains("unavailable: no answer"), "{err}");
    // Custom issuer and audience are options of verify: a wrong audience is refused, the right one passes.
    let out = project
        .cli(&["verify", "-", "--audience", "https://api.example.com"])
        .stdin(token.clone())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("aud"), "{}", stderr(&out));
    let out = project
        .cli(&["verify", "-", "--issuer", "https://login.example.com"])
        .stdin(token.clone())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    // decode reads standard input with no argument; a token on argv is warned about.
    let out = project
        .cli(&["decode"])
        .stdin(token.clone())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(json(&out)["claims"]["sub"], "svc");
    let out = project.cli(&["decode", &token]).output().unwrap();
    assert!(
        stderr(&out).contains("visible to other local users"),
        "{}",
        stderr(&out)
    );
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
fn a_compose_host_needs_the_explicit_flag() {
    let project = Project::frozen();
    // 0.0.0.0 reaches this machine's listeners, and is not the loopback by the plain-HTTP rule.
    let port = project
        .emulator
        .base_url()
        .rsplit(':')
        .next()
        .unwrap()
        .to_owned();
    let url = format!("http://0.0.0.0:{port}");
    let out = project
        .cli(&["clients", "list"])
        .env("STYTCH_BASE_URL", &url)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--allow-insecure-http"),
        "{}",
        stderr(&out)
    );
    let out = project
        .cli(&["clients", "list", "--allow-insecure-http"])
        .env("STYTCH_BASE_URL", &url)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
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

#[test]
fn the_loopback_never_goes_through_a_proxy() {
    let project = Project::frozen();
    // A "proxy" that records whether anyone connected, and never answers.
    let proxy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    proxy.set_nonblocking(true).unwrap();
    let proxy_url = format!("http://{}", proxy.local_addr().unwrap());
    let mut command = project.cli(&["clients", "list"]);
    for name in [
        "HTTP_PROXY",
        "http_proxy",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "all_proxy",
    ] {
        command = command.env(name, &proxy_url);
    }
    let out = command
        .env_remove("NO_PROXY")
        .env_remove("no_proxy")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(json(&out), serde_json::json!([]));
    assert!(
        proxy
            .accept()
            .is_err_and(|e| e.kind() == std::io::ErrorKind::WouldBlock),
        "the project's credentials went to the proxy"
    );
}

#[test]
fn a_secret_is_never_read_from_a_terminal() {
    // util-linux's `script` runs the command on a pseudo-terminal: standard input is a terminal there.
    let project = Project::frozen();
    for args in [
        format!("'{}' clients list --secret-file -", bin()),
        format!("'{}' token --client-id svc", bin()),
    ] {
        let out = raw(&project, "script", &["-qec", &args, "/dev/null"])
            .env_remove("STYTCH_SECRET")
            .output()
            .expect("util-linux's script");
        let text = format!("{}{}", stdout(&out), stderr(&out));
        assert!(text.contains("pipe it in"), "{args}: {text}");
        assert!(!out.status.success(), "{args}: {text}");
    }
}

#[test]
fn a_secret_file_must_be_a_private_regular_file() {
    let project = Project::frozen();
    let dir = project.dir.path().join("a-directory");
    std::fs::create_dir(&dir).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    }
    let out = project
        .cli(&["clients", "list", "--secret-file", "a-directory"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let file = project.dir.path().join("shared-secret");
    std::fs::write(&file, "secret-test-shared-with-everyone").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    let out = project
        .cli(&["clients", "list", "--secret-file", "shared-secret"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("chmod 600"), "{}", stderr(&out));
    assert!(!stderr(&out).contains("shared-with-everyone"));
}
