//! `cargo xtask man`: the man pages of the `stytch-m2m` command line, generated from its clap definition (so they
//! never drift from `--help`): `stytch-m2m.1`, and one page per subcommand (`stytch-m2m-clients-list.1`, …).

use std::path::Path;

/// Writes every page into `dir`; returns how many.
pub fn write(dir: &Path) -> Result<usize, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut count = 0;
    write_tree(stytch_m2m_cli::command(), dir, &mut count)?;
    Ok(count)
}

fn write_tree(command: clap::Command, dir: &Path, count: &mut usize) -> Result<(), String> {
    let command = command.disable_help_subcommand(true);
    let name = command
        .get_display_name()
        .unwrap_or(command.get_name())
        .to_owned();
    let mut page = Vec::new();
    clap_mangen::Man::new(command.clone())
        .render(&mut page)
        .map_err(|e| format!("{name}: {e}"))?;
    let file = dir.join(format!("{name}.1"));
    std::fs::write(&file, page).map_err(|e| format!("{}: {e}", file.display()))?;
    *count += 1;
    for sub in command.get_subcommands() {
        if sub.get_name() == "help" {
            continue;
        }
        let sub = sub
            .clone()
            .display_name(format!("{name}-{}", sub.get_name()))
            .bin_name(format!("{name} {}", sub.get_name()));
        write_tree(sub, dir, count)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_page_per_command() {
        let dir = std::env::temp_dir().join(format!("xtask-man-{}", std::process::id()));
        let pages = super::write(&dir).unwrap();
        let main = std::fs::read_to_string(dir.join("stytch-m2m.1")).unwrap();
        let rotate =
            std::fs::read_to_string(dir.join("stytch-m2m-clients-secrets-rotate-start.1")).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(pages >= 14, "{pages}");
        assert!(
            main.contains(".TH stytch-m2m") && main.contains("Exit codes"),
            "{main}"
        );
        assert!(rotate.contains("rotation"), "{rotate}");
    }
}
