//! The trust an SMTP connection over TLS rests on: the built-in web roots plus the certificate
//! authorities of `[send] ca_file`, read and checked before anything is sent; and what a failed
//! TLS handshake means for the user (a certificate not trusted, not for this host, expired).

use std::path::{Path, PathBuf};

use lettre::transport::smtp::client::{Certificate, TlsParameters};
use rustls::pki_types::pem::{PemObject, SectionKind};
use rustls::pki_types::CertificateDer;
use rustls::{CertificateError, RootCertStore};

/// The certificate authorities of `[send] ca_file`, each checked as a trust anchor.
#[derive(Clone)]
pub struct CaFile {
    /// The file, as resolved (named in errors).
    pub path: PathBuf,
    certs: Vec<CertificateDer<'static>>,
}

impl CaFile {
    /// Reads `path`: one or more PEM certificates (`-----BEGIN CERTIFICATE-----`).
    ///
    /// # Errors
    /// The file cannot be read, is not PEM, holds no certificate (e.g. only a key), or holds a
    /// certificate that is not one (bad DER): the message names the file and says what was expected.
    pub fn read(path: &Path) -> Result<CaFile, String> {
        let expected = "[send] ca_file must be a PEM file of one or more CA certificates \
                        (-----BEGIN CERTIFICATE-----)";
        let bytes = std::fs::read(path).map_err(|e| {
            format!("cannot read {} ({}): {expected}", path.display(), crate::publish::os_text(&e))
        })?;
        let mut certs = Vec::new();
        let mut other = Vec::new();
        for section in <(SectionKind, Vec<u8>)>::pem_slice_iter(&bytes) {
            match section {
                Ok((SectionKind::Certificate, der)) => certs.push(CertificateDer::from(der)),
                Ok((kind, _)) => other.push(kind),
                Err(e) => return Err(format!("{} is not valid PEM ({e}): {expected}", path.display())),
            }
        }
        if certs.is_empty() {
            let found = if bytes.iter().all(u8::is_ascii_whitespace) {
                "it is empty".to_string()
            } else if other.is_empty() {
                "found no PEM block (a binary DER certificate? `openssl x509 -inform der -in CA.cer -out \
                 ca.pem` converts it)"
                    .to_string()
            } else {
                let kinds: Vec<&str> = other.iter().map(|k| section_name(*k)).collect();
                format!("found only {}", kinds.join(", "))
            };
            return Err(format!("{}: no certificate in it, {found}; {expected}", path.display()));
        }
        let mut store = RootCertStore::empty();
        for (i, cert) in certs.iter().enumerate() {
            store.add(cert.clone()).map_err(|e| {
                format!(
                    "{}: certificate {} of {} is not a valid X.509 certificate ({e}); {expected}",
                    path.display(),
                    i + 1,
                    certs.len()
                )
            })?;
        }
        Ok(CaFile { path: path.to_path_buf(), certs })
    }

    /// How many certificates it holds.
    pub fn len(&self) -> usize {
        self.certs.len()
    }

    /// Whether it holds none (never, once read).
    pub fn is_empty(&self) -> bool {
        self.certs.is_empty()
    }
}

/// What a PEM block holds, as a person says it.
fn section_name(kind: SectionKind) -> &'static str {
    match kind {
        SectionKind::PrivateKey | SectionKind::RsaPrivateKey | SectionKind::EcPrivateKey => "a private key",
        SectionKind::PublicKey => "a public key",
        SectionKind::Csr => "a certificate request",
        SectionKind::Crl => "a revocation list",
        _ => "a PEM block that is not a certificate",
    }
}

/// The TLS parameters for `host`: the web roots, and the CA file's certificates besides.
///
/// # Errors
/// lettre refuses the set-up (a certificate the store does not take): the message says which.
pub fn parameters(host: &str, ca: Option<&CaFile>) -> Result<TlsParameters, String> {
    let mut builder = TlsParameters::builder(host.to_string());
    if let Some(ca) = ca {
        for cert in &ca.certs {
            let cert =
                Certificate::from_der(cert.to_vec()).map_err(|e| format!("{}: {e}", ca.path.display()))?;
            builder = builder.add_root_certificate(cert);
        }
    }
    builder.build().map_err(|e| match ca {
        Some(ca) => format!("TLS set-up for {host} with {}: {e}", ca.path.display()),
        None => format!("TLS set-up for {host}: {e}; check [send] host"),
    })
}

/// What a failed TLS handshake with `server` means, when the failure is rustls' own: `None`
/// when `e` is no TLS error (a network failure, a reply). lettre reports a handshake that fails
/// while reading or writing as a network error carrying the rustls error inside an I/O error.
pub fn handshake_failure(
    server: &str,
    host: &str,
    ca: Option<&CaFile>,
    e: &(dyn std::error::Error + 'static),
) -> Option<String> {
    let tls = rustls_error(e)?;
    let cert = match tls {
        rustls::Error::InvalidCertificate(c) => c,
        other => {
            return Some(format!(
                "{server}: the TLS handshake failed ({other}): check [send] port and security (\"tls\" speaks \
                 TLS from the first byte, usually port 465; \"starttls\" upgrades a plain connection, usually \
                 port 587)"
            ))
        }
    };
    let message = match cert {
        CertificateError::UnknownIssuer => {
            let trusted = match ca {
                Some(ca) => format!(
                    " nor by one in [send] ca_file ({}): check that it holds the CA that issued the server's \
                     certificate",
                    ca.path.display()
                ),
                None => ": if your company runs its own certificate authority, set [send] ca_file to its \
                         certificate (a PEM file)"
                    .to_string(),
            };
            format!(
                "{server}: the server's certificate is not trusted: it was not issued by a known certificate \
                 authority{trusted}"
            )
        }
        CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => format!(
            "{server}: the server's certificate is not valid for {host:?} ({cert}): set [send] host to the name \
             on the certificate"
        ),
        CertificateError::Expired
        | CertificateError::ExpiredContext { .. }
        | CertificateError::NotValidYet
        | CertificateError::NotValidYetContext { .. } => format!(
            "{server}: the server's certificate is out of its validity period ({cert}): the server's \
             administrator must renew it (or check this machine's clock)"
        ),
        other => format!("{server}: the server's certificate was refused ({other})"),
    };
    Some(message)
}

/// The rustls error somewhere in `e`'s chain, looking inside I/O errors (whose `source` skips
/// the error they wrap).
fn rustls_error<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
    let mut next = Some(e);
    while let Some(err) = next {
        if let Some(t) = err.downcast_ref::<rustls::Error>() {
            return Some(t);
        }
        if let Some(t) = err
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
            .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        {
            return Some(t);
        }
        next = err.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }

    #[test]
    fn a_ca_file_that_is_not_pem_certificates_is_named_with_what_was_found() {
        let dir = tempfile::tempdir().unwrap();
        let err = |p: &Path| CaFile::read(p).err().expect("an error");

        let missing = dir.path().join("nope.pem");
        let e = err(&missing);
        assert!(e.starts_with(&format!("cannot read {}", missing.display())), "{e}");
        assert!(e.contains("PEM file of one or more CA certificates"), "{e}");

        let e = err(&write(dir.path(), "empty.pem", b"\n"));
        assert!(e.contains("empty.pem: no certificate in it, it is empty"), "{e}");

        let e = err(&write(dir.path(), "ca.cer", &[0x30, 0x82, 0x01, 0x0a, 0x02, 0x82]));
        assert!(e.contains("ca.cer: no certificate in it, found no PEM block (a binary DER"), "{e}");

        let key = b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
        let e = err(&write(dir.path(), "key.pem", key));
        assert!(e.contains("key.pem: no certificate in it, found only a private key"), "{e}");

        let bad_base64 = b"-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n";
        let e = err(&write(dir.path(), "b64.pem", bad_base64));
        assert!(e.contains("b64.pem is not valid PEM"), "{e}");

        // Base64 that decodes, but to no certificate.
        let not_x509 = b"-----BEGIN CERTIFICATE-----\naGVsbG8gd29ybGQ=\n-----END CERTIFICATE-----\n";
        let e = err(&write(dir.path(), "junk.pem", not_x509));
        assert!(e.contains("junk.pem: certificate 1 of 1 is not a valid X.509 certificate"), "{e}");
    }

    #[test]
    fn the_test_ca_reads_as_one_certificate_and_builds_parameters() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tls");
        let ca = CaFile::read(&dir.join("ca.pem")).unwrap();
        assert_eq!(ca.len(), 1);
        // Two CAs in one file are both kept.
        let both =
            [std::fs::read(dir.join("ca.pem")).unwrap(), std::fs::read(dir.join("other-ca.pem")).unwrap()]
                .concat();
        let tmp = tempfile::tempdir().unwrap();
        let two = CaFile::read(&write(tmp.path(), "two.pem", &both)).unwrap();
        assert_eq!(two.len(), 2);
        assert!(parameters("mail.example.com", Some(&two)).is_ok());
    }

    #[test]
    fn a_certificate_refused_in_the_handshake_says_what_to_do() {
        let io = std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer),
        );
        let m = handshake_failure("mail:587", "mail", None, &io).unwrap();
        assert!(m.starts_with("mail:587: the server's certificate is not trusted"), "{m}");
        assert!(
            m.contains("authority: if your company runs its own") && m.contains("set [send] ca_file"),
            "{m}"
        );
        let io = std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            rustls::Error::InvalidCertificate(CertificateError::NotValidForName),
        );
        let m = handshake_failure("mail:587", "mail", None, &io).unwrap();
        assert!(m.contains("not valid for \"mail\"") && m.contains("set [send] host"), "{m}");
        let expired = rustls::Error::InvalidCertificate(CertificateError::Expired);
        let m = handshake_failure("mail:587", "mail", None, &expired).unwrap();
        assert!(m.contains("out of its validity period") && m.contains("renew"), "{m}");
        let plain = std::io::Error::new(std::io::ErrorKind::ConnectionReset, "reset");
        assert_eq!(handshake_failure("mail:587", "mail", None, &plain), None);
    }
}
