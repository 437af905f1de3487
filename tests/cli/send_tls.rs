//! `kamplan send` over TLS: the real binary against the test SMTP server speaking STARTTLS or TLS
//! from the first byte on 127.0.0.1, with a certificate from a test CA that only `[send] ca_file`
//! makes trusted (`tests/fixtures/tls/`).

use std::fs;
use std::path::Path;

use crate::send::{login, publish, send, sent_json, write_books, CARLA, USER};
use crate::smtp::{fixture, Behaviour, SmtpServer, Tls};
use crate::util::*;

/// `kamplan.toml` in `dir` for a TLS server: `security`, `host`, then `extra` lines (`ca_file`).
fn tls_config(dir: &Path, host: &str, port: u16, security: &str, extra: &str) {
    let text = format!(
        "[send]\nhost = \"{host}\"\nport = {port}\nsecurity = \"{security}\"\nuser = \"{USER}\"\n\
         from = \"Ventas Levante <{USER}>\"\nmanagement = [\"direccion@levante.example\"]\n\
         timeout_s = 5\nretries = 2\nbackoff_s = 0.05\n{extra}\n"
    );
    fs::write(dir.join("kamplan.toml"), text).unwrap();
}

fn server(tls: Tls) -> SmtpServer {
    SmtpServer::start(Behaviour { tls, ..login() })
}

/// Messages in `sent.json`, none when there is no record.
fn recorded(month: &Path) -> usize {
    match month.join("sent.json").exists() {
        true => sent_json(month)["messages"].as_array().unwrap().len(),
        false => 0,
    }
}

#[test]
fn starttls_with_the_company_ca_sends_every_message_over_the_upgraded_connection() {
    let t = tmp();
    write_books(t.path(), 1.0, CARLA);
    let month = publish(t.path(), &[]);
    let server = server(Tls::Starttls);
    // The config in a folder of its own: a relative ca_file is found beside it, not in the
    // working folder.
    let conf = t.path().join("conf");
    fs::create_dir_all(conf.join("certs")).unwrap();
    fs::copy(fixture("ca.pem"), conf.join("certs/empresa-ca.pem")).unwrap();
    tls_config(&conf, "127.0.0.1", server.port, "starttls", "ca_file = \"certs/empresa-ca.pem\"");

    let o = send(t.path(), &["-c", "conf/kamplan.toml"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let received = server.received();
    assert_eq!(received.len(), 5, "four KAMs and the summary");
    assert!(received.iter().all(|r| r.tls), "every message came after the upgrade");
    // The server allows a login only once encrypted: the password went over TLS.
    assert_eq!(server.logins().len(), 1);
    assert_eq!(server.connections(), 1, "one connection for all");
    let record = sent_json(&month);
    let entries = record["messages"].as_array().unwrap();
    assert_eq!(entries.len(), 5);
    assert!(entries.iter().all(|m| m["reply"].as_str().unwrap().starts_with("250")), "{record}");
    assert!(server.tls_errors().is_empty(), "{:?}", server.tls_errors());
}

#[test]
fn tls_from_the_first_byte_with_the_company_ca_sends_and_checks_the_name() {
    let t = tmp();
    write_books(t.path(), 1.0, CARLA);
    let month = publish(t.path(), &[]);
    let server = server(Tls::Implicit);
    // By name this time (the certificate is for localhost), with an absolute ca_file.
    let ca = format!("ca_file = {:?}", fixture("ca.pem").display().to_string());
    tls_config(t.path(), "localhost", server.port, "tls", &ca);
    let o = send(t.path(), &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let received = server.received();
    assert_eq!(received.len(), 5);
    assert!(received.iter().all(|r| r.tls));
    assert_eq!(recorded(&month), 5);
}

#[test]
fn an_untrusted_certificate_is_refused_naming_the_server_and_ca_file_then_sends_once() {
    let t = tmp();
    write_books(t.path(), 1.0, CARLA);
    let month = publish(t.path(), &[]);
    let server = server(Tls::Starttls);
    let at = format!("127.0.0.1:{}", server.port);

    // Only the web roots: the test CA is not among them.
    tls_config(t.path(), "127.0.0.1", server.port, "starttls", "");
    let o = send(t.path(), &[]);
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains(&format!("{at}: the server's certificate is not trusted")), "{err}");
    assert!(err.contains("set [send] ca_file"), "suggests ca_file: {err}");
    assert!(err.contains("fix the first error, then run `kamplan send` again"), "{err}");
    assert!(!err.contains("trying again"), "a certificate is not retried: {err}");
    assert!(server.received().is_empty());
    assert!(server.logins().is_empty(), "no password sent to an untrusted server");
    assert_eq!(server.connections(), 1, "stopped after the first: the others were not tried");
    assert!(server.tls_errors().iter().any(|e| e.contains("UnknownCA")), "{:?}", server.tls_errors());
    assert_eq!(recorded(&month), 0, "nothing recorded as sent");

    // A ca_file with another CA: still not trusted, and the message names the file.
    tls_config(t.path(), "127.0.0.1", server.port, "starttls", "ca_file = \"otra-ca.pem\"");
    fs::copy(fixture("other-ca.pem"), t.path().join("otra-ca.pem")).unwrap();
    let o = send(t.path(), &[]);
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("not trusted") && err.contains("nor by one in [send] ca_file (otra-ca.pem)"),
        "{err}"
    );
    assert_eq!(recorded(&month), 0);

    // The company's CA: everything goes, once.
    fs::copy(fixture("ca.pem"), t.path().join("ca.pem")).unwrap();
    tls_config(t.path(), "127.0.0.1", server.port, "starttls", "ca_file = \"ca.pem\"");
    let o = send(t.path(), &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(server.received().len(), 5);
    assert_eq!(recorded(&month), 5);
    let o = send(t.path(), &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("5 already sent"), "{}", stderr(&o));
    assert_eq!(server.received().len(), 5, "exactly once");
}

#[test]
fn a_server_without_starttls_or_without_tls_is_a_clear_error() {
    let t = tmp();
    write_books(t.path(), 1.0, CARLA);
    let month = publish(t.path(), &[]);
    fs::copy(fixture("ca.pem"), t.path().join("ca.pem")).unwrap();
    let plain = server(Tls::Off);
    let at = format!("127.0.0.1:{}", plain.port);

    tls_config(t.path(), "127.0.0.1", plain.port, "starttls", "ca_file = \"ca.pem\"");
    let o = send(t.path(), &[]);
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains(&format!("{at} does not offer STARTTLS")), "{err}");
    assert!(err.contains("security = \"tls\""), "{err}");

    // TLS from the first byte to a plain server: the handshake fails, said as such.
    tls_config(t.path(), "127.0.0.1", plain.port, "tls", "ca_file = \"ca.pem\"");
    let o = send(t.path(), &[]);
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains(&format!("{at}: the TLS handshake failed")), "{err}");
    assert!(err.contains("check [send] port and security"), "{err}");

    assert!(plain.received().is_empty() && plain.logins().is_empty());
    assert_eq!(recorded(&month), 0);
}

#[test]
fn a_ca_file_that_is_no_certificate_is_refused_before_anything_is_sent() {
    let t = tmp();
    write_books(t.path(), 1.0, CARLA);
    let month = publish(t.path(), &[]);
    let server = server(Tls::Starttls);
    let conf = t.path().join("conf");
    fs::create_dir_all(&conf).unwrap();
    let run = |ca_file: &str, extra: &[&str]| {
        tls_config(&conf, "127.0.0.1", server.port, "starttls", &format!("ca_file = \"{ca_file}\""));
        let mut args = vec!["-c", "conf/kamplan.toml"];
        args.extend_from_slice(extra);
        let o = send(t.path(), &args);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        stderr(&o)
    };

    // Missing: the path as resolved, beside the config.
    let err = run("empresa.pem", &[]);
    let path = Path::new("conf").join("empresa.pem");
    assert!(err.contains(&format!("cannot read {}", path.display())), "{err}");
    assert!(err.contains("PEM file of one or more CA certificates"), "{err}");

    // A key where the certificate should be.
    fs::copy(fixture("server.key"), conf.join("server.key")).unwrap();
    let err = run("server.key", &[]);
    assert!(err.contains("server.key: no certificate in it, found only a private key"), "{err}");

    // Not PEM at all; found by a dry run too, the try before the real send.
    fs::write(conf.join("ca.der"), [0x30u8, 0x82, 0x02, 0x10, 0x30, 0x82]).unwrap();
    let err = run("ca.der", &["--dry-run"]);
    assert!(err.contains("ca.der: no certificate in it, found no PEM block"), "{err}");

    assert_eq!(server.connections(), 0, "nothing was tried");
    assert_eq!(recorded(&month), 0);
}

#[cfg(target_os = "linux")]
#[test]
fn a_certificate_for_another_name_is_refused_saying_so() {
    let t = tmp();
    write_books(t.path(), 1.0, CARLA);
    let month = publish(t.path(), &[]);
    // Trusted CA, but the certificate is for localhost and 127.0.0.1, and the server is 127.0.0.2.
    let server =
        SmtpServer::start(Behaviour { tls: Tls::Starttls, address: Some([127, 0, 0, 2]), ..login() });
    let ca = format!("ca_file = {:?}", fixture("ca.pem").display().to_string());
    tls_config(t.path(), "127.0.0.2", server.port, "starttls", &ca);
    let o = send(t.path(), &[]);
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    let err = stderr(&o);
    let at = format!("127.0.0.2:{}", server.port);
    assert!(err.contains(&format!("{at}: the server's certificate is not valid for \"127.0.0.2\"")), "{err}");
    assert!(err.contains("set [send] host to the name on the certificate"), "{err}");
    assert!(server.received().is_empty() && server.logins().is_empty());
    assert_eq!(recorded(&month), 0);
}
