//! `kamplan init`: write the default templates, language files and a commented kamplan.toml.

use anyhow::Context;

use crate::{cli, lang, templating, Failure, Outcome};

/// The commented config `kamplan init` writes: every key with its default.
pub const CONFIG_TEMPLATE: &str = include_str!("../../templates/kamplan.toml");

/// `kamplan init`: write the default templates, language files and a commented kamplan.toml
/// into a folder; files already there are kept.
pub fn init(args: &cli::InitArgs) -> Result<Outcome, Failure> {
    let dir = &args.dir;
    std::fs::create_dir_all(dir)
        .with_context(|| format!("creating {}", dir.display()))
        .map_err(Failure::Output)?;
    let mut files: Vec<(String, &str)> =
        templating::embedded().iter().map(|(n, t)| (n.to_string(), *t)).collect();
    files.extend(lang::embedded_files());
    files.push(("kamplan.toml".into(), CONFIG_TEMPLATE));
    let mut kept = 0;
    let mut written = String::new();
    for (rel, text) in files {
        let path = dir.join(&rel);
        if path.exists() {
            super::say(&format!("kamplan: kept {} (exists)", path.display()));
            kept += 1;
            continue;
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating {}", parent.display()))
                .map_err(Failure::Output)?;
        }
        std::fs::write(&path, text)
            .with_context(|| format!("writing {}", path.display()))
            .map_err(Failure::Output)?;
        written += &format!("{}\n", path.display());
    }
    // The files are written: a stdout that cannot take their list is a warning, not a failure.
    let outcome = match super::print_out(&written) {
        Ok(()) => Outcome::Done,
        Err(e) => {
            super::say(&format!("kamplan: warning: {e}; the files are written in {}", dir.display()));
            Outcome::Warnings
        }
    };
    super::say(&format!(
        "kamplan: edit the files, then: kamplan run -c {0}/kamplan.toml --templates {0} <books>{1}",
        dir.display(),
        if kept > 0 { format!(" ({kept} existing files kept)") } else { String::new() }
    ));
    Ok(outcome)
}
