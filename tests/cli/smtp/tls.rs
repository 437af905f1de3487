//! The test SMTP server's TLS: a connection that is plain or rustls over the same socket (upgraded
//! by STARTTLS, or TLS from the first byte), with the test certificate for `localhost` and
//! `127.0.0.1` signed by the test CA (`tests/fixtures/tls/`, see its README).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::{ServerConfig, ServerConnection, StreamOwned};

/// A file of `tests/fixtures/tls/`.
pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tls").join(name)
}

/// The server's side of TLS: its certificate and key, with the ring provider lettre uses too.
fn config() -> Arc<ServerConfig> {
    static CONFIG: OnceLock<Arc<ServerConfig>> = OnceLock::new();
    CONFIG
        .get_or_init(|| {
            let chain = vec![CertificateDer::from_pem_file(fixture("server.pem")).expect("server.pem")];
            let key = PrivateKeyDer::from_pem_file(fixture("server.key")).expect("server.key");
            let provider = Arc::new(rustls::crypto::ring::default_provider());
            let config = ServerConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .expect("protocol versions")
                .with_no_client_auth()
                .with_single_cert(chain, key)
                .expect("the test certificate and key");
            Arc::new(config)
        })
        .clone()
}

/// One client connection, plain or encrypted.
pub enum Conn {
    Plain(TcpStream),
    Tls(Box<StreamOwned<ServerConnection, TcpStream>>),
}

impl Conn {
    /// TLS over this socket from now on; the handshake runs on the first read or write.
    pub fn upgrade(self) -> Conn {
        match self {
            Conn::Plain(tcp) => {
                let server = ServerConnection::new(config()).expect("a TLS server connection");
                Conn::Tls(Box::new(StreamOwned::new(server, tcp)))
            }
            tls => tls,
        }
    }
}

impl Read for Conn {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Conn::Plain(s) => s.read(buf),
            Conn::Tls(s) => s.read(buf),
        }
    }
}

impl Write for Conn {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Conn::Plain(s) => s.write(buf),
            Conn::Tls(s) => s.write(buf),
        }
    }
    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Conn::Plain(s) => s.flush(),
            Conn::Tls(s) => s.flush(),
        }
    }
}

/// The TLS error inside an I/O error (a failed handshake), as rustls words it.
pub fn tls_error(e: &std::io::Error) -> Option<String> {
    e.get_ref().and_then(|inner| inner.downcast_ref::<rustls::Error>()).map(|t| t.to_string())
}
