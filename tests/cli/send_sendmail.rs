//! `kamplan send` with `transport = "sendmail"`: the real binary hands each message to a stand-in
//! mail agent — a shell script the test puts first on the child's PATH — that keeps what it is
//! given, or fails as a broken agent does.

#![cfg(unix)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use mail_parser::MessageParser;

use crate::send::{publish, sent_json, write_books, CARLA};
use crate::util::*;

/// Writes `bin/sendmail` (the script `body`) and a config using it; returns the mail folder the
/// script may write to (`$MAILDIR`).
fn fake_sendmail(dir: &Path, body: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let bin = dir.join("bin");
    fs::create_dir_all(&bin).unwrap();
    let script = bin.join("sendmail");
    fs::write(&script, format!("#!/bin/sh\n{body}")).unwrap();
    fs::set_permissions(&script, fs::Permissions::from_mode(0o755)).unwrap();
    let maildir = dir.join("maildir");
    fs::create_dir_all(&maildir).unwrap();
    fs::write(
        dir.join("kamplan.toml"),
        "[send]\ntransport = \"sendmail\"\nfrom = \"ventas@levante.example\"\nmanagement = [\"direccion@levante.example\"]\n\
         retries = 1\nbackoff_s = 0.05\n",
    )
    .unwrap();
    maildir
}

/// `kamplan send` with the fake agent first on the PATH.
fn send_with_fake(dir: &Path) -> Output {
    let path = format!("{}:{}", dir.join("bin").display(), std::env::var("PATH").unwrap_or_default());
    Command::new(env!("CARGO_BIN_EXE_kamplan"))
        .args(["send", "-o", "out"])
        .current_dir(dir)
        .env("PATH", path)
        .env("MAILDIR", dir.join("maildir"))
        .env_remove("RUST_LOG")
        .output()
        .unwrap()
}

/// Files in `dir` ending in `ext`, sorted.
fn files(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    v.sort();
    v
}

#[test]
fn sendmail_transport_hands_each_message_to_the_local_mail_agent_once() {
    let t = tmp();
    write_books(t.path(), 1.0, CARLA);
    let month = publish(t.path(), &[]);
    // Keeps its arguments and the message it is given, numbered in order.
    let maildir = fake_sendmail(
        t.path(),
        "n=$(ls \"$MAILDIR\" | grep -c eml)\necho \"$@\" > \"$MAILDIR/$n.args\"\ncat > \"$MAILDIR/$n.eml\"\n",
    );
    let o = send_with_fake(t.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let emls = files(&maildir, "eml");
    assert_eq!(emls.len(), 5, "four KAMs and the summary");

    let record = sent_json(&month);
    let entries = record["messages"].as_array().unwrap();
    assert_eq!(entries.len(), 5, "each recorded once");
    for (i, entry) in entries.iter().enumerate() {
        assert_eq!(entry["transport"], "sendmail");
        // The envelope on the command line: the sender, then every recipient (the copy too).
        let args = fs::read_to_string(maildir.join(format!("{i}.args"))).unwrap();
        let mut want = vec!["-i", "-f", "ventas@levante.example", "--"];
        let to: Vec<&str> = entry["to"].as_array().unwrap().iter().map(|a| a.as_str().unwrap()).collect();
        let cc: Vec<&str> = entry["cc"].as_array().unwrap().iter().map(|a| a.as_str().unwrap()).collect();
        want.extend(&to);
        want.extend(&cc);
        assert_eq!(args.split_whitespace().collect::<Vec<_>>(), want, "message {i}");
        // The message on stdin is the one recorded.
        let raw = fs::read(maildir.join(format!("{i}.eml"))).unwrap();
        let m = MessageParser::default().parse(&raw).unwrap();
        assert_eq!(format!("<{}>", m.message_id().unwrap()), entry["message_id"].as_str().unwrap());
        assert_eq!(m.subject().unwrap(), entry["subject"].as_str().unwrap());
    }
    let first = fs::read_to_string(maildir.join("0.args")).unwrap();
    assert_eq!(first.trim(), "-i -f ventas@levante.example -- ana@levante.example marta@levante.example");

    // Again: nothing is handed over twice.
    let o = send_with_fake(t.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("5 already sent"), "{}", stderr(&o));
    assert_eq!(files(&maildir, "eml").len(), 5);
}

#[test]
fn a_failing_mail_agent_is_reported_with_its_words_and_nothing_is_recorded() {
    let t = tmp();
    write_books(t.path(), 1.0, CARLA);
    let month = publish(t.path(), &[]);
    // Reads the message, counts the call, says why on stderr and exits 1 (postfix's way when it
    // is not set up).
    let maildir = fake_sendmail(
        t.path(),
        "cat > /dev/null\necho call >> \"$MAILDIR/calls\"\n\
         echo 'sendmail: fatal: open /etc/postfix/main.cf: No such file or directory' >&2\nexit 1\n",
    );
    let o = send_with_fake(t.path());
    assert_eq!(o.status.code(), Some(4), "not everything was sent: {}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("sendmail failed (exit 1): sendmail: fatal: open /etc/postfix/main.cf: No such file"),
        "the agent's own words: {err}"
    );
    assert!(err.contains("KAM Ana Ruiz"), "names the message: {err}");
    assert!(err.contains("not tried"), "the others are not tried: {err}");
    let calls = fs::read_to_string(maildir.join("calls")).unwrap();
    assert_eq!(calls.lines().count(), 1, "an agent that fails for every message is asked once");
    assert!(stdout(&o).lines().all(|l| !l.starts_with("sent\t")), "{}", stdout(&o));
    let none =
        !month.join("sent.json").exists() || sent_json(&month)["messages"].as_array().unwrap().is_empty();
    assert!(none, "nothing recorded as sent");

    // Unknown user (exit 67) refuses that message only; the others go on.
    fs::remove_file(maildir.join("calls")).unwrap();
    fake_sendmail(
        t.path(),
        "for a in \"$@\"; do [ \"$a\" = bruno@levante.example ] && { echo 'bruno@levante.example: user unknown' >&2; exit 67; }; done\n\
         cat > /dev/null\necho call >> \"$MAILDIR/calls\"\n",
    );
    let o = send_with_fake(t.path());
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains(
            "KAM Bruno Díaz not sent: sendmail refused it (exit 67): bruno@levante.example: user unknown"
        ),
        "{err}"
    );
    assert_eq!(fs::read_to_string(maildir.join("calls")).unwrap().lines().count(), 4);
    assert_eq!(sent_json(&month)["messages"].as_array().unwrap().len(), 4);
}
