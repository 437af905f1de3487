//! Names of what a run writes: a safe folder per KAM, readable file names inside, and the
//! language's file-name patterns (`[files]`), checked so that no name can leave the month folder.

use std::path::{Path, PathBuf};

use crate::lang::Lang;
use crate::period::Month;

/// Where one document goes inside the month folder: a folder (`""` for the summary) and a
/// file name without extension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocPath {
    pub folder: String,
    pub stem: String,
}

impl DocPath {
    /// The file's path inside the month folder for this extension.
    pub fn rel(&self, extension: &str) -> PathBuf {
        let file = format!("{}.{extension}", self.stem);
        if self.folder.is_empty() {
            PathBuf::from(file)
        } else {
            Path::new(&self.folder).join(file)
        }
    }

    /// [`DocPath::rel`] with `/` separators, as `index.csv` and the manifest write paths.
    pub fn rel_slash(&self, extension: &str) -> String {
        slash(&self.rel(extension))
    }
}

/// The month's document paths: for each KAM (in order) a unique slug folder — never the raw
/// name — with a readable file name inside (`files.plan` of the language), and the summary's
/// path at the top (`files.summary`).
///
/// The patterns come from the language files (`[files] plan`, `summary`), which a user may
/// override: [`check_patterns`] refuses one that could name a path before any of this runs.
pub fn document_paths<'a>(
    kams: impl IntoIterator<Item = &'a str>,
    lang: &Lang,
    period: Month,
) -> (Vec<DocPath>, DocPath) {
    let p = period.to_string();
    let kams: Vec<&str> = kams.into_iter().collect();
    let slugs = unique_slugs(kams.iter().copied());
    let plans = kams
        .iter()
        .zip(slugs)
        .map(|(kam, slug)| {
            let stem = lang.fill("files.plan", &[("kam", safe_file_part(kam, &slug)), ("period", p.clone())]);
            DocPath { folder: slug, stem }
        })
        .collect();
    let summary = DocPath { folder: String::new(), stem: lang.fill("files.summary", &[("period", p)]) };
    (plans, summary)
}

/// A path relative to the month folder with `/` separators, whatever the platform.
pub fn slash(p: &Path) -> String {
    p.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}

/// Windows device names that cannot be file names anywhere a plan may be copied to.
const RESERVED: &[&str] = &[
    "con", "prn", "aux", "nul", "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8", "com9",
    "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
];

/// A folder name for a KAM: ASCII lowercase letters, digits and dashes, never empty, never a
/// reserved device name. Accents are dropped (`Núñez` → `nunez`), compatibility forms made plain
/// (`ＡＢ` → `ab`), and letters that have no ASCII form of their own spelled out (`Søren` →
/// `soren`, `Łukasz` → `lukasz`, Greek and Cyrillic romanised, see [`super::translit`]); a name
/// with no such letter at all (Chinese, Arabic…) gets `kam`. Not unique by itself: see
/// [`unique_slugs`].
pub fn slug(name: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let mut s = String::new();
    let mut after = ' ';
    for ch in name.nfkd().flat_map(char::to_lowercase) {
        if unicode_normalization::char::is_combining_mark(ch) {
            continue;
        }
        let before = std::mem::replace(&mut after, ch);
        if ch.is_ascii_alphanumeric() {
            s.push(ch);
        } else if let Some(ascii) = super::translit::ascii(ch, before) {
            s.push_str(ascii);
        } else if !s.ends_with('-') && !s.is_empty() {
            s.push('-');
        }
    }
    let mut s = s.trim_matches('-').to_string();
    s.truncate(60);
    let s = s.trim_matches('-').to_string();
    if s.is_empty() {
        "kam".into()
    } else if RESERVED.contains(&s.as_str()) {
        format!("{s}-kam")
    } else {
        s
    }
}

/// Slugs for names in order, made unique (`ana`, `ana-2`, …) so two KAMs never share a folder.
pub fn unique_slugs<'a>(names: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    names
        .into_iter()
        .map(|n| {
            let base = slug(n);
            let mut s = base.clone();
            let mut i = 2;
            while !seen.insert(s.clone()) {
                s = format!("{base}-{i}");
                i += 1;
            }
            s
        })
        .collect()
}

/// A name made safe for a file name: keeps letters (accents too), digits, spaces and `.,-_()&'`;
/// anything else becomes `-`; trimmed, at most 80 characters, never empty.
pub fn safe_file_part(name: &str, fallback: &str) -> String {
    let cleaned: String =
        name.chars().map(|c| if c.is_alphanumeric() || " .,-_()&'".contains(c) { c } else { '-' }).collect();
    let collapsed = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out: String = collapsed.chars().take(80).collect();
    out = out.trim_matches(|c: char| c == '.' || c == ' ' || c == '-').to_string();
    if out.is_empty() || RESERVED.contains(&out.to_lowercase().as_str()) {
        fallback.to_string()
    } else {
        out
    }
}

/// The language keys whose patterns name the files a run writes.
pub const PATTERNS: [&str; 2] = ["files.plan", "files.summary"];

/// Characters no file name may hold: path separators, and what Windows refuses, where the
/// plans are often copied to.
const FORBIDDEN: &[char] = &['/', '\\', ':', '*', '?', '"', '<', '>', '|'];

/// Checks the language's file-name patterns (`[files] plan = "Plan {kam} {period}"`): each must
/// name one file inside its folder (each KAM's plan has its own folder) — not empty, no
/// separators or `..`, not absolute, not hidden, no control characters, at most 120
/// characters — whatever its placeholders become (a KAM's
/// part is made safe by [`safe_file_part`], the period is `YYYY-MM`).
///
/// # Errors
/// The key and what is wrong with its pattern: a configuration error.
pub fn check_patterns(lang: &Lang) -> Result<(), String> {
    for key in PATTERNS {
        let pattern = lang.get(key);
        let literal = pattern.replace("{kam}", "").replace("{period}", "");
        let why = if pattern.trim().is_empty() {
            Some("is empty: every file needs a name".to_string())
        } else if literal.contains("..") {
            Some("holds \"..\": a file name cannot climb out of its folder".to_string())
        } else if let Some(c) = literal.chars().find(|c| FORBIDDEN.contains(c) || c.is_control()) {
            Some(format!("holds {c:?}: a file name cannot hold / \\ : * ? \" < > | or control characters"))
        } else if pattern.starts_with('.') || pattern.starts_with(' ') {
            Some("starts with a dot or a space: the file would be hidden or lost".to_string())
        } else if pattern.chars().count() > 120 {
            Some("is longer than 120 characters".to_string())
        } else {
            None
        };
        if let Some(why) = why {
            let name = key.trim_start_matches("files.");
            return Err(format!("[files] {name} = {pattern:?} {why}"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_safe_and_unique() {
        let names = ["Lucía Pérez", "../../x", "CON", "Ana/Juan", "   ", "Ana Juan", "lucia perez"];
        let slugs = unique_slugs(names.iter().copied());
        assert_eq!(slugs, ["lucia-perez", "x", "con-kam", "ana-juan", "kam", "ana-juan-2", "lucia-perez-2"]);
        for s in &slugs {
            assert!(!s.contains('/') && !s.contains('.') && !s.is_empty());
        }
    }

    #[test]
    fn slugs_keep_every_letter_a_latin_greek_or_cyrillic_name_has() {
        for (name, want) in [
            ("Søren Kierkegaard", "soren-kierkegaard"),
            ("Łukasz Żółć", "lukasz-zolc"),
            ("Günter Straße", "gunter-strasse"),
            ("Işık Öztürk", "isik-ozturk"),
            ("İlkay Şahin", "ilkay-sahin"),
            ("Þóra Æsa Œuvre", "thora-aesa-oeuvre"),
            ("Đorđe Đukić", "dorde-dukic"),
            ("Дмитрий Щукин", "dmitrii-shchukin"),
            ("Олена Ґонта-Єфименко", "olena-gonta-yefimenko"),
            ("Γιώργος Παπαδόπουλος", "giorgos-papadopoulos"),
            ("ＡＢＣ ﬁnanzas", "abc-finanzas"),
            ("Mª José Nº 2", "ma-jose-no-2"),
        ] {
            assert_eq!(slug(name), want, "{name}");
        }
        // Scripts without an ASCII spelling keep a neutral, unique folder; their file name
        // inside keeps the name itself.
        assert_eq!(unique_slugs(["王伟", "李娜"]), ["kam", "kam-2"]);
        assert_eq!(unique_slugs(["王伟 (Norte)"]), ["norte"]);
    }

    #[test]
    fn file_parts_keep_accents_drop_separators() {
        assert_eq!(safe_file_part("José Ángel Núñez", "kam"), "José Ángel Núñez");
        assert_eq!(safe_file_part("../../etc/passwd", "kam"), "etc-passwd");
        assert_eq!(safe_file_part("Ana/Juan", "kam"), "Ana-Juan");
        assert_eq!(safe_file_part("  ", "kam"), "kam");
        assert_eq!(safe_file_part("CON", "con-kam"), "con-kam");
        assert_eq!(safe_file_part(&"x".repeat(300), "kam").chars().count(), 80);
    }

    #[test]
    fn document_paths_give_each_kam_its_own_folder_and_a_readable_name() {
        let lang = Lang::load("es", "€", None).unwrap();
        let period: Month = "2026-10".parse().unwrap();
        let (plans, summary) = document_paths(["Lucía Pérez", "lucia perez", "../x"], &lang, period);
        let folders: Vec<&str> = plans.iter().map(|p| p.folder.as_str()).collect();
        assert_eq!(folders, ["lucia-perez", "lucia-perez-2", "x"]);
        assert_eq!(plans[0].rel_slash("pdf"), "lucia-perez/Plan cuentas clave Lucía Pérez 2026-10.pdf");
        assert_eq!(summary.rel_slash("xlsx"), "Resumen 2026-10.xlsx");
    }

    /// A language whose `[files]` patterns are `plan` and `summary`.
    fn with_patterns(plan: &str, summary: &str) -> Lang {
        let dir = tempfile::tempdir().unwrap();
        let i18n = dir.path().join("i18n/es");
        std::fs::create_dir_all(&i18n).unwrap();
        std::fs::write(i18n.join("run.toml"), format!("[files]\nplan = {plan:?}\nsummary = {summary:?}\n"))
            .unwrap();
        Lang::load("es", "€", Some(dir.path())).unwrap()
    }

    #[test]
    fn file_name_patterns_never_name_a_path() {
        assert!(check_patterns(&Lang::load("es", "€", None).unwrap()).is_ok());
        assert!(check_patterns(&Lang::load("en", "€", None).unwrap()).is_ok());
        assert!(check_patterns(&with_patterns("Plan «{kam}» {period}", "Resumen {period}")).is_ok());
        for (plan, summary, want) in [
            ("../../../x {kam}", "Resumen {period}", "\"..\""),
            ("/tmp/x {kam}", "Resumen {period}", "'/'"),
            ("C:\\x {kam}", "Resumen {period}", "':'"),
            ("Plan {kam}", "", "empty"),
            ("Plan {kam}", "   ", "empty"),
            (".plan {kam}", "Resumen", "dot"),
            ("Plan\t{kam}", "Resumen", "control"),
        ] {
            let err = check_patterns(&with_patterns(plan, summary)).unwrap_err();
            assert!(err.contains(want), "{plan:?} {summary:?}: {err}");
        }
    }
}
