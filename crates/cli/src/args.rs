//! The command line's shape (clap derive). Secrets are never arguments: the project secret comes from
//! `STYTCH_SECRET` or `--secret-file`, a client secret from `STYTCH_CLIENT_SECRET` or standard input.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Manage Stytch M2M clients, rotate their secrets, mint and verify access tokens, and apply a declared set of
/// clients.
///
/// Credentials: STYTCH_PROJECT_ID and STYTCH_SECRET (or --secret-file), and STYTCH_BASE_URL for another server
/// (the emulator's http://127.0.0.1:4010). `verify` and `decode` need no secret; `token` needs only the client's
/// own secret (STYTCH_CLIENT_SECRET or standard input), never the project's.
///
/// Exit codes: 0 success; 1 the API refused, the token is not valid, or the JWKS URL refused (a wrong project id,
/// base URL or kind); 2 usage error or bad input (nothing sent); 3 the server could not be reached (transport
/// error, timeout, JWKS unreachable); 4 a change was made but its output could not be written (a closed pipe, a
/// full disk): the client concerned is named on standard error. A command that fails after a first change (1, 3
/// or 4) names on standard error what was applied and what was not.
#[derive(Debug, Parser)]
#[command(name = "stytch-m2m", version, about, long_about)]
pub struct Cli {
    /// Options every command takes.
    #[command(flatten)]
    pub global: Global,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// Options accepted before or after the subcommand.
#[derive(Debug, Args)]
pub struct Global {
    /// How to print results: `table` for people, `json` for scripts (the default when standard output is not a
    /// terminal); `toml` for `clients list` (a file `apply` accepts).
    #[arg(long, short = 'o', global = true, value_enum)]
    pub output: Option<Output>,
    /// The project id.
    #[arg(long, global = true, env = "STYTCH_PROJECT_ID", value_name = "ID")]
    pub project_id: Option<String>,
    /// The API's base URL (default: Stytch's test or live API, from the project id).
    #[arg(long, global = true, env = "STYTCH_BASE_URL", value_name = "URL")]
    pub base_url: Option<String>,
    /// A file holding the project secret, readable by its owner only (`-`: standard input). Without it,
    /// STYTCH_SECRET.
    #[arg(long, global = true, value_name = "PATH")]
    pub secret_file: Option<PathBuf>,
    /// Allow a plain http:// base URL to a host that is not the loopback (a compose network's
    /// http://stytch:4010): credentials then cross the network in clear text.
    #[arg(long, global = true)]
    pub allow_insecure_http: bool,
    /// Log every request on standard error (method, path, status, attempt, duration, request_id) and retries.
    #[arg(long, short = 'v', global = true)]
    pub verbose: bool,
}

/// The output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Output {
    /// Aligned columns, for people.
    Table,
    /// The API's objects as JSON, for scripts.
    Json,
    /// An `apply` file (`clients list` only).
    Toml,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Manage M2M clients.
    Clients {
        /// The clients command.
        #[command(subcommand)]
        command: ClientsCommand,
    },
    /// Exchange a client's credentials for an access token and print it (the secret from STYTCH_CLIENT_SECRET or
    /// standard input).
    Token(TokenArgs),
    /// Verify an access token locally against the project's JWKS (no secret needed) and print its claims.
    Verify(VerifyArgs),
    /// Print a token's header and claims WITHOUT verifying it (for debugging).
    Decode(DecodeArgs),
    /// Make the project's clients match a TOML file: print the plan, then apply it.
    Apply(ApplyArgs),
    /// Print a shell completion script.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

/// `clients …`
#[derive(Debug, Subcommand)]
pub enum ClientsCommand {
    /// List clients (every page, printed as it arrives).
    List(ListArgs),
    /// Show one client.
    Get {
        /// The client id.
        id: String,
    },
    /// Create a client; its secret is printed once.
    Create(CreateArgs),
    /// Change a client's name, description, scopes, metadata or status.
    Update(UpdateArgs),
    /// Delete a client (asks on a terminal; elsewhere needs --yes).
    Delete {
        /// The client id.
        id: String,
        /// Delete without asking.
        #[arg(long, short = 'y')]
        yes: bool,
    },
    /// Rotate a client's secret: rotate-start, deploy the new secret, then rotate (or rotate-cancel).
    Secrets {
        /// The secrets command.
        #[command(subcommand)]
        command: SecretsCommand,
    },
}

/// `clients secrets …`
#[derive(Debug, Subcommand)]
pub enum SecretsCommand {
    /// Start a rotation: prints the next secret once; both secrets work until the rotation completes.
    RotateStart {
        /// The client id.
        id: String,
    },
    /// Cancel a rotation: the next secret stops working.
    RotateCancel {
        /// The client id.
        id: String,
    },
    /// Complete a rotation: the next secret becomes the secret, the old one stops working.
    Rotate {
        /// The client id.
        id: String,
    },
}

/// A client's status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Status {
    /// Can get tokens.
    Active,
    /// Cannot get tokens.
    Inactive,
}

/// `clients list`
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only clients with this status (checked as clients arrive: the API has no such filter).
    #[arg(long, value_enum)]
    pub status: Option<Status>,
    /// Only clients with one of these scopes (repeatable).
    #[arg(long = "scope", value_name = "SCOPE")]
    pub scopes: Vec<String>,
    /// Only these clients (repeatable).
    #[arg(long = "client-id", value_name = "ID")]
    pub client_ids: Vec<String>,
}

/// `clients create`
#[derive(Debug, Args)]
pub struct CreateArgs {
    /// A scope of the client (repeatable; at least one).
    #[arg(long = "scope", value_name = "SCOPE", required = true)]
    pub scopes: Vec<String>,
    /// Its name.
    #[arg(long)]
    pub name: Option<String>,
    /// Its description.
    #[arg(long)]
    pub description: Option<String>,
    /// Trusted metadata, a JSON object.
    #[arg(long, value_name = "JSON")]
    pub metadata: Option<String>,
    /// Its id (import an existing client's id; default: generated).
    #[arg(long, value_name = "ID")]
    pub client_id: Option<String>,
    /// Read the client secret from standard input (import an existing secret; default: generated).
    #[arg(long)]
    pub client_secret_stdin: bool,
}

/// `clients update`
#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// The client id.
    pub id: String,
    /// A new name.
    #[arg(long)]
    pub name: Option<String>,
    /// A new description.
    #[arg(long)]
    pub description: Option<String>,
    /// The client's scopes from now on (repeatable; replaces them all).
    #[arg(long = "scope", value_name = "SCOPE")]
    pub scopes: Vec<String>,
    /// Trusted metadata to merge, a JSON object (`null` deletes a key).
    #[arg(long, value_name = "JSON")]
    pub metadata: Option<String>,
    /// The status.
    #[arg(long, value_enum)]
    pub status: Option<Status>,
}

/// `token`
#[derive(Debug, Args)]
pub struct TokenArgs {
    /// The client whose credentials are exchanged.
    #[arg(long, value_name = "ID")]
    pub client_id: String,
    /// A scope to ask for (repeatable; none: every scope of the client).
    #[arg(long = "scope", value_name = "SCOPE")]
    pub scopes: Vec<String>,
}

/// `verify`
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The token; `-` or nothing reads it from standard input.
    pub token: Option<String>,
    /// A scope the token must grant (repeatable).
    #[arg(long = "scope", value_name = "SCOPE")]
    pub scopes: Vec<String>,
    /// Refuse a token issued this many seconds ago or more.
    #[arg(long, value_name = "SECS")]
    pub max_age: Option<u64>,
    /// The project is a B2B project (its JWKS is at /v1/b2b/sessions/jwks/{project_id}).
    #[arg(long)]
    pub b2b: bool,
    /// Also accept this `iss` (a custom domain's issuer, like https://login.example.com).
    #[arg(long, value_name = "URL")]
    pub issuer: Option<String>,
    /// Require this `aud` instead of the project id (an M2M JWT template's custom_audience).
    #[arg(long, value_name = "AUDIENCE")]
    pub audience: Option<String>,
}

/// `decode`
#[derive(Debug, Args)]
pub struct DecodeArgs {
    /// The token; `-` or nothing reads it from standard input.
    pub token: Option<String>,
}

/// `apply`
#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// The TOML file declaring the clients.
    pub file: PathBuf,
    /// Print the plan and change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Where the secrets of created clients go: a new file, private to its owner, one JSON object per line
    /// (`{"client_id": …, "client_secret": …}`), each written and synced to disk as soon as its client exists.
    #[arg(long, value_name = "PATH")]
    pub secrets_out: Option<PathBuf>,
}
