//! The `kamplan` binary: parse the command line, run the command, print the error chain, exit.

use clap::Parser;
use kamplan::cli::Cli;
use kamplan::commands::{print_out, say};

fn main() {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // Help and version go to stdout, which may be full: said, never a panic or a silent 0.
        Err(e) if !e.use_stderr() => match print_out(&e.render().to_string()) {
            Ok(()) => std::process::exit(0),
            Err(f) => {
                say(&format!("kamplan: error: {f}"));
                std::process::exit(f.code());
            }
        },
        Err(e) => {
            let _ = e.print();
            std::process::exit(e.exit_code());
        }
    };
    match kamplan::commands::dispatch(&cli) {
        Ok(outcome) => std::process::exit(outcome as i32),
        Err(e) => {
            say(&format!("kamplan: error: {e}"));
            std::process::exit(e.code());
        }
    }
}
