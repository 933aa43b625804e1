//! The state file: the engine saved after every change, atomically (write a temporary file, sync, rename), so a
//! crash leaves either the old state or the new one, never a torn file.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use stytch_m2m_mock::engine::Snapshot;

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

    /// Saves atomically.
    pub fn save(&self, snapshot: &Snapshot) -> std::io::Result<()> {
        let bytes = serde_json::to_vec_pretty(snapshot).map_err(std::io::Error::other)?;
        let mut tmp = self.path.clone().into_os_string();
        tmp.push(".tmp");
        let tmp = PathBuf::from(tmp);
        {
            let mut file = std::fs::File::create(&tmp)?;
            file.write_all(&bytes)?;
            file.sync_all()?;
        }
        std::fs::rename(&tmp, &self.path)?;
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            // Make the rename itself durable (best effort: not every platform can sync a directory).
            let _ = std::fs::File::open(dir).and_then(|d| d.sync_all());
        }
        Ok(())
    }
}
