//! The state file: the engine saved after every change, atomically (write a temporary file, sync, rename, sync
//! the directory), so a crash leaves either the old state or the new one, never a torn file.
//!
//! It holds the project secret and the signing keys' private parts, so the file is created `0600`, through a
//! temporary file with a unique name created exclusively (an existing path, or a symlink planted there, is never
//! written through).

use std::io::Write as _;
use std::path::{Path, PathBuf};

use stytch_m2m_mock::Snapshot;

/// Where the state lives.
#[derive(Clone, Debug)]
pub struct StateFile {
    path: PathBuf,
}

impl StateFile {
    /// A state file at `path` (created on the first change).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    /// The path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The saved state; `Ok(None)` when there is no file yet; an error naming the file when it cannot be trusted.
    pub fn load(&self) -> Result<Option<Snapshot>, String> {
        let text = match std::fs::read(&self.path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(format!(
                    "cannot read the state file {}: {e}",
                    self.path.display()
                ));
            }
        };
        serde_json::from_slice(&text).map(Some).map_err(|e| {
            format!(
                "the state file {} is corrupt ({e}); move it away to start empty",
                self.path.display()
            )
        })
    }

    /// Saves atomically: a new temporary file beside the state file (unique name, created exclusively, mode
    /// `0600`), written and synced, renamed over the state file, then the directory synced.
    pub fn save(&self, snapshot: &Snapshot) -> std::io::Result<()> {
        let bytes = serde_json::to_vec_pretty(snapshot).map_err(std::io::Error::other)?;
        let mut tmp = self.path.clone().into_os_string();
        tmp.push(format!(
            ".{}.{:016x}.tmp",
            std::process::id(),
            fastrand::u64(..)
        ));
        let tmp = PathBuf::from(tmp);
        let written = (|| {
            let mut file = private_new_file(&tmp)?;
            file.write_all(&bytes)?;
            file.sync_all()?;
            std::fs::rename(&tmp, &self.path)
        })();
        if let Err(e) = written {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
        // Make the rename itself durable; `state.json` lives in `.`.
        let dir = match self.path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        sync_dir(dir)
    }
}

/// Creates a new file, failing if anything (a file, a directory, a symlink) is already at `path`; `0600` on Unix.
fn private_new_file(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

#[cfg(unix)]
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
fn sync_dir(_: &Path) -> std::io::Result<()> {
    // Directories cannot be opened for syncing here; the rename is as durable as the platform makes it.
    Ok(())
}
