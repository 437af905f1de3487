//! How a composed message leaves: one small trait, [`Transport`], with the real transports
//! (SMTP through lettre, the local `sendmail`) and the dry runs (`.eml` files, a printed
//! listing) as its implementations. The caller retries; a transport only says whether a
//! failure is worth retrying.

use std::path::PathBuf;
use std::time::Duration;

use lettre::address::Envelope;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{SmtpConnection, TlsParameters};
use lettre::transport::smtp::extension::ClientId;

use super::compose::Outgoing;
use crate::config::{Security, SendConfig};

/// Why a message was not accepted, and what to do about it.
#[derive(Debug, Clone, PartialEq)]
pub enum TransportError {
    /// Worth trying again later: no connection, a timeout, a dropped connection, a 4xx reply.
    /// `connection` is true when the server could not be reached or talked to at all (the
    /// next messages would fail the same way).
    Retry { reason: String, connection: bool },
    /// This message was refused for good (a 5xx reply, e.g. an unknown recipient): the others go on.
    Reject(String),
    /// No message can go through this way (login refused, TLS impossible): stop.
    Fatal(String),
}

impl std::fmt::Display for TransportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TransportError::Retry { reason, .. }
            | TransportError::Reject(reason)
            | TransportError::Fatal(reason) => f.write_str(reason),
        }
    }
}

/// Something that takes composed messages.
pub trait Transport {
    /// How the record names it: `smtp mail.example.com:587`, `sendmail`, `dry run`.
    fn name(&self) -> String;
    /// Whether it really hands messages over (dry runs do not: nothing is recorded).
    fn delivers(&self) -> bool {
        true
    }
    /// Hands one message over; `Ok` is what the receiving side answered.
    fn send(&mut self, msg: &Outgoing, envelope: &Envelope, raw: &[u8]) -> Result<String, TransportError>;
    /// Ends the session politely (SMTP QUIT).
    fn close(&mut self) {}
    /// What a dry run shows on stdout: the listing, or the files written.
    fn output(&self) -> String {
        String::new()
    }
}

/// The SMTP login: `[send] user` and the password from the environment.
#[derive(Clone)]
pub struct Login {
    pub user: String,
    pub password: String,
}

/// An SMTP server, one connection kept open across messages and opened again after a failure.
pub struct Smtp {
    host: String,
    port: u16,
    security: Security,
    timeout: Duration,
    login: Option<Login>,
    hello: ClientId,
    conn: Option<SmtpConnection>,
}

impl Smtp {
    /// The server of `[send]`; connects on the first message.
    pub fn new(cfg: &SendConfig, login: Option<Login>) -> Smtp {
        Smtp {
            host: cfg.host.trim().to_string(),
            port: cfg.port.unwrap_or(cfg.security.default_port()),
            security: cfg.security,
            timeout: Duration::from_secs(cfg.timeout_s),
            login,
            hello: ClientId::default(),
            conn: None,
        }
    }

    fn connect(&self) -> Result<SmtpConnection, TransportError> {
        let server = format!("{}:{}", self.host, self.port);
        let tls = || {
            TlsParameters::new(self.host.clone()).map_err(|e| {
                TransportError::Fatal(format!("TLS set-up for {}: {e}; check [send] host", self.host))
            })
        };
        let wrapper = match self.security {
            Security::Tls => Some(tls()?),
            _ => None,
        };
        let mut conn = SmtpConnection::connect(
            (self.host.as_str(), self.port),
            Some(self.timeout),
            &self.hello,
            wrapper.as_ref(),
            None,
        )
        .map_err(|e| connect_error(&server, self.security, &e))?;
        if self.security == Security::Starttls {
            if !conn.can_starttls() {
                conn.abort();
                return Err(TransportError::Fatal(format!(
                    "{server} does not offer STARTTLS: use security = \"tls\" if it expects TLS from the \
                     start (usually port 465), or check [send] host and port"
                )));
            }
            conn.starttls(&tls()?, &self.hello).map_err(|e| connect_error(&server, self.security, &e))?;
        }
        if let Some(login) = &self.login {
            let creds = Credentials::new(login.user.clone(), login.password.clone());
            conn.auth(&[Mechanism::Plain, Mechanism::Login], &creds).map_err(|e| {
                if e.is_transient() || e.is_timeout() {
                    TransportError::Retry { reason: format!("{server}: login: {e}"), connection: true }
                } else {
                    TransportError::Fatal(format!(
                        "{server} refused the login of {:?} ({e}): check [send] user and the password in {}",
                        login.user,
                        crate::config::PASSWORD_ENV
                    ))
                }
            })?;
        }
        Ok(conn)
    }
}

/// A failure before any message: unreachable, timed out and 4xx are worth retrying; a TLS
/// failure or a 5xx greeting is not.
fn connect_error(server: &str, security: Security, e: &lettre::transport::smtp::Error) -> TransportError {
    if e.is_tls() {
        let how = match security {
            Security::Tls => "TLS",
            _ => "STARTTLS",
        };
        return TransportError::Fatal(format!(
            "{server}: {how} failed ({e}): check [send] host (the name on the server's certificate), port and security"
        ));
    }
    if e.is_permanent() {
        return TransportError::Fatal(format!("{server} refused the connection: {e}"));
    }
    TransportError::Retry { reason: format!("{server}: {e}"), connection: true }
}

impl Transport for Smtp {
    fn name(&self) -> String {
        format!("smtp {}:{}", self.host, self.port)
    }

    fn send(&mut self, _msg: &Outgoing, envelope: &Envelope, raw: &[u8]) -> Result<String, TransportError> {
        // A connection the server closed since the last message is opened again first.
        if let Some(c) = &mut self.conn {
            if c.has_broken() || !c.test_connected() {
                self.conn = None;
            }
        }
        let mut conn = match self.conn.take() {
            Some(c) => c,
            None => self.connect()?,
        };
        match conn.send(envelope, raw) {
            Ok(response) => {
                self.conn = Some(conn);
                let text: Vec<&str> = response.message().collect();
                Ok(format!("{} {}", response.code(), text.join(" ")).trim().to_string())
            }
            // lettre closes the connection after any failure; the next message opens a new one.
            Err(e) if e.is_permanent() || e.is_client() => Err(TransportError::Reject(e.to_string())),
            Err(e) if e.is_transient() => {
                Err(TransportError::Retry { reason: e.to_string(), connection: false })
            }
            Err(e) => Err(TransportError::Retry {
                reason: format!("{}:{}: {e}", self.host, self.port),
                connection: true,
            }),
        }
    }

    fn close(&mut self) {
        if let Some(mut c) = self.conn.take() {
            let _ = c.quit();
        }
    }
}

/// The machine's mail transfer agent: `sendmail -i -f FROM -- RECIPIENTS`, the message on
/// stdin. Exit 75 (EX_TEMPFAIL) is worth retrying; any other failure refuses the message.
pub struct Sendmail {
    pub command: String,
}

impl Transport for Sendmail {
    fn name(&self) -> String {
        self.command.clone()
    }

    fn send(&mut self, _msg: &Outgoing, envelope: &Envelope, raw: &[u8]) -> Result<String, TransportError> {
        use std::io::Write;
        use std::process::{Command, Stdio};
        let mut cmd = Command::new(&self.command);
        cmd.arg("-i");
        if let Some(from) = envelope.from() {
            cmd.arg("-f").arg(from);
        }
        cmd.arg("--").args(envelope.to().iter().map(|a| a.to_string()));
        let mut child =
            cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().map_err(|e| {
                TransportError::Fatal(format!(
                    "cannot run {:?} ({e}): install a mail transfer agent, or use transport = \"smtp\"",
                    self.command
                ))
            })?;
        let written = child.stdin.take().map(|mut s| s.write_all(raw));
        let out = child.wait_with_output().map_err(|e| TransportError::Retry {
            reason: format!("{}: {e}", self.command),
            connection: true,
        })?;
        let said = String::from_utf8_lossy(&out.stderr).trim().to_string();
        match (out.status.code(), written) {
            (Some(0), Some(Ok(()))) => Ok(format!("{}: accepted", self.command)),
            (Some(75), _) => Err(TransportError::Retry {
                reason: format!("{} exited 75 (temporary failure): {said}", self.command),
                connection: false,
            }),
            (code, _) => Err(TransportError::Reject(format!(
                "{} failed (exit {}): {said}",
                self.command,
                code.map(|c| c.to_string()).unwrap_or_else(|| "by a signal".into())
            ))),
        }
    }
}

/// `--dry-run DIR`: each message as an `.eml` file, numbered in sending order.
pub struct EmlFiles {
    pub dir: PathBuf,
    pub written: Vec<PathBuf>,
}

impl Transport for EmlFiles {
    fn name(&self) -> String {
        "dry run".into()
    }
    fn delivers(&self) -> bool {
        false
    }
    fn send(&mut self, msg: &Outgoing, _: &Envelope, raw: &[u8]) -> Result<String, TransportError> {
        let name = format!("{:02}-{}.eml", self.written.len() + 1, msg.slug);
        let path = self.dir.join(name);
        std::fs::create_dir_all(&self.dir)
            .and_then(|_| std::fs::write(&path, raw))
            .map_err(|e| TransportError::Fatal(format!("writing {}: {e}", path.display())))?;
        self.written.push(path.clone());
        Ok(format!("written to {}", path.display()))
    }
    fn output(&self) -> String {
        self.written.iter().map(|p| format!("{}\n", p.display())).collect()
    }
}

/// `--dry-run`: what would be sent — recipients, subject, attachments and sizes.
#[derive(Default)]
pub struct Listing {
    pub text: String,
}

impl Transport for Listing {
    fn name(&self) -> String {
        "dry run".into()
    }
    fn delivers(&self) -> bool {
        false
    }
    fn send(&mut self, msg: &Outgoing, _: &Envelope, raw: &[u8]) -> Result<String, TransportError> {
        let list =
            |v: &[lettre::message::Mailbox]| v.iter().map(|m| m.to_string()).collect::<Vec<_>>().join(", ");
        let mut t = format!("to       {}\n", list(&msg.to));
        if !msg.cc.is_empty() {
            t += &format!("cc       {}\n", list(&msg.cc));
        }
        t += &format!("subject  {}\n", msg.subject);
        for (i, f) in msg.files.iter().enumerate() {
            let label = if i == 0 { "attach" } else { "" };
            t += &format!("{label:<8} {} ({})\n", f.path, size(f.bytes.len() as u64));
        }
        t += &format!("size     {}\n\n", size(raw.len() as u64));
        self.text += &t;
        Ok("listed".into())
    }
    fn output(&self) -> String {
        self.text.clone()
    }
}

/// A size as people read it: `812 KB`, `3.4 MB`.
pub fn size(bytes: u64) -> String {
    if bytes < 1_000_000 {
        format!("{} KB", bytes.div_ceil(1000))
    } else {
        format!("{:.1} MB", bytes as f64 / 1_000_000.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_people_say_them() {
        assert_eq!(size(0), "0 KB");
        assert_eq!(size(1), "1 KB");
        assert_eq!(size(812_300), "813 KB");
        assert_eq!(size(3_400_000), "3.4 MB");
    }

    #[test]
    fn an_unreachable_server_is_worth_retrying() {
        // A port nobody listens on (bound, then closed): connection refused.
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let cfg = SendConfig {
            host: "127.0.0.1".into(),
            port: Some(port),
            security: Security::None,
            timeout_s: 2,
            ..SendConfig::default()
        };
        let smtp = Smtp::new(&cfg, None);
        match smtp.connect() {
            Err(TransportError::Retry { connection: true, reason }) => {
                assert!(reason.contains(&format!("127.0.0.1:{port}")), "{reason}")
            }
            Err(other) => panic!("{other:?}"),
            Ok(_) => panic!("connected to a closed port"),
        }
    }
}
