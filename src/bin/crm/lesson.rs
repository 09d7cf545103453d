//! `crm lesson bgnbd -o bgnbd.xlsx`: the BG/NBD lesson's step-by-step sheet as the workbook the
//! app's "BG/NBD workbook (.xlsx)" writes ([`crm::io::workbook`]): 20 simulated customers at the
//! engine's own fit, every computed cell a live formula.

use crm::analysis::bgnbd_sheet::{self, Sheet, LESSON_HORIZON};
use crm::domain::clv::BtydModel;
use crm::io::workbook::bgnbd_workbook;

/// Arguments of `crm lesson`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The lesson ("bgnbd": the only one with a workbook).
    pub lesson: String,
    /// Where to write the workbook.
    #[arg(long, short)]
    pub output: std::path::PathBuf,
}

/// Runs `crm lesson`.
///
/// # Errors
/// An unknown lesson, a fit that fails, or a file that cannot be written.
pub fn run(a: &Args) -> Result<(), String> {
    if a.lesson != "bgnbd" {
        return Err(format!(
            "there is no workbook for the lesson \"{}\" (try bgnbd)",
            a.lesson
        ));
    }
    let customers = bgnbd_sheet::lesson_customers()?;
    let fit = bgnbd_sheet::fit(&customers)?;
    let BtydModel::BgNbd(p) = fit.model else {
        return Err("the fit is not BG/NBD".into());
    };
    let sheet = Sheet::new(&customers, p, LESSON_HORIZON);
    let bytes = bgnbd_workbook(&sheet)?;
    std::fs::write(&a.output, bytes).map_err(|e| format!("{}: {e}", a.output.display()))?;
    println!(
        "wrote {} ({} customers, total LL {:.4}, r {:.4}, alpha {:.4}, a {:.4}, b {:.4})",
        a.output.display(),
        sheet.rows.len(),
        sheet.total_ll.value,
        p.r,
        p.alpha,
        p.a,
        p.b
    );
    Ok(())
}
