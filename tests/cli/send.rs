//! Integration tests for `kamplan send` (and `run --send`): a month published by the real binary
//! from books the tests write, handed over to a real SMTP server on 127.0.0.1 that the test
//! starts ([`crate::smtp`]); what the server received is parsed back and compared with the
//! published files.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use mail_parser::{MessageParser, MimeHeaders};

use crate::smtp::{Behaviour, Received, SmtpServer};
use crate::util::*;

pub(crate) const USER: &str = "ventas@levante.example";
pub(crate) const CARLA: Option<&str> = Some("carla@levante.example");
pub(crate) const PASSWORD: &str = "s3cret-contraseña";

/// (code, customer, KAM, yearly sales): one key account per KAM (the four large ones make the
/// Pareto 80 %) and a small customer each.
const CUSTOMERS: &[(&str, &str, &str, f64)] = &[
    ("C001", "Hostal Goñi S.L.", "Iñaki Goñi", 100_000.0),
    ("C002", "Bar <Ana> & Hijos", "Ana Ruiz", 90_000.0),
    ("C003", "Café Bruno S.A.", "Bruno Díaz", 80_000.0),
    ("C004", "Casa Carla", "Carla Vega", 70_000.0),
    ("C005", "Kiosco Uno", "Iñaki Goñi", 1_000.0),
    ("C006", "Kiosco Dos", "Ana Ruiz", 1_000.0),
    ("C007", "Kiosco Tres", "Bruno Díaz", 1_000.0),
    ("C008", "Kiosco Cuatro", "Carla Vega", 1_000.0),
];

/// The KAM directory: every KAM with an email (Carla's as given: none, or one that is not an
/// address), their manager listed with hers.
fn directory(carla: Option<&'static str>) -> Vec<Vec<V>> {
    let mut rows = vec![vec![V::S("Nombre"), V::S("Email"), V::S("Responsable")]];
    for (name, email) in [
        ("Iñaki Goñi", "inaki@levante.example"),
        ("Ana Ruiz", "ana@levante.example"),
        ("Bruno Díaz", "bruno@levante.example"),
        ("Carla Vega", "carla@levante.example"),
    ] {
        let email = match (name, carla) {
            ("Carla Vega", None) => V::Empty,
            ("Carla Vega", Some(e)) => V::S(e),
            _ => V::S(email),
        };
        rows.push(vec![V::S(name), email, V::S("Marta Jefa")]);
    }
    rows.push(vec![V::S("Marta Jefa"), V::S("marta@levante.example"), V::Empty]);
    rows
}

/// Writes the books: 24 months of sales to October 2026 (`ana_factor` scales Ana's big
/// customer, to change her plan), and the directory.
pub(crate) fn write_books(dir: &Path, ana_factor: f64, carla: Option<&'static str>) {
    let mut rows =
        vec![vec![V::S("Fecha"), V::S("Cód. cliente"), V::S("Cliente"), V::S("Comercial"), V::S("Importe")]];
    for m in 0..24u32 {
        let (y, mo) = (2024 + (10 + m) / 12, (10 + m) % 12 + 1);
        for (code, name, kam, yearly) in CUSTOMERS {
            let f = if *code == "C002" { ana_factor } else { 1.0 };
            rows.push(vec![
                V::D(y as u16, mo as u8, 15),
                V::S(code),
                V::S(name),
                V::S(kam),
                V::N((yearly * f / 12.0 * 100.0).round() / 100.0),
            ]);
        }
    }
    write_book(&dir.join("ventas.xlsx"), &[("Ventas", rows)]);
    write_book(&dir.join("equipo.xlsx"), &[("Comerciales", directory(carla))]);
}

/// Publishes October 2026 with the real binary; returns the month folder.
pub(crate) fn publish(dir: &Path, extra: &[&str]) -> PathBuf {
    let mut args = vec!["run", "--period", "2026-10", "-o", "out"];
    args.extend_from_slice(extra);
    args.extend(["ventas.xlsx", "equipo.xlsx"]);
    let o = kamplan(dir, &args);
    assert!(o.status.code().unwrap() <= 1, "run: {}", stderr(&o));
    dir.join("out/2026-10")
}

/// `kamplan.toml` for the test server: plain SMTP on localhost, a login, short retries.
fn config(dir: &Path, port: u16, extra: &str) {
    let text = format!(
        "[send]\nhost = \"127.0.0.1\"\nport = {port}\nsecurity = \"none\"\nuser = \"{USER}\"\n\
         from = \"Ventas Levante <{USER}>\"\nreply_to = \"direccion@levante.example\"\n\
         management = [\"direccion@levante.example\"]\ntimeout_s = 5\nretries = 2\nbackoff_s = 0.05\n{extra}\n"
    );
    fs::write(dir.join("kamplan.toml"), text).unwrap();
}

/// Runs kamplan with the SMTP password in its environment.
pub(crate) fn run_with_password(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kamplan"))
        .args(args)
        .current_dir(dir)
        .env("KAMPLAN_SMTP_PASSWORD", PASSWORD)
        .env_remove("RUST_LOG")
        .output()
        .expect("run kamplan")
}

pub(crate) fn send(dir: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["send", "-o", "out"];
    args.extend_from_slice(extra);
    run_with_password(dir, &args)
}

pub(crate) fn login() -> Behaviour {
    Behaviour { login: Some((USER.into(), PASSWORD.into())), ..Behaviour::default() }
}

/// The subject of each received message, in order.
pub(crate) fn subjects(received: &[Received]) -> Vec<String> {
    received
        .iter()
        .map(|r| MessageParser::default().parse(&r.data).unwrap().subject().unwrap_or_default().to_string())
        .collect()
}

pub(crate) fn sent_json(month: &Path) -> serde_json::Value {
    serde_json::from_slice(&fs::read(month.join("sent.json")).expect("sent.json")).unwrap()
}

/// The month's files by path, as published.
fn published(month: &Path) -> BTreeMap<String, Vec<u8>> {
    let manifest: serde_json::Value =
        serde_json::from_slice(&fs::read(month.join("manifest.json")).unwrap()).unwrap();
    manifest["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            let p = o["path"].as_str().unwrap().to_string();
            let bytes = fs::read(month.join(&p)).unwrap();
            (p, bytes)
        })
        .collect()
}

#[test]
fn each_kam_gets_their_plan_and_management_the_summary_with_the_published_bytes() {
    let t = tmp();
    write_books(t.path(), 1.0, CARLA);
    let month = publish(t.path(), &[]);
    let server = SmtpServer::start(login());
    config(t.path(), server.port, "");

    let o = send(t.path(), &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let received = server.received();
    assert_eq!(received.len(), 5, "four KAMs and the summary: {:?}", subjects(&received));
    assert_eq!(
        server.logins(),
        [(USER.to_string(), PASSWORD.to_string())],
        "one login, from the environment"
    );

    let files = published(&month);
    let handover: serde_json::Value = serde_json::from_slice(&files["handover.json"]).unwrap();
    let record = sent_json(&month);
    let entries = record["messages"].as_array().unwrap();
    assert_eq!(entries.len(), 5);
    for (r, entry) in received.iter().zip(entries) {
        let m = MessageParser::default().parse(&r.data).expect("a parseable message");
        let to: Vec<&str> = m.to().unwrap().iter().filter_map(|a| a.address()).collect();
        let cc: Vec<&str> =
            m.cc().map(|c| c.iter().filter_map(|a| a.address()).collect()).unwrap_or_default();
        let subject = m.subject().unwrap();
        let attachments: Vec<(String, Vec<u8>)> = m
            .attachments()
            .map(|a| (a.attachment_name().expect("a named attachment").to_string(), a.contents().to_vec()))
            .collect();
        // The record says what the server got.
        assert_eq!(entry["message_id"].as_str().unwrap(), format!("<{}>", m.message_id().unwrap()));
        assert_eq!(entry["to"].as_array().unwrap().len(), to.len());
        assert!(entry["reply"].as_str().unwrap().starts_with("250"), "{}", entry["reply"]);
        assert_eq!(m.reply_to().unwrap().first().unwrap().address(), Some("direccion@levante.example"));

        let expected_files: Vec<&str> = match entry["kam"].as_str() {
            Some(kam) => {
                let k = handover["kams"].as_array().unwrap().iter().find(|k| k["kam"] == kam).unwrap();
                assert_eq!(to, [k["email"].as_str().unwrap()], "{kam}");
                assert_eq!(
                    cc,
                    ["marta@levante.example"],
                    "{kam}: the manager, by the directory's row for her"
                );
                assert_eq!(r.to.len(), 2, "the envelope carries the copy too");
                assert!(subject.contains("oct 2026") && subject.contains(kam), "{subject}");
                // The body: the key account, its next meeting, who to reply to.
                let text = m.body_text(0).unwrap();
                let account = k["accounts"][0]["name"].as_str().unwrap();
                assert!(text.contains(account) && text.contains("Próxima reunión"), "{text}");
                assert!(text.contains("direccion@levante.example"), "{text}");
                let html = m.body_html(0).unwrap();
                if kam == "Ana Ruiz" {
                    assert!(
                        html.contains("Bar &lt;Ana&gt; &amp; Hijos"),
                        "book text is escaped in HTML: {html}"
                    );
                    assert!(text.contains("Bar <Ana> & Hijos"), "and plain in text");
                }
                k["files"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect()
            }
            None => {
                assert_eq!(to, ["direccion@levante.example"]);
                assert!(cc.is_empty());
                assert!(subject.starts_with("Resumen de cuentas clave oct 2026"), "{subject}");
                handover["summary_files"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect()
            }
        };
        assert_eq!(expected_files.len(), 2, "PDF and XLSX");
        let names: Vec<&str> = attachments.iter().map(|(n, _)| n.as_str()).collect();
        let want: Vec<&str> = expected_files.iter().map(|f| f.rsplit('/').next().unwrap()).collect();
        assert_eq!(names, want, "attachments keep their file names");
        for ((_, bytes), path) in attachments.iter().zip(&expected_files) {
            assert!(bytes == &files[*path], "{path}: the bytes sent are the bytes published");
        }
    }
    // A UTF-8 name arrives whole, encoded as RFC 2231.
    let inaki = received.iter().find(|r| r.to[0] == "inaki@levante.example").unwrap();
    let m = MessageParser::default().parse(&inaki.data).unwrap();
    let names: Vec<&str> = m.attachments().filter_map(|a| a.attachment_name()).collect();
    assert_eq!(
        names,
        ["Plan cuentas clave Iñaki Goñi 2026-10.pdf", "Plan cuentas clave Iñaki Goñi 2026-10.xlsx"]
    );
    assert!(String::from_utf8_lossy(&inaki.data).contains("filename*"), "RFC 2231 parameter");

    // stdout: one line per message sent.
    assert_eq!(stdout(&o).lines().filter(|l| l.starts_with("sent\t")).count(), 5, "{}", stdout(&o));

    // Sending again sends nothing: everything is in the record with the same files.
    let again = send(t.path(), &[]);
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    assert_eq!(server.received().len(), 5);
    assert!(stderr(&again).contains("5 already sent"), "{}", stderr(&again));
    // --resend sends everything again.
    let resend = send(t.path(), &["--resend"]);
    assert_eq!(resend.status.code(), Some(0), "{}", stderr(&resend));
    assert_eq!(server.received().len(), 10);
    assert_eq!(sent_json(&month)["messages"].as_array().unwrap().len(), 10);
}

#[test]
fn a_plan_regenerated_with_run_kam_is_sent_again_and_only_it() {
    let t = tmp();
    write_books(t.path(), 1.0, CARLA);
    let month = publish(t.path(), &[]);
    let server = SmtpServer::start(login());
    config(t.path(), server.port, "");
    assert_eq!(send(t.path(), &[]).status.code(), Some(0));
    assert_eq!(server.received().len(), 5);

    // Republishing the same data (whole month) changes no file: nothing to send, and the
    // record survives the new publish.
    publish(t.path(), &[]);
    let o = send(t.path(), &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(server.received().len(), 5, "{}", stderr(&o));

    // Ana's customer bought more: her plan is regenerated alone; the summary changes with it.
    write_books(t.path(), 1.5, CARLA);
    publish(t.path(), &["--kam", "Ana Ruiz"]);
    let o = send(t.path(), &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let received = server.received();
    assert_eq!(received.len(), 7, "{:?}", subjects(&received));
    let new: Vec<&str> = received[5..].iter().map(|r| r.to[0].as_str()).collect();
    assert_eq!(new, ["ana@levante.example", "direccion@levante.example"]);
    assert!(stderr(&o).contains("changed since it was sent"), "{}", stderr(&o));
    assert_eq!(sent_json(&month)["messages"].as_array().unwrap().len(), 7);
}

#[test]
fn a_server_that_drops_the_connection_after_three_messages_loses_and_duplicates_nothing() {
    let t = tmp();
    write_books(t.path(), 1.0, CARLA);
    let month = publish(t.path(), &[]);

    // Hangs up after the third message but still answers: the next message reconnects.
    let server = SmtpServer::start(Behaviour { drop_after: Some(3), ..login() });
    config(t.path(), server.port, "");
    let o = send(t.path(), &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let mut subj = subjects(&server.received());
    assert_eq!(subj.len(), 5);
    subj.dedup();
    assert_eq!(subj.len(), 5, "no duplicates");
    assert!(server.connections() >= 2, "a second connection after the drop");

    // Hangs up after the third message and is gone: the send stops with exit 4, naming what
    // was not sent; the record holds the three accepted.
    fs::remove_file(month.join("sent.json")).unwrap();
    let first = SmtpServer::start(Behaviour { drop_after: Some(3), gone_after_drop: true, ..login() });
    config(t.path(), first.port, "");
    let o = send(t.path(), &[]);
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    assert_eq!(first.received().len(), 3);
    assert_eq!(sent_json(&month)["messages"].as_array().unwrap().len(), 3);
    let err = stderr(&o);
    assert!(err.contains("not sent") && err.contains("trying again"), "{err}");

    // The server is back (on another port): the second send sends only the other two.
    let second = SmtpServer::start(login());
    config(t.path(), second.port, "");
    let o = send(t.path(), &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(second.received().len(), 2, "{:?}", subjects(&second.received()));
    let mut all = subjects(&first.received());
    all.extend(subjects(&second.received()));
    let mut unique = all.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 5, "every message exactly once: {all:?}");
    assert_eq!(all.len(), 5);
    assert_eq!(sent_json(&month)["messages"].as_array().unwrap().len(), 5);
}

#[test]
fn a_5xx_for_one_recipient_fails_that_message_only() {
    let t = tmp();
    write_books(t.path(), 1.0, CARLA);
    let month = publish(t.path(), &[]);
    let server = SmtpServer::start(Behaviour { refuse: vec!["bruno@levante.example".into()], ..login() });
    config(t.path(), server.port, "");
    let o = send(t.path(), &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let received = server.received();
    assert_eq!(received.len(), 4, "the others go on");
    assert!(received.iter().all(|r| !r.to.contains(&"bruno@levante.example".to_string())));
    let err = stderr(&o);
    assert!(err.contains("KAM Bruno Díaz") && err.contains("550"), "{err}");
    let record = sent_json(&month);
    assert!(record["messages"].as_array().unwrap().iter().all(|m| m["kam"] != "Bruno Díaz"));
    // Not recorded, so the next send tries Bruno again (and only him).
    let o = send(t.path(), &[]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(server.received().len(), 4);
    assert!(stderr(&o).contains("4 already sent"), "{}", stderr(&o));
}

#[test]
fn dry_run_connects_to_nothing_and_writes_eml_files_on_request() {
    let t = tmp();
    write_books(t.path(), 1.0, CARLA);
    let month = publish(t.path(), &[]);
    let server = SmtpServer::start(login());
    config(t.path(), server.port, "");

    let o = send(t.path(), &["--dry-run"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert_eq!(out.lines().filter(|l| l.starts_with("to ")).count(), 5, "{out}");
    assert!(out.contains("Iñaki Goñi <inaki@levante.example>"), "{out}");
    assert!(out.contains("cc       Marta Jefa <marta@levante.example>"), "{out}");
    assert!(out.contains("Plan cuentas clave Iñaki Goñi 2026-10.pdf (") && out.contains(" KB)"), "{out}");
    assert!(stderr(&o).contains("nothing was sent"), "{}", stderr(&o));

    let o = send(t.path(), &["--dry-run", "correo"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let mut emls: Vec<PathBuf> =
        fs::read_dir(t.path().join("correo")).unwrap().map(|e| e.unwrap().path()).collect();
    emls.sort();
    assert_eq!(emls.len(), 5);
    assert!(emls[0].file_name().unwrap().to_str().unwrap().starts_with("01-"));
    let raw = fs::read(&emls[0]).unwrap();
    let m = MessageParser::default().parse(&raw).unwrap();
    let files = published(&month);
    for a in m.attachments() {
        let name = a.attachment_name().unwrap();
        let (_, bytes) = files.iter().find(|(p, _)| p.ends_with(name)).unwrap();
        assert!(a.contents() == bytes.as_slice(), "{name}");
    }

    // A test round in the dry run: everything to one address.
    let o = send(t.path(), &["--dry-run", "--to", "prueba@levante.example"]);
    assert_eq!(stdout(&o).matches("to       prueba@levante.example").count(), 5, "{}", stdout(&o));

    // The mail templates are overridden by name, like the documents'.
    fs::create_dir_all(t.path().join("plantillas")).unwrap();
    fs::write(
        t.path().join("plantillas/mail_subject.txt.tera"),
        "{% if mail.kind == \"kam\" %}Tu plan de {{ mail.month.period }}, {{ mail.kam.kam }}{% else %}Resumen{% endif %}",
    )
    .unwrap();
    config(t.path(), server.port, "");
    let text = fs::read_to_string(t.path().join("kamplan.toml")).unwrap();
    fs::write(t.path().join("kamplan.toml"), format!("templates = \"plantillas\"\n{text}")).unwrap();
    let o = send(t.path(), &["--dry-run"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("subject  Tu plan de 2026-10, Iñaki Goñi\n"), "{}", stdout(&o));

    assert_eq!(server.connections(), 0, "a dry run opens no connection");
    assert!(server.received().is_empty());
    assert!(!month.join("sent.json").exists(), "a dry run records nothing");
}

#[test]
fn a_tampered_month_is_refused_naming_the_file() {
    let t = tmp();
    write_books(t.path(), 1.0, CARLA);
    let month = publish(t.path(), &[]);
    let server = SmtpServer::start(login());
    config(t.path(), server.port, "");
    let pdf = month.join("ana-ruiz/Plan cuentas clave Ana Ruiz 2026-10.pdf");
    let mut bytes = fs::read(&pdf).unwrap();
    let n = bytes.len();
    bytes.truncate(n - 100); // half-copied
    fs::write(&pdf, bytes).unwrap();
    let o = send(t.path(), &[]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("ana-ruiz/Plan cuentas clave Ana Ruiz 2026-10.pdf") && err.contains("sha256"),
        "{err}"
    );
    assert!(err.contains("nothing was sent"), "{err}");
    assert_eq!(server.connections(), 0);
}

#[test]
fn a_password_in_the_config_is_refused_and_says_why() {
    let t = tmp();
    write_books(t.path(), 1.0, CARLA);
    publish(t.path(), &[]);
    config(t.path(), 2525, "password = \"hunter2\"");
    let o = send(t.path(), &["--dry-run"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("`password`") && err.contains("KAMPLAN_SMTP_PASSWORD"), "{err}");
    assert!(!err.contains("hunter2"), "the secret is not echoed: {err}");

    // A login with no password in the environment is an error before anything is sent.
    config(t.path(), 2525, "");
    let o = kamplan(t.path(), &["send", "-o", "out"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("KAMPLAN_SMTP_PASSWORD is not set"), "{}", stderr(&o));
}

#[test]
fn a_kam_without_email_or_with_a_file_too_large_is_a_warning_never_a_guess() {
    let t = tmp();
    write_books(t.path(), 1.0, None);
    publish(t.path(), &[]);
    let server = SmtpServer::start(login());
    config(t.path(), server.port, "");
    let o = send(t.path(), &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("KAM Carla Vega has no email in the KAM directory"), "{}", stderr(&o));
    assert_eq!(server.received().len(), 4);
    assert!(server.received().iter().all(|r| r.to.iter().all(|a| !a.contains("carla"))));

    // An address that is not one is named, never "fixed".
    write_books(t.path(), 1.0, Some("carla en levante.example"));
    publish(t.path(), &[]);
    let o = send(t.path(), &["--dry-run"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains(
            "KAM Carla Vega: the KAM directory's email \"carla en levante.example\" is not a valid address"
        ),
        "{err}"
    );
    assert!(!stdout(&o).contains("carla"), "{}", stdout(&o));

    config(t.path(), server.port, "max_attachment_mb = 0.01");
    let o = send(t.path(), &["--dry-run"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("over [send] max_attachment_mb = 0.01: not sent"), "{err}");
    assert!(err.contains("KAM Iñaki Goñi:"), "{err}");
}

#[test]
fn run_send_publishes_then_hands_over_in_one_command() {
    let t = tmp();
    write_books(t.path(), 1.0, CARLA);
    let server = SmtpServer::start(login());
    config(t.path(), server.port, "");
    let o = run_with_password(
        t.path(),
        &["run", "--send", "--period", "2026-10", "-o", "out", "ventas.xlsx", "equipo.xlsx"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(server.received().len(), 5);
    assert!(stdout(&o).lines().any(|l| l.ends_with("out/2026-10")), "the published folder first");

    // `[send] after_run = true` does the same on every run; nothing new to send here.
    config(t.path(), server.port, "after_run = true");
    let o = run_with_password(
        t.path(),
        &["run", "--period", "2026-10", "-o", "out", "ventas.xlsx", "equipo.xlsx"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("5 already sent"), "{}", stderr(&o));
    assert_eq!(server.received().len(), 5);
}
