//! Reads a file with the csv crate's record loop (`read_byte_record`, one reused record),
//! touching every field, and prints `{"bytes", "records", "fields", "seconds"}` as JSON: the
//! parse limit the import's throughput is compared with.
use std::io::Read;

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: csv-raw FILE");
        std::process::exit(2);
    };
    let started = std::time::Instant::now();
    let mut bytes = Vec::new();
    if let Err(e) = std::fs::File::open(&path).and_then(|mut f| f.read_to_end(&mut bytes)) {
        eprintln!("{path}: {e}");
        std::process::exit(1);
    }
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes.as_slice());
    let mut rec = csv::ByteRecord::new();
    let (mut records, mut fields, mut field_bytes) = (0u64, 0u64, 0u64);
    while let Ok(true) = rdr.read_byte_record(&mut rec) {
        records += 1;
        for f in rec.iter() {
            fields += 1;
            field_bytes += f.len() as u64;
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "{{\"bytes\": {}, \"records\": {records}, \"fields\": {fields}, \"field_bytes\": {field_bytes}, \"seconds\": {seconds}}}",
        bytes.len()
    );
}
