//! Exit codes and the one-line error on standard error.

use std::fmt;

use stytch_m2m::Error;
use stytch_m2m::auth::AuthError;
use stytch_m2m::transport::TransportErrorKind;

/// Success.
pub const OK: u8 = 0;
/// The API refused the request, or the token is not valid (invalid, too old, missing scopes).
pub const REFUSED: u8 = 1;
/// A usage error or bad input: nothing was sent.
pub const USAGE: u8 = 2;
/// The server could not be reached: a transport error, a timeout, or a JWKS that cannot be fetched.
pub const UNREACHABLE: u8 = 3;
/// A change was made, but its output could not be written (a closed pipe, a full disk): a one-time secret or a
/// report was lost, and standard error names the client concerned.
pub const OUTPUT_LOST: u8 = 4;

/// Why a command failed: its exit code and one line for standard error (never a secret).
#[derive(Debug)]
pub struct Failure {
    /// The exit code.
    pub code: u8,
    message: String,
}

impl Failure {
    /// Bad input or usage: exit 2.
    pub fn usage(message: impl Into<String>) -> Self {
        Self {
            code: USAGE,
            message: message.into(),
        }
    }

    /// Refused (by the API, or a token check): exit 1.
    pub fn refused(message: impl Into<String>) -> Self {
        Self {
            code: REFUSED,
            message: message.into(),
        }
    }

    /// A change was made but its output was lost: exit 4.
    pub fn output_lost(message: impl Into<String>) -> Self {
        Self {
            code: OUTPUT_LOST,
            message: message.into(),
        }
    }

    /// The same failure, with this said after its message (what was applied, what to do).
    pub fn with_note(mut self, note: &str) -> Self {
        self.message.push_str(note);
        self
    }

    /// After a first change, bad input cannot be the reason the command stopped ("nothing sent" would be false):
    /// such a failure is reported as a refusal.
    pub fn after_a_change(mut self) -> Self {
        if self.code == USAGE || self.code == OK {
            self.code = REFUSED;
        }
        self
    }

    /// The server could not be reached: exit 3.
    pub fn unreachable(message: impl Into<String>) -> Self {
        Self {
            code: UNREACHABLE,
            message: message.into(),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        let message = error.to_string();
        match &error {
            Error::Validation(_) | Error::Config(_) => Failure::usage(message),
            Error::Transport(e) if e.kind() == TransportErrorKind::Config => {
                Failure::usage(message)
            }
            Error::Transport(_) => Failure::unreachable(message),
            Error::Auth(auth) => Failure::from(auth.clone()),
            _ => Failure::refused(message),
        }
    }
}

impl From<AuthError> for Failure {
    fn from(error: AuthError) -> Self {
        match &error {
            AuthError::JwksUnavailable(e) if e.is_misconfiguration() => {
                Failure::refused(error.to_string())
            }
            AuthError::JwksUnavailable(_) => Failure::unreachable(error.to_string()),
            _ => Failure::refused(error.to_string()),
        }
    }
}

impl From<std::io::Error> for Failure {
    fn from(error: std::io::Error) -> Self {
        if error.kind() == std::io::ErrorKind::BrokenPipe {
            // The reader went away (`| head`): not an error of ours.
            return Self {
                code: OK,
                message: String::new(),
            };
        }
        Failure::usage(format!("input/output: {error}"))
    }
}
