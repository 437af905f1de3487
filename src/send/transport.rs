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
use super::tls::{self, CaFile};
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
    /// The trust the server's certificate is checked against (none for `security = "none"`).
    tls: Option<TlsParameters>,
    /// `[send] ca_file`, read: named when the server's certificate is not trusted.
    ca: Option<CaFile>,
    conn: Option<SmtpConnection>,
}

impl Smtp {
    /// The server of `[send]`, trusting the web roots and `ca` besides; connects on the first message.
    ///
    /// # Errors
    /// The TLS parameters cannot be set up (a certificate lettre does not take).
    pub fn new(cfg: &SendConfig, login: Option<Login>, ca: Option<CaFile>) -> Result<Smtp, String> {
        let host = cfg.host.trim().to_string();
        let tls = match cfg.security {
            Security::None => None,
            Security::Starttls | Security::Tls => Some(tls::parameters(&host, ca.as_ref())?),
        };
        Ok(Smtp {
            port: cfg.port.unwrap_or(cfg.security.default_port()),
            host,
            security: cfg.security,
            timeout: Duration::from_secs(cfg.timeout_s),
            login,
            hello: ClientId::default(),
            tls,
            ca,
            conn: None,
        })
    }

    fn connect(&self) -> Result<SmtpConnection, TransportError> {
        let server = format!("{}:{}", self.host, self.port);
        let wrapper = match self.security {
            Security::Tls => self.tls.as_ref(),
            _ => None,
        };
        let mut conn = SmtpConnection::connect(
            (self.host.as_str(), self.port),
            Some(self.timeout),
            &self.hello,
            wrapper,
            None,
        )
        .map_err(|e| self.connect_error(&server, &e))?;
        if let (Security::Starttls, Some(tls)) = (self.security, &self.tls) {
            if !conn.can_starttls() {
                conn.abort();
                return Err(TransportError::Fatal(format!(
                    "{server} does not offer STARTTLS: use security = \"tls\" if it expects TLS from the \
                     start (usually port 465), or check [send] host and port"
                )));
            }
            conn.starttls(tls, &self.hello).map_err(|e| self.connect_error(&server, &e))?;
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

    /// A failure before any message: unreachable, timed out and 4xx are worth retrying; a TLS
    /// failure (a certificate not trusted, a handshake that fails) or a 5xx greeting is not.
    fn connect_error(&self, server: &str, e: &lettre::transport::smtp::Error) -> TransportError {
        if let Some(why) = tls::handshake_failure(server, &self.host, self.ca.as_ref(), e) {
            return TransportError::Fatal(why);
        }
        if e.is_tls() {
            let how = match self.security {
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
            Err(e) if e.is_permanent() => Err(TransportError::Reject(format!("refused by the server: {e}"))),
            Err(e) if e.is_client() => Err(TransportError::Reject(e.to_string())),
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
/// stdin. Its exit status says who failed (sysexits.h): 75 (EX_TEMPFAIL) is worth retrying; 65,
/// 67 and 68 (bad data, unknown user or host) refuse this message only; any other failure is
/// the agent's own (not configured, not running, no permission) and would fail every message
/// alike, so the send stops after it.
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
            (Some(0), _) => Err(TransportError::Fatal(format!(
                "{} ended before it read the whole message: check the machine's mail agent",
                self.command
            ))),
            (Some(75), _) => Err(TransportError::Retry {
                reason: format!("{} exited 75 (temporary failure): {said}", self.command),
                connection: false,
            }),
            (Some(code @ (65 | 67 | 68)), _) => {
                Err(TransportError::Reject(format!("{} refused it (exit {code}): {said}", self.command)))
            }
            (code, _) => {
                let how = code.map(|c| format!("exit {c}")).unwrap_or_else(|| "killed by a signal".into());
                let said = if said.is_empty() { "it said nothing on stderr".into() } else { said };
                Err(TransportError::Fatal(format!(
                    "{} failed ({how}): {said}; check the machine's mail agent (its log, \
                     `echo test | sendmail -v you@example.com`)",
                    self.command
                )))
            }
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
        let smtp = Smtp::new(&cfg, None, None).unwrap();
        match smtp.connect() {
            Err(TransportError::Retry { connection: true, reason }) => {
                assert!(reason.contains(&format!("127.0.0.1:{port}")), "{reason}")
            }
            Err(other) => panic!("{other:?}"),
            Ok(_) => panic!("connected to a closed port"),
        }
    }
}
