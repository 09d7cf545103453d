//! `crm segment`.

/// Arguments of `crm segment`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The input file.
    pub file: std::path::PathBuf,
}

/// Runs `crm segment`.
pub fn run(args: &Args) -> Result<(), String> {
    Err(format!("{}: not implemented yet", args.file.display()))
}
