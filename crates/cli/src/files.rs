//! Files that hold secrets: read only when private to their owner, created private to their owner.

use std::io::{Read as _, Write as _};
use std::path::Path;

use crate::exit::Failure;

/// Reads a secret from `path` (`-`: standard input), refusing a file that others can read or write. The trailing
/// newline is dropped; the error names the file, never its content.
pub fn read_secret(path: &Path, what: &str) -> Result<String, Failure> {
    let mut text = String::new();
    if path == Path::new("-") {
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| Failure::usage(format!("cannot read {what} from standard input: {e}")))?;
    } else {
        let metadata = std::fs::metadata(path)
            .map_err(|e| Failure::usage(format!("cannot read {}: {e}", path.display())))?;
        check_private(path, &metadata)?;
        text = std::fs::read_to_string(path)
            .map_err(|e| Failure::usage(format!("cannot read {}: {e}", path.display())))?;
    }
    let secret = text.trim_end_matches(['\n', '\r']).to_owned();
    if secret.is_empty() {
        return Err(Failure::usage(format!("{what} is empty")));
    }
    Ok(secret)
}

#[cfg(unix)]
fn check_private(path: &Path, metadata: &std::fs::Metadata) -> Result<(), Failure> {
    use std::os::unix::fs::PermissionsExt as _;
    let mode = metadata.permissions().mode();
    if mode & 0o077 != 0 {
        return Err(Failure::usage(format!(
            "{} is accessible to other users (mode {:o}); make it private: chmod 600 {}",
            path.display(),
            mode & 0o777,
            path.display()
        )));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_: &Path, _: &std::fs::Metadata) -> Result<(), Failure> {
    Ok(())
}

/// A new file, private to its owner from the moment it exists (mode 0600); an existing file is refused, so that
/// secrets saved earlier are never overwritten.
pub fn create_private(path: &Path) -> Result<std::fs::File, Failure> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    options.open(path).map_err(|e| {
        Failure::usage(format!(
            "cannot create {} (it must not exist yet): {e}",
            path.display()
        ))
    })
}

/// Replaces the content of a file made by [`create_private`] (still 0600), flushed to disk.
pub fn rewrite(file: &mut std::fs::File, content: &[u8]) -> std::io::Result<()> {
    use std::io::Seek as _;
    file.set_len(0)?;
    file.seek(std::io::SeekFrom::Start(0))?;
    file.write_all(content)?;
    file.sync_all()
}
