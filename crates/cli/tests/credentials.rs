//! Credentials and where they go: a token needs no project secret, a JWKS that refuses is a misconfiguration,
//! plain HTTP off the loopback needs its flag, the loopback never goes through a proxy, and secrets are never
//! read from a terminal or a file others can read.

mod support;

use support::*;

#[test]
fn token_needs_no_project_secret() {
    let project = Project::live();
    let secret = create_client(&project, "svc", "read:x");
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
fn a_jwks_that_refuses_is_a_misconfiguration_not_an_outage() {
    let project = Project::live();
    let secret = create_client(&project, "svc", "a");
    let token = token_of(&project, "svc", &secret);
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
