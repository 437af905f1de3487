//! kamplan: Excel sales books in, Key Account Plans out.
//!
//! The pipeline, top to bottom: [`ingest`] → [`classify`] → [`plan`] → [`templating`] →
//! [`document`] → [`render`] → [`publish`], with [`history`] beside ingest reading back what
//! earlier published months left (their targets). Each stage is a module that owns one thing; the
//! commands in [`commands`] call them in order. This file is the front door: the stages and the
//! two types every command shares, [`Outcome`] and [`Failure`].

pub mod carry;
pub mod classify;
pub mod cli;
pub mod commands;
pub mod config;
pub mod document;
pub mod history;
pub mod ingest;
pub mod lang;
pub mod period;
pub mod plan;
pub mod publish;
pub mod render;
pub mod send;
pub mod templating;

/// How a command ended, as the process exit code. Documented in README and `--help`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    /// 0: done.
    Done = 0,
    /// 1: done, with warnings someone should read.
    Warnings = 1,
}

impl Outcome {
    /// [`Outcome::Warnings`] when there is anything to read, else [`Outcome::Done`].
    pub fn from_warnings(warned: bool) -> Outcome {
        if warned {
            Outcome::Warnings
        } else {
            Outcome::Done
        }
    }
}

/// Errors that choose an exit code other than 0/1.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// 2: usage or configuration error.
    #[error("{0:#}")]
    Usage(anyhow::Error),
    /// 3: input error (no readable book, no sales lines).
    #[error("{0:#}")]
    Input(anyhow::Error),
    /// 4: a document could not be rendered or written.
    #[error("{0:#}")]
    Output(anyhow::Error),
}

impl Failure {
    /// The same failure with `what` said before it.
    pub fn context(self, what: String) -> Failure {
        match self {
            Failure::Usage(e) => Failure::Usage(e.context(what)),
            Failure::Input(e) => Failure::Input(e.context(what)),
            Failure::Output(e) => Failure::Output(e.context(what)),
        }
    }

    /// The process exit code.
    pub fn code(&self) -> i32 {
        match self {
            Failure::Usage(_) => 2,
            Failure::Input(_) => 3,
            Failure::Output(_) => 4,
        }
    }
}
