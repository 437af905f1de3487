//! The `kamplan` binary: parse the command line, run the command, print the error chain, exit.

use clap::Parser;
use kamplan::cli::Cli;

fn main() {
    let cli = Cli::parse();
    match kamplan::commands::dispatch(&cli) {
        Ok(outcome) => std::process::exit(outcome as i32),
        Err(e) => {
            eprintln!("kamplan: error: {e}");
            std::process::exit(e.code());
        }
    }
}
