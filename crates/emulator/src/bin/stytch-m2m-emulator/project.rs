//! The project the emulator serves, from the command line: a saved state file if there is one (the flags must then
//! agree with it), else a new project from the flags, then the seed file, then the defaults.

use stytch_m2m_core::auth::ProjectKind;
use stytch_m2m_emulator::{SeedFile, SeedKey, StateFile};
use stytch_m2m_mock::{DEFAULT_KEY_GRACE, Engine, MockClock, MockStytch, ServerRules};

use crate::args::Args;

/// The project, where it is saved, and whether its secret was generated now (and so may be printed).
pub struct Project {
    pub mock: MockStytch,
    pub state: Option<StateFile>,
    pub secret_generated: bool,
}

pub fn open(args: &Args) -> Result<Project, String> {
    if args.secret.as_deref() == Some("") {
        return Err(
            "the project secret is empty (STYTCH_EMULATOR_SECRET or --secret): set a secret, or unset it to have \
             one generated"
                .into(),
        );
    }
    let pinned = args
        .signing_key
        .as_deref()
        .map(|path| SeedKey::from_pem_file(path, args.signing_key_id.clone()))
        .transpose()?;
    let state = args.state.clone().map(StateFile::new);
    if let Some(saved) = state.as_ref().map(StateFile::load).transpose()?.flatten() {
        let engine = Engine::restore(&saved, MockClock::system(), DEFAULT_KEY_GRACE)
            .map_err(|e| format!("the state file cannot be restored: {e}"))?
            .with_rules(ServerRules::embedded(args.rules));
        agree_with_saved(args, &engine, pinned.as_ref(), &saved)?;
        return Ok(Project {
            mock: MockStytch::from_engine(engine),
            state,
            secret_generated: false,
        });
    }
    let seed = args.seed_file.as_deref().map(SeedFile::read).transpose()?;
    let seed_key = seed.as_ref().and_then(|s| s.signing_key.as_ref());
    if pinned.is_some() && seed_key.is_some() {
        return Err(
            "the signing key is given twice: by --signing-key and by the seed file's signing_key"
                .into(),
        );
    }
    let kind = args
        .project_kind
        .map(ProjectKind::from)
        .or(seed.as_ref().and_then(|s| s.project_kind))
        .unwrap_or_default();
    let issuer = args
        .issuer
        .clone()
        .or_else(|| seed.as_ref().and_then(|s| s.issuer.clone()));
    let mut builder = MockStytch::builder()
        .rules(ServerRules::embedded(args.rules))
        .project_kind(kind);
    if let Some(issuer) = issuer {
        builder = builder.issuer(check_issuer(issuer)?);
    }
    if let Some(seed) = args.deterministic {
        builder = builder.deterministic(seed);
    }
    if let Some(id) = &args.project_id {
        builder = builder.project_id(id.clone());
    }
    if let Some(secret) = &args.secret {
        builder = builder.secret(secret.clone());
    }
    let mock = builder.build();
    if let Some(seed) = &seed {
        seed.apply(&mock)?;
    }
    if let Some(key) = &pinned {
        key.install(&mock)
            .map_err(|rule| format!("the signing key {rule}"))?;
    }
    Ok(Project {
        mock,
        state,
        secret_generated: args.secret.is_none(),
    })
}

/// A loaded state file wins, but a flag that says otherwise is an error rather than silently ignored.
fn agree_with_saved(
    args: &Args,
    engine: &Engine,
    pinned: Option<&SeedKey>,
    saved: &stytch_m2m_mock::Snapshot,
) -> Result<(), String> {
    if let Some(id) = args
        .project_id
        .as_ref()
        .filter(|id| **id != saved.project_id)
    {
        return Err(format!(
            "the state file belongs to project {}, not {id}",
            saved.project_id
        ));
    }
    if args
        .secret
        .as_ref()
        .is_some_and(|s| !saved.project_secret.constant_time_eq(s))
    {
        return Err("the state file was saved with another project secret".into());
    }
    if let Some(kind) = args
        .project_kind
        .map(ProjectKind::from)
        .filter(|kind| *kind != engine.project_kind())
    {
        return Err(format!(
            "the state file belongs to a {} project, not {}",
            saved.project_kind,
            kind.as_str()
        ));
    }
    if let Some(issuer) = args.issuer.as_ref().filter(|i| *i != engine.issuer()) {
        return Err(format!(
            "the state file's tokens are issued by {}, not {issuer}",
            engine.issuer()
        ));
    }
    // Tokens are signed with the current key (saved first): a pinned key the file keeps only as retired (after a
    // rotation) would not be the one signing.
    if let Some(key) = pinned.filter(|key| !saved.keys.first().is_some_and(|k| key.is_saved_as(k)))
    {
        let retired = saved.keys.iter().skip(1).any(|k| key.is_saved_as(k));
        return Err(if retired {
            format!(
                "the state file keeps the key given by --signing-key ({}) only as a retired key: it was rotated \
                 out, and tokens are signed with another; drop --signing-key or start from a new state file",
                key.kid
            )
        } else {
            format!(
                "the state file has no signing key {} (the one given by --signing-key)",
                key.kid
            )
        });
    }
    Ok(())
}

/// An issuer is what a token's `iss` holds: not empty, no spaces or control characters.
fn check_issuer(issuer: String) -> Result<String, String> {
    if issuer.is_empty() || issuer.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("--issuer: an issuer is a non-empty URL or name without spaces".into());
    }
    Ok(issuer)
}
