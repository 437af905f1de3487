//! The messages of a month: who gets which files (from `handover.json`), the words (the mail
//! templates, in the plans' language) and the MIME message lettre writes — text and HTML
//! alternatives, the files attached under their own names (RFC 2231 for non-ASCII names).
//!
//! A KAM without an email, an address that does not parse, a file over `max_attachment_mb`:
//! the message is not composed and a warning names the KAM and says what to do. Nothing here
//! ever makes an address up.

use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, Message, MultiPart, SinglePart};
use serde::Serialize;

use super::record::SentFile;
use super::{Month, Options, SendError};
use crate::classify::norm;
use crate::config::SendConfig;
use crate::plan::handover::{HandoverAccount, HandoverKam};
use crate::templating::{Templates, MAIL_HTML, MAIL_SUBJECT, MAIL_TEXT};

/// A file attached as published.
#[derive(Debug, Clone)]
pub struct Attached {
    /// Path in the month folder (`lucia-perez/Plan … .pdf`).
    pub path: String,
    pub bytes: Vec<u8>,
    pub sha256: String,
}

impl Attached {
    /// The name the recipient sees: the file's own name.
    pub fn name(&self) -> &str {
        self.path.rsplit('/').next().unwrap_or(&self.path)
    }
}

/// One message ready to go.
#[derive(Debug, Clone)]
pub struct Outgoing {
    /// What it hands over, for the record: `kam:<name>` or `summary`.
    pub key: String,
    pub kam: Option<String>,
    /// How messages name it to people: `KAM Lucía Pérez`, `management summary`.
    pub who: String,
    /// A file-name-safe name (for `.eml` files).
    pub slug: String,
    pub to: Vec<Mailbox>,
    pub cc: Vec<Mailbox>,
    pub files: Vec<Attached>,
    pub subject: String,
    pub text: String,
    pub html: String,
}

impl Outgoing {
    /// The recipients' addresses as the record keeps them.
    pub fn to_addresses(&self) -> Vec<String> {
        self.to.iter().map(|m| m.email.to_string()).collect()
    }

    /// The copied addresses.
    pub fn cc_addresses(&self) -> Vec<String> {
        self.cc.iter().map(|m| m.email.to_string()).collect()
    }

    /// The files as the record keeps them.
    pub fn record_files(&self) -> Vec<SentFile> {
        self.files
            .iter()
            .map(|f| SentFile { path: f.path.clone(), bytes: f.bytes.len() as u64, sha256: f.sha256.clone() })
            .collect()
    }

    /// The MIME message: `multipart/mixed` of a text/HTML alternative and the attachments.
    pub fn message(&self, sender: &Sender, message_id: &str) -> Result<Message, String> {
        let mut b = Message::builder()
            .from(sender.from.clone())
            .subject(self.subject.clone())
            .message_id(Some(message_id.to_string()))
            .user_agent(format!("kamplan {}", env!("CARGO_PKG_VERSION")));
        if let Some(r) = &sender.reply_to {
            b = b.reply_to(r.clone());
        }
        for m in &self.to {
            b = b.to(m.clone());
        }
        for m in &self.cc {
            b = b.cc(m.clone());
        }
        let mut body = MultiPart::mixed()
            .multipart(MultiPart::alternative_plain_html(self.text.clone(), self.html.clone()));
        for f in &self.files {
            let part: SinglePart =
                Attachment::new(f.name().to_string()).body(f.bytes.clone(), content_type(&f.path));
            body = body.singlepart(part);
        }
        b.multipart(body).map_err(|e| format!("{}: {e}", self.who))
    }
}

fn content_type(path: &str) -> ContentType {
    let ext = path.rsplit('.').next().unwrap_or("").to_lowercase();
    let mime = match ext.as_str() {
        "pdf" => "application/pdf",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "csv" => "text/csv",
        _ => "application/octet-stream",
    };
    ContentType::parse(mime).unwrap_or(ContentType::TEXT_PLAIN)
}

/// Who the messages are from, and where replies go.
#[derive(Debug, Clone)]
pub struct Sender {
    pub from: Mailbox,
    pub reply_to: Option<Mailbox>,
}

impl Sender {
    /// `[send] from` and `reply_to`, checked.
    pub fn from_config(cfg: &SendConfig) -> Result<Sender, SendError> {
        if cfg.from.trim().is_empty() {
            return Err(SendError::config(
                "from",
                "is not set: it is the address the plans are sent from, e.g. from = \"Ventas <ventas@example.com>\"",
            ));
        }
        let from = parse_mailbox(&cfg.from).map_err(|e| SendError::config("from", &e))?;
        let reply_to = match cfg.reply_to.trim() {
            "" => None,
            r => Some(parse_mailbox(r).map_err(|e| SendError::config("reply_to", &e))?),
        };
        Ok(Sender { from, reply_to })
    }

    /// The address people reply to.
    pub fn reply_address(&self) -> String {
        self.reply_to.as_ref().unwrap_or(&self.from).email.to_string()
    }
}

/// A mailbox as people write them: `a@b.es` or `Name <a@b.es>`.
pub fn parse_mailbox(text: &str) -> Result<Mailbox, String> {
    text.trim().parse::<Mailbox>().map_err(|e| format!("{:?} is not a valid address ({e})", text.trim()))
}

/// What the mail templates get as `mail`.
#[derive(Serialize)]
struct MailContext<'a> {
    /// `kam` (a KAM's plan) or `summary` (the management summary).
    kind: &'static str,
    /// The KAM's entry (for `kam`).
    kam: Option<&'a HandoverKam>,
    /// The KAM's accounts needing attention this month.
    attention: Vec<&'a HandoverAccount>,
    /// Period, window, company figures.
    month: &'a crate::plan::handover::Handover,
    /// Every KAM in a line (for the summary).
    kams: Vec<KamLine<'a>>,
    /// The plan of key accounts nobody owns, attached to the summary.
    unassigned: Option<&'a HandoverKam>,
    /// The attached files: `name`, `size`.
    files: Vec<FileInfo>,
    /// The address replies go to.
    reply_to: String,
}

/// A KAM as the summary mail lists them.
#[derive(Serialize)]
struct KamLine<'a> {
    kam: &'a str,
    email: Option<&'a str>,
    unassigned: bool,
    key_accounts: u32,
    sales: f64,
    /// Accounts needing attention this month.
    attention: usize,
}

fn kam_lines(h: &crate::plan::handover::Handover) -> Vec<KamLine<'_>> {
    h.kams
        .iter()
        .map(|k| KamLine {
            kam: &k.kam,
            email: k.email.as_deref(),
            unassigned: k.unassigned,
            key_accounts: k.key_accounts,
            sales: k.sales,
            attention: k.accounts.iter().filter(|a| !a.attention.is_empty()).count(),
        })
        .collect()
}

#[derive(Serialize)]
struct FileInfo {
    name: String,
    size: String,
}

/// The month's messages, in sending order (KAMs by the plans' order, then the summary), and
/// the warnings of those that cannot be composed.
pub struct Composed {
    pub messages: Vec<Outgoing>,
    pub warnings: Vec<String>,
    /// Said, but not a warning (e.g. no `management`: the summary is not sent).
    pub notes: Vec<String>,
}

/// Composes every message `opts` asks for.
///
/// # Errors
/// `--kam` names no KAM of the month; a `management` address does not parse; a template fails;
/// a file no longer matches the manifest.
pub fn compose(
    month: &Month,
    cfg: &SendConfig,
    opts: &Options,
    sender: &Sender,
    templates: &Templates,
) -> Result<Composed, SendError> {
    let h = &month.handover;
    for w in &opts.kams {
        if !h.kams.iter().any(|k| !k.unassigned && norm(&k.kam) == norm(w)) {
            let known: Vec<&str> = h.kams.iter().filter(|k| !k.unassigned).map(|k| k.kam.as_str()).collect();
            return Err(SendError::Usage(format!(
                "--kam {w:?}: no KAM of that name has a plan in {}; KAMs: {}",
                h.period,
                known.join(", ")
            )));
        }
    }
    let test_to = match &opts.to {
        Some(a) => Some(parse_mailbox(a).map_err(|e| SendError::Usage(format!("--to: {e}")))?),
        None => None,
    };
    let max_bytes = (cfg.max_attachment_mb * 1_000_000.0) as u64;
    let mut out = Composed { messages: Vec::new(), warnings: Vec::new(), notes: Vec::new() };
    // Managers without an address, with their KAMs: one warning each, not one per KAM.
    let mut no_manager_email: std::collections::BTreeMap<String, Vec<String>> = Default::default();

    for k in h.kams.iter().filter(|k| !k.unassigned) {
        if !opts.kams.is_empty() && !opts.kams.iter().any(|w| norm(w) == norm(&k.kam)) {
            continue;
        }
        let who = format!("KAM {}", k.kam);
        let to = match (&test_to, k.email.as_deref().map(str::trim).filter(|e| !e.is_empty())) {
            (Some(t), _) => t.clone(),
            (None, None) => {
                out.warnings.push(format!(
                    "{who} has no email in the KAM directory: not sent; add it there and publish again \
                     (`kamplan run --kam \"{}\"`), or hand the plan over by hand",
                    k.kam
                ));
                continue;
            }
            (None, Some(e)) => match e.parse() {
                Ok(addr) => Mailbox::new(Some(k.kam.clone()), addr),
                Err(err) => {
                    out.warnings.push(format!(
                        "{who}: the KAM directory's email {e:?} is not a valid address ({err}): not sent; \
                         correct it there and publish again"
                    ));
                    continue;
                }
            },
        };
        let mut cc = Vec::new();
        if cfg.cc_manager && test_to.is_none() {
            if let Some(manager) = &k.manager {
                match k.manager_email.as_deref().map(|e| (e, e.parse())) {
                    Some((_, Ok(addr))) => cc.push(Mailbox::new(Some(manager.clone()), addr)),
                    Some((e, Err(err))) => out.warnings.push(format!(
                        "{who}: the manager's address {e:?} is not valid ({err}): sent without copy; correct \
                         it in the KAM directory, or set [send] cc_manager = false"
                    )),
                    None => no_manager_email.entry(manager.clone()).or_default().push(k.kam.clone()),
                }
            }
        }
        let Some(files) = attach(month, &k.files, &who, max_bytes, cfg.max_attachment_mb, &mut out.warnings)?
        else {
            continue;
        };
        let attention = k.accounts.iter().filter(|a| !a.attention.is_empty()).collect();
        let ctx = MailContext {
            kind: "kam",
            kam: Some(k),
            attention,
            month: h,
            kams: Vec::new(),
            unassigned: None,
            files: file_infos(&files),
            reply_to: sender.reply_address(),
        };
        let (subject, text, html) = render(templates, &ctx, &who)?;
        out.messages.push(Outgoing {
            key: format!("kam:{}", k.kam),
            kam: Some(k.kam.clone()),
            slug: crate::publish::slug(&k.kam),
            who,
            to: vec![to],
            cc,
            files,
            subject,
            text,
            html,
        });
    }

    for (manager, kams) in no_manager_email {
        out.warnings.push(format!(
            "manager {manager:?} (of {}) has no email: sent without copy; give the KAM directory a row for \
             {manager:?} with an email (or write the address in the manager column), or set [send] cc_manager = false",
            kams.join(", ")
        ));
    }

    // The summary (with the plan of unassigned key accounts) goes to management.
    if !opts.kams.is_empty() {
        return Ok(out);
    }
    let unassigned = h.kams.iter().find(|k| k.unassigned);
    let to: Vec<Mailbox> = match &test_to {
        Some(t) => vec![t.clone()],
        None => cfg
            .management
            .iter()
            .map(|a| parse_mailbox(a).map_err(|e| SendError::config("management", &e)))
            .collect::<Result<_, _>>()?,
    };
    if to.is_empty() {
        out.notes.push("[send] management is empty: the management summary is not sent".into());
        if let Some(u) = unassigned {
            out.warnings.push(format!(
                "the plan of key accounts without a KAM ({}) is not sent: set [send] management to send it \
                 with the summary",
                u.kam
            ));
        }
        return Ok(out);
    }
    let who = "management summary".to_string();
    let mut paths = h.summary_files.clone();
    if let Some(u) = unassigned {
        paths.extend(u.files.iter().cloned());
    }
    let Some(files) = attach(month, &paths, &who, max_bytes, cfg.max_attachment_mb, &mut out.warnings)?
    else {
        return Ok(out);
    };
    let ctx = MailContext {
        kind: "summary",
        kam: None,
        attention: Vec::new(),
        month: h,
        kams: kam_lines(h),
        unassigned,
        files: file_infos(&files),
        reply_to: sender.reply_address(),
    };
    let (subject, text, html) = render(templates, &ctx, &who)?;
    out.messages.push(Outgoing {
        key: "summary".into(),
        kam: None,
        slug: "summary".into(),
        who,
        to,
        cc: Vec::new(),
        files,
        subject,
        text,
        html,
    });
    Ok(out)
}

/// The files of a message, read and checked against the manifest; `None` (with a warning)
/// when there are none or one is too large to send.
fn attach(
    month: &Month,
    paths: &[String],
    who: &str,
    max_bytes: u64,
    max_mb: f64,
    warnings: &mut Vec<String>,
) -> Result<Option<Vec<Attached>>, SendError> {
    if paths.is_empty() {
        warnings.push(format!("{who}: the month has no file to send: not sent"));
        return Ok(None);
    }
    let mut files = Vec::new();
    for p in paths {
        let size = month.size(p)?;
        if size > max_bytes {
            warnings.push(format!(
                "{who}: {p} is {}, over [send] max_attachment_mb = {max_mb}: not sent; raise the limit if \
                 your server takes it, or hand it over another way",
                super::transport::size(size)
            ));
            return Ok(None);
        }
        let (bytes, sha256) = month.read(p)?;
        files.push(Attached { path: p.clone(), bytes, sha256 });
    }
    Ok(Some(files))
}

fn file_infos(files: &[Attached]) -> Vec<FileInfo> {
    files
        .iter()
        .map(|f| FileInfo { name: f.name().to_string(), size: super::transport::size(f.bytes.len() as u64) })
        .collect()
}

/// Subject (one line), text and HTML bodies.
fn render(
    templates: &Templates,
    ctx: &MailContext,
    who: &str,
) -> Result<(String, String, String), SendError> {
    let r = |name: &str| {
        templates.render_mail(name, ctx).map_err(|e| SendError::Usage(format!("{who}: mail template: {e}")))
    };
    let subject = r(MAIL_SUBJECT)?.split_whitespace().collect::<Vec<_>>().join(" ");
    Ok((subject, r(MAIL_TEXT)?, r(MAIL_HTML)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::Lang;
    use crate::plan::handover::Handover;
    use crate::plan::{build, fixtures};

    /// A label key (`mail.x`) or a placeholder (`{name}`) left in the text.
    fn leaks(text: &str) -> bool {
        text.contains('{') || text.split_whitespace().any(|w| w.starts_with("mail."))
    }

    #[test]
    fn mail_templates_render_in_both_languages_without_leaking_keys() {
        for (code, greeting, next) in
            [("es", "Hola Ana Pérez:", "Próxima reunión: "), ("en", "Hello Ana Pérez,", "Next meeting: ")]
        {
            let lang = Lang::load(code, "€", None).unwrap();
            let (templates, _) = Templates::load(None, &lang).unwrap();
            let data = fixtures::dataset();
            let inputs = crate::plan::Inputs::from_dataset(&data);
            let plans = build(&fixtures::classification(), &data, &inputs, &fixtures::config(), &lang);
            let files: Vec<Vec<String>> =
                plans.kams.iter().map(|k| vec![format!("{}/p.pdf", k.kam)]).collect();
            let h = Handover::build(&plans, &files, vec!["Resumen.pdf".into()]);
            let k = &h.kams[0];
            let kam = MailContext {
                kind: "kam",
                kam: Some(k),
                attention: k.accounts.iter().filter(|a| !a.attention.is_empty()).collect(),
                month: &h,
                kams: Vec::new(),
                unassigned: None,
                files: vec![FileInfo { name: "p.pdf".into(), size: "3 KB".into() }],
                reply_to: "ventas@x.es".into(),
            };
            let (subject, text, html) = render(&templates, &kam, "test").unwrap();
            assert!(subject.contains(&k.kam) && subject.contains(&h.period_label) && !subject.contains('\n'));
            assert!(text.starts_with(greeting), "{text}");
            assert!(text.contains(next) && text.contains("ventas@x.es"), "{text}");
            for a in &k.accounts {
                assert!(text.contains(&a.name), "{code}: {} missing", a.name);
                for why in &a.attention {
                    assert!(text.contains(why.as_str()), "{code}: {why}");
                }
            }
            assert!(!leaks(&text) && !leaks(&html), "{code}: {text}");
            assert!(html.starts_with("<!DOCTYPE html>") && html.trim_end().ends_with("</html>"));

            let summary = MailContext {
                kind: "summary",
                kam: None,
                attention: Vec::new(),
                month: &h,
                kams: kam_lines(&h),
                unassigned: h.kams.iter().find(|k| k.unassigned),
                files: Vec::new(),
                reply_to: "ventas@x.es".into(),
            };
            let (subject, text, html) = render(&templates, &summary, "test").unwrap();
            assert!(subject.contains(&h.period_label), "{subject}");
            for k in &h.kams {
                assert!(text.contains(&k.kam), "{code}: {} missing from the summary mail", k.kam);
            }
            assert!(!leaks(&text) && !leaks(&html), "{code}: {text}");
        }
    }
}
