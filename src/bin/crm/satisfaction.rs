//! `crm satisfaction`.

/// Arguments of `crm satisfaction`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The input file.
    pub file: std::path::PathBuf,
}

/// Runs `crm satisfaction`.
pub fn run(args: &Args) -> Result<(), String> {
    Err(format!("{}: not implemented yet", args.file.display()))
}
