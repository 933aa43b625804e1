//! `apply` (plan, dry run, secrets out, the idempotent second apply, export-edit-apply) and `token | verify -`,
//! `decode`, against the emulator in-process.

mod support;

use snapbox::str;
use support::*;

const FILE: &str = r#"
[[clients]]
client_id = "billing-sync"
name = "Billing sync"
scopes = ["read:invoices"]
trusted_metadata = { team = "billing" }

[[clients]]
client_id = "reporting"
scopes = ["read:reports"]
status = "inactive"
"#;

#[test]
fn apply_plans_then_applies_and_a_second_apply_writes_nothing() {
    let project = Project::frozen();
    project
        .cli(&[
            "clients",
            "create",
            "--scope",
            "read:invoices",
            "--client-id",
            "billing-sync",
            "--name",
            "old",
        ])
        .assert()
        .success();
    project
        .cli(&["clients", "create", "--scope", "x", "--client-id", "legacy"])
        .assert()
        .success();
    std::fs::write(project.dir.path().join("clients.toml"), FILE).unwrap();
    let before = project.writes();
    // The dry run prints the plan and changes nothing.
    project
        .cli(&["apply", "clients.toml", "--dry-run", "-o", "table"])
        .assert()
        .success()
        .stdout_eq(str![[r#"
+ create     reporting     scopes: read:reports
~ update     billing-sync  name: "old" -> "Billing sync"; trusted_metadata: {} -> {"team":"billing"}
? unmanaged  legacy  (not in the file: left alone)
Plan: 1 to create, 1 to update, 0 unchanged, 1 unmanaged.

"#]])
        .stderr_eq(str![[r#"
Dry run: nothing was changed.

"#]]);
    // Creating without somewhere to put the new secrets is refused before any write.
    project
        .cli(&["apply", "clients.toml", "-o", "table"])
        .assert()
        .code(2)
        .stderr_eq(str![[r#"
error: 1 client(s) would be created and their secrets can be shown only once: pass --secrets-out PATH (a new file, private to you); nothing was changed

"#]]);
    assert_eq!(project.writes(), before);
    // Applied; the secrets go to a new owner-only file, never to standard output.
    let applied = project
        .cli(&["apply", "clients.toml", "--secrets-out", "secrets.jsonl"])
        .assert()
        .success()
        .get_output()
        .clone();
    let plan = json(&applied);
    assert_eq!(plan["create"][0]["client_id"], "reporting");
    assert_eq!(plan["unmanaged"], serde_json::json!(["legacy"]));
    let path = project.dir.path().join("secrets.jsonl");
    let mode =
        std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&path).unwrap().permissions());
    assert_eq!(mode & 0o777, 0o600);
    // One JSON object per line, appended as each client is created.
    let saved = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<serde_json::Value> = saved
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 1, "{saved}");
    assert_eq!(lines[0]["client_id"], "reporting");
    let secret = lines[0]["client_secret"].as_str().unwrap().to_owned();
    assert!(!stdout(&applied).contains(&secret) && !stderr(&applied).contains(&secret));
    let reporting = json(
        &project
            .cli(&["clients", "get", "reporting"])
            .assert()
            .success()
            .get_output()
            .clone(),
    );
    assert_eq!(
        reporting["status"], "inactive",
        "created, then its declared status"
    );
    // The same file again: no write call, and it says so.
    let writes = project.writes();
    project
        .cli(&["apply", "clients.toml", "-o", "table"])
        .assert()
        .success()
        .stdout_eq(str![[r#"
= unchanged  billing-sync
= unchanged  reporting
? unmanaged  legacy  (not in the file: left alone)
Plan: 0 to create, 0 to update, 2 unchanged, 1 unmanaged.

"#]])
        .stderr_eq(str![[r#"
No changes: every declared client is as declared; no write call was made.

"#]]);
    assert_eq!(project.writes(), writes, "no write call");
    // An existing secrets file is never overwritten.
    std::fs::write(
        project.dir.path().join("more.toml"),
        "[[clients]]\nclient_id = \"n\"\nscopes = [\"a\"]\n",
    )
    .unwrap();
    project
        .cli(&["apply", "more.toml", "--secrets-out", "secrets.jsonl"])
        .assert()
        .code(2);
}

#[test]
fn export_edit_apply() {
    let project = Project::frozen();
    project
        .cli(&[
            "clients",
            "create",
            "--scope",
            "a",
            "--client-id",
            "one",
            "--metadata",
            r#"{"k": [1, 2]}"#,
        ])
        .assert()
        .success();
    let exported = project
        .cli(&["clients", "list", "-o", "toml"])
        .assert()
        .success()
        .get_output()
        .clone();
    let text = stdout(&exported);
    assert_eq!(
        text,
        "[[clients]]\nclient_id = \"one\"\nname = \"\"\ndescription = \"\"\nscopes = [\"a\"]\nstatus = \"active\"\n\n\
         [clients.trusted_metadata]\nk = [1, 2]\n"
    );
    std::fs::write(project.dir.path().join("export.toml"), &text).unwrap();
    let writes = project.writes();
    project.cli(&["apply", "export.toml"]).assert().success();
    assert_eq!(project.writes(), writes, "the export applies as is");
    std::fs::write(
        project.dir.path().join("export.toml"),
        text.replace("scopes = [\"a\"]", "scopes = [\"a\", \"b\"]"),
    )
    .unwrap();
    project
        .cli(&["apply", "export.toml", "-o", "table"])
        .assert()
        .success()
        .stdout_eq(str![[r#"
~ update     one  scopes: ["a"] -> ["a","b"]
Plan: 0 to create, 1 to update, 0 unchanged, 0 unmanaged.

"#]]);
    let one = json(
        &project
            .cli(&["clients", "get", "one"])
            .assert()
            .success()
            .get_output()
            .clone(),
    );
    assert_eq!(one["scopes"], serde_json::json!(["a", "b"]));
    // A file with a mistake is refused with the reason, before anything is read or written.
    std::fs::write(
        project.dir.path().join("bad.toml"),
        "[[clients]]\nclient_id = \"x\"\nscopes = []\n",
    )
    .unwrap();
    project
        .cli(&["apply", "bad.toml"])
        .assert()
        .code(2)
        .stderr_eq(str![[r#"
error: bad.toml: clients[0].scopes must list at least one scope

"#]]);
}

#[test]
fn token_piped_into_verify() {
    let project = Project::live();
    let created = project
        .cli(&[
            "clients",
            "create",
            "--scope",
            "read:invoices",
            "--client-id",
            "svc",
        ])
        .assert()
        .success()
        .get_output()
        .clone();
    let secret = json(&created)["client_secret"].as_str().unwrap().to_owned();
    // The client secret from standard input, or from STYTCH_CLIENT_SECRET: the bare token on standard output.
    let token = project
        .cli(&["token", "--client-id", "svc", "--scope", "read:invoices"])
        .stdin(secret.clone())
        .assert()
        .success()
        .get_output()
        .clone();
    let token = stdout(&token).trim().to_owned();
    assert_eq!(token.split('.').count(), 3);
    project
        .cli(&["token", "--client-id", "svc"])
        .env("STYTCH_CLIENT_SECRET", &secret)
        .assert()
        .success();
    project
        .cli(&["token", "--client-id", "svc"])
        .stdin("wrong-secret")
        .assert()
        .code(1);
    // verify needs no secret: the project id and the JWKS only.
    project
        .cli(&["verify", "-", "--scope", "read:invoices", "--max-age", "60"])
        .env_remove("STYTCH_SECRET")
        .stdin(token.clone())
        .assert()
        .success()
        .stdout_eq(str![[r#"
{
  "client_id": "svc",
  "custom_claims": {},
  "expires_at": [..],
  "issued_at": [..],
  "scopes": [
    "read:invoices"
  ]
}

"#]]);
    project
        .cli(&["verify", "--scope", "write:invoices"])
        .env_remove("STYTCH_SECRET")
        .stdin(token.clone())
        .assert()
        .code(1)
        .stdout_eq(str![""])
        .stderr_eq(str![[r#"
error: missing at least one required scope: write:invoices

"#]]);
    project.cli(&["verify", "not-a-token"]).assert().code(1);
    // The JWKS cannot be had: 3.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = closed.local_addr().unwrap();
    drop(closed);
    project
        .cli(&["verify", "-", "--base-url", &format!("http://{address}")])
        .stdin(token.clone())
        .assert()
        .code(3);
    // decode shows header and claims, and says it did not verify them.
    project
        .cli(&["decode", "-"])
        .stdin(token.clone())
        .assert()
        .success()
        .stderr_eq(str![[r#"
note: not verified (signature, issuer, audience and expiry were not checked): use `stytch-m2m verify`

"#]]);
    project.cli(&["decode", "a.b"]).assert().code(2);
}
