//! A real SMTP server for the send tests, on 127.0.0.1 and a free port: mailin's SMTP state
//! machine (the protocol: EHLO, AUTH, MAIL, RCPT, DATA, NOOP, QUIT) driven over a TCP socket
//! per connection. It keeps every message it accepts, and can misbehave as a test asks:
//! refuse a recipient with a 5xx, close the connection after the n-th message, or go away
//! altogether. It speaks plain SMTP, or offers STARTTLS, or TLS from the first byte ([`tls`]).

#![allow(dead_code)]

mod tls;

pub use tls::fixture;

use std::io::{BufRead, BufReader, Write};
use std::net::{IpAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use mailin::{response, AuthMechanism, Handler, Response, SessionBuilder};

/// A message the server accepted (it answered 250 to its DATA).
#[derive(Debug, Clone)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    pub data: Vec<u8>,
    /// The connection was encrypted when the message came.
    pub tls: bool,
}

/// How the server protects the connection.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub enum Tls {
    /// Plain SMTP, no STARTTLS offered.
    #[default]
    Off,
    /// Offers STARTTLS and upgrades; a login only after the upgrade.
    Starttls,
    /// TLS from the first byte (port 465's way).
    Implicit,
}

/// How the server behaves.
#[derive(Debug, Clone, Default)]
pub struct Behaviour {
    /// Recipients refused with `550 Mailbox unavailable`.
    pub refuse: Vec<String>,
    /// After accepting this many messages (in all), close the connection.
    pub drop_after: Option<usize>,
    /// …and stop listening: the server is gone.
    pub gone_after_drop: bool,
    /// Require AUTH PLAIN with this user and password.
    pub login: Option<(String, String)>,
    /// Plain, STARTTLS, or TLS from the first byte.
    pub tls: Tls,
    /// Listen on this loopback address instead of 127.0.0.1 (Linux answers all of 127/8): one
    /// the test certificate is not for.
    pub address: Option<[u8; 4]>,
}

#[derive(Default)]
struct State {
    received: Mutex<Vec<Received>>,
    connections: AtomicUsize,
    logins: Mutex<Vec<(String, String)>>,
    /// TLS errors the server saw (a client refusing the certificate sends an alert).
    tls_errors: Mutex<Vec<String>>,
    gone: AtomicBool,
}

/// The running server; stops listening when dropped.
pub struct SmtpServer {
    pub port: u16,
    state: Arc<State>,
    stop: Arc<AtomicBool>,
}

impl SmtpServer {
    /// Starts listening on 127.0.0.1, a free port.
    pub fn start(behaviour: Behaviour) -> SmtpServer {
        let ip = IpAddr::from(behaviour.address.unwrap_or([127, 0, 0, 1]));
        let listener = TcpListener::bind((ip, 0)).expect("bind a loopback address");
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(State::default());
        let stop = Arc::new(AtomicBool::new(false));
        let (st, sp) = (state.clone(), stop.clone());
        std::thread::spawn(move || {
            // Bounded by the test's life: the loop ends when the server is dropped or gone.
            while !sp.load(Ordering::SeqCst) && !st.gone.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        if st.gone.load(Ordering::SeqCst) {
                            // Gone: hang up at once, as a closed port would.
                            drop(stream);
                            break;
                        }
                        st.connections.fetch_add(1, Ordering::SeqCst);
                        let (st2, b) = (st.clone(), behaviour.clone());
                        std::thread::spawn(move || serve(stream, st2, b));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
            // Dropping the listener here closes the port: new connections are refused.
        });
        SmtpServer { port, state, stop }
    }

    /// The messages accepted so far, in order.
    pub fn received(&self) -> Vec<Received> {
        self.state.received.lock().unwrap().clone()
    }

    /// TCP connections accepted so far.
    pub fn connections(&self) -> usize {
        self.state.connections.load(Ordering::SeqCst)
    }

    /// The (user, password) pairs clients logged in with.
    pub fn logins(&self) -> Vec<(String, String)> {
        self.state.logins.lock().unwrap().clone()
    }

    /// The TLS errors seen so far, as rustls words them (`received fatal alert: UnknownCA`).
    pub fn tls_errors(&self) -> Vec<String> {
        self.state.tls_errors.lock().unwrap().clone()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

/// One SMTP session's decisions; a fresh one per connection.
struct Session {
    state: Arc<State>,
    behaviour: Behaviour,
    from: String,
    to: Vec<String>,
    data: Vec<u8>,
    /// Set when a message was just accepted; the connection loop reads and clears it.
    accepted: Arc<AtomicBool>,
    /// Set once the connection is encrypted.
    encrypted: Arc<AtomicBool>,
}

impl Handler for Session {
    fn mail(&mut self, _ip: IpAddr, _domain: &str, from: &str) -> Response {
        self.from = from.to_string();
        self.to.clear();
        self.data.clear();
        response::OK
    }

    fn rcpt(&mut self, to: &str) -> Response {
        if self.behaviour.refuse.iter().any(|r| r.eq_ignore_ascii_case(to)) {
            return response::NO_MAILBOX;
        }
        self.to.push(to.to_string());
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        self.state.received.lock().unwrap().push(Received {
            from: self.from.clone(),
            to: self.to.clone(),
            data: std::mem::take(&mut self.data),
            tls: self.encrypted.load(Ordering::SeqCst),
        });
        self.accepted.store(true, Ordering::SeqCst);
        response::OK
    }

    fn auth_plain(&mut self, _authorization_id: &str, user: &str, password: &str) -> Response {
        self.state.logins.lock().unwrap().push((user.to_string(), password.to_string()));
        match &self.behaviour.login {
            Some((u, p)) if u == user && p == password => response::AUTH_OK,
            _ => response::INVALID_CREDENTIALS,
        }
    }
}

fn serve(stream: TcpStream, state: Arc<State>, behaviour: Behaviour) {
    stream.set_nonblocking(false).ok();
    stream.set_read_timeout(Some(Duration::from_secs(20))).ok();
    let mut builder = SessionBuilder::new("test.smtp.local");
    if behaviour.tls == Tls::Starttls {
        builder.enable_start_tls();
    }
    if behaviour.login.is_some() {
        builder.enable_auth(AuthMechanism::Plain);
        if behaviour.tls == Tls::Off {
            builder.insecure_enable_plaintext_auth();
        }
    }
    let accepted = Arc::new(AtomicBool::new(false));
    let encrypted = Arc::new(AtomicBool::new(false));
    let handler = Session {
        state: state.clone(),
        behaviour: behaviour.clone(),
        from: String::new(),
        to: Vec::new(),
        data: Vec::new(),
        accepted: accepted.clone(),
        encrypted: encrypted.clone(),
    };
    let ip = stream.peer_addr().map(|a| a.ip()).unwrap_or(IpAddr::from([127, 0, 0, 1]));
    let mut session = builder.build(ip, handler);
    // Kept to hang up on the client whatever the stream became.
    let socket = stream.try_clone().unwrap();
    let mut conn = tls::Conn::Plain(stream);
    if behaviour.tls == Tls::Implicit {
        conn = conn.upgrade();
        session.tls_active();
        encrypted.store(true, Ordering::SeqCst);
    }
    let mut reader = BufReader::new(conn);
    let failed = |e: std::io::Error| {
        if let Some(t) = tls::tls_error(&e) {
            state.tls_errors.lock().unwrap().push(t);
        }
    };
    if let Err(e) = session.greeting().write_to(reader.get_mut()).and_then(|_| reader.get_mut().flush()) {
        return failed(e);
    }
    let mut line = Vec::new();
    loop {
        line.clear();
        match reader.read_until(b'\n', &mut line) {
            Ok(0) => return,
            Err(e) => return failed(e),
            Ok(_) => {}
        }
        let res = session.process(&line);
        match res.action {
            mailin::Action::Reply | mailin::Action::Close | mailin::Action::UpgradeTls => {
                let w = reader.get_mut();
                if let Err(e) = res.write_to(w).and_then(|_| w.flush()) {
                    return failed(e);
                }
                match res.action {
                    mailin::Action::Close => return,
                    mailin::Action::UpgradeTls => {
                        // The client waits for the 220 before its handshake: nothing is buffered.
                        reader = BufReader::new(reader.into_inner().upgrade());
                        session.tls_active();
                        encrypted.store(true, Ordering::SeqCst);
                    }
                    _ => {}
                }
            }
            mailin::Action::NoReply => {}
        }
        // After the n-th accepted message (its 250 is on the wire), hang up.
        if accepted.swap(false, Ordering::SeqCst) {
            let n = state.received.lock().unwrap().len();
            if behaviour.drop_after == Some(n) {
                if behaviour.gone_after_drop {
                    state.gone.store(true, Ordering::SeqCst);
                }
                let _ = socket.shutdown(std::net::Shutdown::Both);
                return;
            }
        }
    }
}
