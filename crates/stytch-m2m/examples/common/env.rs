//! What the servers among the examples read from the environment: the port, and the project whose tokens they
//! accept (no project secret).

#![allow(dead_code)]

use stytch_m2m::HttpTransport;
use stytch_m2m::auth::TokenVerifier;

/// `PORT`, else `default` (0 picks a free port).
pub fn port(default: u16) -> u16 {
    std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(default)
}

/// A verifier of `STYTCH_PROJECT_ID`'s tokens, from `STYTCH_BASE_URL` (such as the emulator's) and accepting
/// `STYTCH_ISSUER` (a custom domain's issuer), with the issuer it names; `None` without `STYTCH_PROJECT_ID`.
pub fn verifier() -> Result<Option<(TokenVerifier, String)>, stytch_m2m::Error> {
    let Ok(project_id) = std::env::var("STYTCH_PROJECT_ID") else {
        return Ok(None);
    };
    let mut builder = TokenVerifier::builder(project_id.clone()).transport(HttpTransport::new());
    if let Ok(base_url) = std::env::var("STYTCH_BASE_URL") {
        builder = builder.base_url(base_url);
    }
    let issuer = match std::env::var("STYTCH_ISSUER") {
        Ok(issuer) => {
            builder = builder.issuer(issuer.clone());
            issuer
        }
        Err(_) => format!("stytch.com/{project_id}"),
    };
    let verifier = builder.build()?;
    println!(
        "Checking tokens against {} (no project secret).",
        verifier.jwks_url()
    );
    Ok(Some((verifier, issuer)))
}
