//! `cargo xtask image`: the emulator's container image. A static binary of the emulator
//! (`x86_64-unknown-linux-gnu` with `crt-static`, stripped) in an image `FROM scratch` holding only it
//! (`crates/emulator/image/Dockerfile`), tagged `stytch-m2m-emulator:latest` and `stytch-m2m-emulator:{version}`.
//!
//! No image is pulled: `FROM scratch` needs none. The build uses Docker's classic builder when BuildKit's
//! `buildx` is not installed (as with Debian's `docker.io`).

use std::path::{Path, PathBuf};
use std::process::Command;

/// The image's repository name.
pub const IMAGE: &str = "stytch-m2m-emulator";

/// The target the static binary is built for.
pub const TARGET: &str = "x86_64-unknown-linux-gnu";

/// What was built.
#[derive(Debug)]
pub struct Built {
    /// The tags given to the image.
    pub tags: Vec<String>,
    /// The static binary inside it.
    pub binary: PathBuf,
    /// The image's size in bytes, as Docker reports it.
    pub size: u64,
}

/// Builds the static binary, then the image (unless `binary_only`).
pub fn build(root: &Path, binary_only: bool) -> Result<Option<Built>, String> {
    let binary = static_binary(root)?;
    if binary_only {
        println!("built {}", binary.display());
        return Ok(None);
    }
    let version = workspace_version(root)?;
    let context = root.join("target").join("image");
    if context.exists() {
        std::fs::remove_dir_all(&context)
            .map_err(|e| format!("cannot clear {}: {e}", context.display()))?;
    }
    std::fs::create_dir_all(context.join("data"))
        .map_err(|e| format!("cannot create {}: {e}", context.display()))?;
    copy(&binary, &context.join(IMAGE))?;
    copy(
        &root.join("crates/emulator/image/Dockerfile"),
        &context.join("Dockerfile"),
    )?;
    let tags = vec![format!("{IMAGE}:latest"), format!("{IMAGE}:{version}")];
    let mut docker = Command::new("docker");
    docker
        .arg("build")
        .args(["--build-arg", &format!("VERSION={version}")])
        .args(tags.iter().flat_map(|t| ["--tag", t.as_str()]))
        .arg(&context);
    if !buildx_installed() {
        docker.env("DOCKER_BUILDKIT", "0");
    }
    run(&mut docker, "docker build")?;
    let size = image_size(&tags[0])?;
    println!(
        "built {} ({:.1} MB)",
        tags.join(", "),
        size as f64 / 1_000_000.0
    );
    Ok(Some(Built { tags, binary, size }))
}

/// `cargo build --release` of the emulator as a static, stripped executable; its path.
fn static_binary(root: &Path) -> Result<PathBuf, String> {
    // RUSTFLAGS reach only the target's crates when `--target` is given, so build scripts stay dynamic (as they
    // must) while the emulator links glibc (and aws-lc) statically.
    let mut cargo = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cargo
        .current_dir(root)
        .args([
            "build",
            "--release",
            "--locked",
            "-p",
            IMAGE,
            "--bin",
            IMAGE,
        ])
        .args(["--target", TARGET])
        .env("RUSTFLAGS", "-C target-feature=+crt-static")
        .env("CARGO_PROFILE_RELEASE_STRIP", "symbols");
    run(&mut cargo, "cargo build (static emulator)")?;
    Ok(root.join("target").join(TARGET).join("release").join(IMAGE))
}

/// `version` of `[workspace.package]` in the root `Cargo.toml`.
pub fn workspace_version(root: &Path) -> Result<String, String> {
    let manifest = std::fs::read_to_string(root.join("Cargo.toml"))
        .map_err(|e| format!("cannot read Cargo.toml: {e}"))?;
    let mut in_package = false;
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_package = line == "[workspace.package]";
        } else if let Some(value) = line
            .strip_prefix("version")
            .map(str::trim_start)
            .and_then(|rest| rest.strip_prefix('='))
            .filter(|_| in_package)
        {
            return Ok(value.trim().trim_matches('"').to_owned());
        }
    }
    Err("Cargo.toml has no [workspace.package] version".into())
}

fn buildx_installed() -> bool {
    Command::new("docker")
        .args(["buildx", "version"])
        .output()
        .is_ok_and(|o| o.status.success())
}

fn image_size(tag: &str) -> Result<u64, String> {
    let output = Command::new("docker")
        .args(["image", "inspect", "--format", "{{.Size}}", tag])
        .output()
        .map_err(|e| format!("cannot run docker: {e}"))?;
    String::from_utf8_lossy(&output.stdout)
        .trim()
        .parse()
        .map_err(|_| format!("docker image inspect {tag} gave no size"))
}

fn copy(from: &Path, to: &Path) -> Result<(), String> {
    std::fs::copy(from, to)
        .map(drop)
        .map_err(|e| format!("cannot copy {} to {}: {e}", from.display(), to.display()))
}

fn run(command: &mut Command, what: &str) -> Result<(), String> {
    match command.status() {
        Ok(status) if status.success() => Ok(()),
        Ok(status) => Err(format!("{what} failed ({status})")),
        Err(e) => Err(format!("cannot run {what}: {e}")),
    }
}
