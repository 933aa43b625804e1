//! `apply` checks everything before its first call, reports partial work (never "nothing sent" after a change),
//! keeps a client declared inactive honest, and saves secrets line by line, stopping at the first it cannot save.

mod support;

use serde_json::Value;
use support::*;

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
