//! `[send]`: how the month is handed over by email, and the checks serde cannot make (an
//! unencrypted connection only to this machine, sane timeouts and retries).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{Config, ConfigError};

/// How `kamplan send` hands messages over.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum SendTransport {
    /// An SMTP server: `host`, `port`, `security`, `user`.
    #[default]
    Smtp,
    /// The machine's own mail transfer agent (`sendmail` on the PATH).
    Sendmail,
}

/// How the SMTP connection is protected.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum Security {
    /// Plain connection upgraded with STARTTLS, which the server must offer (port 587).
    #[default]
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption: only for a relay on this machine (`localhost`, `127.0.0.1`, `::1`).
    None,
}

impl Security {
    /// The usual port of each kind of connection.
    pub fn default_port(self) -> u16 {
        match self {
            Security::Starttls => 587,
            Security::Tls => 465,
            Security::None => 25,
        }
    }
}

/// `[send]`: who gets the month's plans by email and through which server. The password is
/// never here: it comes from the environment variable `KAMPLAN_SMTP_PASSWORD`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct SendConfig {
    /// "smtp" (default) or "sendmail" (the local mail transfer agent).
    pub transport: SendTransport,
    /// SMTP server name.
    pub host: String,
    /// SMTP port. Unset: 587 for starttls, 465 for tls, 25 for none.
    pub port: Option<u16>,
    /// "starttls" (default), "tls", or "none" (only for a relay on localhost).
    pub security: Security,
    /// A PEM file of certificate authorities trusted for the server's certificate besides the
    /// built-in web roots (a company's own CA); relative to the config file's folder.
    pub ca_file: Option<PathBuf>,
    /// SMTP login; its password comes from `KAMPLAN_SMTP_PASSWORD`. Empty: no login.
    pub user: String,
    /// Sender, e.g. `"Ventas <ventas@example.com>"`.
    pub from: String,
    /// Where replies go, when not to `from`.
    pub reply_to: String,
    /// Seconds to wait for the server before a try counts as failed.
    pub timeout_s: u64,
    /// Who gets the management summary (and the plan of unassigned key accounts).
    pub management: Vec<String>,
    /// Copy each KAM's manager (the KAM directory's manager column) on their message.
    pub cc_manager: bool,
    /// Largest attachment sent, in MB; a message with a larger file is not sent (a warning).
    pub max_attachment_mb: f64,
    /// `kamplan run` sends right after a successful publish, as with `--send`.
    pub after_run: bool,
    /// Tries again after an unreachable server, a timeout or a 4xx reply, this many times.
    pub retries: u32,
    /// Seconds before the first retry; each next wait doubles.
    pub backoff_s: f64,
}

impl Default for SendConfig {
    fn default() -> Self {
        SendConfig {
            transport: SendTransport::Smtp,
            host: String::new(),
            port: None,
            security: Security::Starttls,
            ca_file: None,
            user: String::new(),
            from: String::new(),
            reply_to: String::new(),
            timeout_s: 30,
            management: Vec::new(),
            cc_manager: true,
            max_attachment_mb: 20.0,
            after_run: false,
            retries: 3,
            backoff_s: 5.0,
        }
    }
}

/// Hosts where `security = "none"` is allowed: the connection never leaves the machine.
pub const LOCAL_HOSTS: &[&str] = &["localhost", "127.0.0.1", "::1", "[::1]"];

/// The environment variable the SMTP password is read from.
pub const PASSWORD_ENV: &str = "KAMPLAN_SMTP_PASSWORD";

impl Config {
    /// `[send]`: values serde cannot check. Addresses are checked when a message is built.
    pub(super) fn validate_send(&self, path: &Path) -> Result<(), ConfigError> {
        let bad = |key: &str, message: String| ConfigError::Invalid {
            path: path.to_path_buf(),
            key: format!("send.{key}"),
            message,
        };
        let s = &self.send;
        if s.security == Security::None && !LOCAL_HOSTS.contains(&s.host.trim()) {
            return Err(bad(
                "security",
                format!(
                    "= \"none\" sends the plans (and the login) unencrypted, so it is only allowed for a relay \
                     on this machine (host = \"localhost\"), and host is {:?}; use \"starttls\" or \"tls\"",
                    s.host
                ),
            ));
        }
        if s.ca_file.is_some() && s.security == Security::None && s.transport == SendTransport::Smtp {
            return Err(bad(
                "ca_file",
                "is only used to check the server's certificate, and security = \"none\" uses no TLS: \
                 remove ca_file, or use \"starttls\" or \"tls\""
                    .into(),
            ));
        }
        if s.ca_file.as_deref().is_some_and(|p| p.as_os_str().is_empty()) {
            return Err(bad(
                "ca_file",
                "is empty: name the PEM file of your certificate authority, or remove the key".into(),
            ));
        }
        if s.port == Some(0) {
            return Err(bad("port", "must be between 1 and 65535, found 0".into()));
        }
        if s.timeout_s == 0 || s.timeout_s > 3600 {
            return Err(bad(
                "timeout_s",
                format!("must be between 1 and 3600 seconds, found {}", s.timeout_s),
            ));
        }
        if !(s.max_attachment_mb > 0.0 && s.max_attachment_mb.is_finite()) {
            return Err(bad(
                "max_attachment_mb",
                format!("must be more than 0, found {}", s.max_attachment_mb),
            ));
        }
        if s.retries > 20 {
            return Err(bad("retries", format!("must be at most 20, found {}", s.retries)));
        }
        if !(0.0..=3600.0).contains(&s.backoff_s) {
            return Err(bad(
                "backoff_s",
                format!("must be between 0 and 3600 seconds, found {}", s.backoff_s),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::parse;

    #[test]
    fn a_password_in_the_file_is_refused_with_the_reason() {
        for text in ["[send]\npassword = \"x\"\n", "[send]\nsmtp_password = \"x\"\n", "password = \"x\"\n"] {
            let err = parse(text).unwrap_err().to_string();
            assert!(err.contains("never read from the config file"), "{err}");
            assert!(err.contains("KAMPLAN_SMTP_PASSWORD"), "{err}");
        }
    }

    #[test]
    fn unencrypted_smtp_only_to_this_machine() {
        assert!(parse("[send]\nhost = \"127.0.0.1\"\nsecurity = \"none\"\n").is_ok());
        assert!(parse("[send]\nhost = \"localhost\"\nsecurity = \"none\"\n").is_ok());
        let err =
            parse("[send]\nhost = \"smtp.example.com\"\nsecurity = \"none\"\n").unwrap_err().to_string();
        assert!(err.contains("send.security") && err.contains("only allowed for a relay"), "{err}");
        let err = parse("[send]\nsecurity = \"ssl\"\n").unwrap_err().to_string();
        assert!(err.contains("starttls"), "{err}");
    }

    #[test]
    fn a_ca_file_needs_a_tls_connection_to_check() {
        let cfg = parse("[send]\nhost = \"mail.example.com\"\nca_file = \"ca/empresa.pem\"\n").unwrap();
        assert_eq!(cfg.send.ca_file.as_deref(), Some(std::path::Path::new("ca/empresa.pem")));
        let err = parse("[send]\nhost = \"localhost\"\nsecurity = \"none\"\nca_file = \"ca.pem\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("send.ca_file") && err.contains("security = \"none\" uses no TLS"), "{err}");
        let err = parse("[send]\nca_file = \"\"\n").unwrap_err().to_string();
        assert!(err.contains("send.ca_file") && err.contains("is empty"), "{err}");
    }
}
