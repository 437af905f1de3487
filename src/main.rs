//! The `kamplan` binary: parse the command line, run the library, print the error chain, exit.

use clap::{CommandFactory, Parser};
use kamplan::cli::{Cli, Command};

fn main() {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Check(a) => kamplan::check(a),
        Command::Classify(a) => kamplan::classify_cmd(a),
        Command::Run(a) => kamplan::run(a),
        Command::Init(a) => kamplan::init(a),
        Command::Completions { shell } => {
            clap_complete::generate(*shell, &mut Cli::command(), "kamplan", &mut std::io::stdout());
            Ok(kamplan::Outcome::Done)
        }
    };
    match result {
        Ok(outcome) => std::process::exit(outcome as i32),
        Err(e) => {
            eprintln!("kamplan: error: {e}");
            std::process::exit(e.code());
        }
    }
}
