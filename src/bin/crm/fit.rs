//! `crm fit` and `crm predict`.

/// Arguments of `crm fit`.
#[derive(clap::Args, Debug)]
pub struct FitArgs {
    /// The input file.
    pub file: std::path::PathBuf,
}

/// Arguments of `crm predict`.
#[derive(clap::Args, Debug)]
pub struct PredictArgs {
    /// The input file.
    pub file: std::path::PathBuf,
}

/// Runs `crm fit`.
pub fn run_fit(args: &FitArgs) -> Result<(), String> {
    Err(format!("{}: not implemented yet", args.file.display()))
}

/// Runs `crm predict`.
pub fn run_predict(args: &PredictArgs) -> Result<(), String> {
    Err(format!("{}: not implemented yet", args.file.display()))
}
