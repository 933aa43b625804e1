//! The `stytch-m2m` binary.

fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(stytch_m2m_cli::run(std::env::args_os()))
}
