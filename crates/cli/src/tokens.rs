//! `token`, `verify` and `decode`.

use std::io::{IsTerminal as _, Read as _, Write as _};
use std::time::Duration;

use base64::Engine as _;
use serde_json::{Value, json};
use stytch_m2m::auth::{AuthenticateOptions, TokenVerifier};
use stytch_m2m::models::Secret;

use crate::args::{DecodeArgs, Global, Output, TokenArgs, VerifyArgs};
use crate::clients::read_stdin_secret;
use crate::exit::Failure;
use crate::{context, output};

/// Exchanges the client's credentials; prints the bare access token (or, with `--output json`, the API's answer).
/// Needs the project id and the client's own secret, never the project secret.
pub async fn token(global: &Global, args: TokenArgs) -> Result<(), Failure> {
    let secret = match std::env::var("STYTCH_CLIENT_SECRET") {
        Ok(secret) if !secret.is_empty() => secret,
        _ => read_stdin_secret("the client secret (or STYTCH_CLIENT_SECRET)")?,
    };
    let provider = context::token_provider(global, &args.client_id, Secret::new(secret))?;
    let response = provider.exchange(&args.scopes).await?;
    if global.output == Some(Output::Json) {
        return output::json(&response);
    }
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", response.access_token.expose_secret())?;
    Ok(())
}

/// A token from the argument, or standard input for `-` or none.
fn token_text(argument: Option<&str>) -> Result<String, Failure> {
    match argument {
        Some(token) if token != "-" => {
            output::note(
                "warning: a token given as an argument is visible to other local users (ps, /proc); pipe it on \
                 standard input instead",
            );
            Ok(token.trim().to_owned())
        }
        _ => {
            let stdin = std::io::stdin();
            if stdin.is_terminal() {
                return Err(Failure::usage(
                    "no token: give it as an argument, or pipe it on standard input",
                ));
            }
            let mut text = String::new();
            stdin.lock().read_to_string(&mut text)?;
            let token = text.trim().to_owned();
            if token.is_empty() {
                return Err(Failure::usage("the token on standard input is empty"));
            }
            Ok(token)
        }
    }
}

/// Verifies a token locally and prints its claims; exit 1 with the reason when it is not valid.
pub async fn verify(
    verifier: &TokenVerifier,
    format: Output,
    args: VerifyArgs,
) -> Result<(), Failure> {
    let token = token_text(args.token.as_deref())?;
    let mut options = AuthenticateOptions::new().required_scopes(args.scopes);
    if let Some(secs) = args.max_age {
        options = options.max_token_age(Duration::from_secs(secs));
    }
    let verified = verifier.authenticate_token(&token, &options).await?;
    let claims = json!({
        "client_id": verified.client_id(),
        "scopes": verified.scopes(),
        "issued_at": verified.issued_at(),
        "expires_at": verified.expires_at(),
        "custom_claims": verified.custom_claims(),
    });
    output::object(format, &claims)
}

/// Prints a token's header and claims, unverified.
pub fn decode(format: Output, args: DecodeArgs) -> Result<(), Failure> {
    let token = token_text(args.token.as_deref())?;
    let mut parts = token.split('.');
    let (Some(header), Some(claims), Some(_), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(Failure::usage(
            "not a JWT: expected three parts separated by `.`",
        ));
    };
    let part = |text: &str, name: &str| -> Result<Value, Failure> {
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(text.trim_end_matches('='))
            .map_err(|_| Failure::usage(format!("the token's {name} is not base64url")))?;
        serde_json::from_slice(&bytes)
            .map_err(|_| Failure::usage(format!("the token's {name} is not JSON")))
    };
    let decoded = json!({"header": part(header, "header")?, "claims": part(claims, "claims")?});
    output::note(
        "note: not verified (signature, issuer, audience and expiry were not checked): use `stytch-m2m verify`",
    );
    output::object(format, &decoded)
}
