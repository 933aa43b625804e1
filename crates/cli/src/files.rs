//! Files that hold secrets: read only when private to their owner, created private to their owner.

use std::io::{IsTerminal as _, Read as _, Write as _};
use std::path::Path;

use crate::exit::Failure;

/// Reads a secret from `path` (`-`: standard input, refused from a terminal, where it would be echoed), refusing
/// a file that others can read or write. The file is opened once and its mode checked on the open handle, so
/// that it cannot be swapped between the check and the read. The trailing newline is dropped; the error names
/// the file, never its content.
pub fn read_secret(path: &Path, what: &str) -> Result<String, Failure> {
    let mut text = String::new();
    if path == Path::new("-") {
        let stdin = std::io::stdin();
        if stdin.is_terminal() {
            return Err(Failure::usage(format!(
                "{what} is read from standard input: pipe it in (it would be shown on a terminal)"
            )));
        }
        stdin
            .lock()
            .read_to_string(&mut text)
            .map_err(|e| Failure::usage(format!("cannot read {what} from standard input: {e}")))?;
    } else {
        let cannot =
            |e: std::io::Error| Failure::usage(format!("cannot read {}: {e}", path.display()));
        let mut file = std::fs::File::open(path).map_err(cannot)?;
        let metadata = file.metadata().map_err(cannot)?;
        check_private(path, &metadata)?;
        file.read_to_string(&mut text).map_err(cannot)?;
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
    if !metadata.is_file() {
        return Err(Failure::usage(format!(
            "{} is not a regular file",
            path.display()
        )));
    }
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

/// Appends one line to a file made by [`create_private`] and syncs it to disk before returning: a line written
/// is never lost by a later failure or crash, and lines already written are never rewritten.
/// A line that could not be written whole is cut off again, so that the file holds only whole lines.
pub fn append_line(file: &mut std::fs::File, line: &[u8]) -> std::io::Result<()> {
    use std::io::Seek as _;
    let mut buffer = Vec::with_capacity(line.len() + 1);
    buffer.extend_from_slice(line);
    buffer.push(b'\n');
    let before = file.stream_position()?;
    let written = file.write_all(&buffer).and_then(|()| file.sync_data());
    if written.is_err() {
        let _ = file.set_len(before);
        let _ = file.seek(std::io::SeekFrom::Start(before));
        let _ = file.sync_data();
    }
    written
}

/// Syncs the directory holding a file just created, so that the file's name survives a crash (POSIX).
pub fn sync_parent(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        let parent = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        std::fs::File::open(parent)?.sync_all()?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}
