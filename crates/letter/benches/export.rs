//! Export benchmarks (a program, not a test): `cargo bench -p jianban-letter`.
//!
//! 1. In-process: the three-page example letter to PDF with fonts cached
//!    (target: median ≤ 20 ms), plus layout alone and the SVG preview.
//! 2. Whole process, side by side in one run: the CLI rendering the letter
//!    to PDF against `libreoffice --headless --convert-to pdf` on the .docx
//!    the CLI exports for the same letter (target: ≥ 30× faster).
//! 3. PDF size for the three pages (target: ≤ 150 KB).
//!
//! Optional arguments: `--iterations N` (in-process, default 100) and
//! `--process-runs N` (each whole-process side, default 5).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use jianban_letter::json::LetterJson;
use jianban_letter::{LetterRenderer, PdfOptions};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn time_cmd(cmd: &mut Command) -> Duration {
    let t = Instant::now();
    let out = cmd.output().expect("command runs");
    let d = t.elapsed();
    assert!(
        out.status.success(),
        "{:?} failed: {}",
        cmd,
        String::from_utf8_lossy(&out.stderr)
    );
    d
}

fn find_libreoffice() -> Option<PathBuf> {
    ["soffice", "libreoffice"].iter().find_map(|name| {
        std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|p| p.join(name))
                .find(|p| p.is_file())
        })
    })
}

fn main() {
    let iterations = arg("--iterations", 100);
    let process_runs = arg("--process-runs", 5);
    let input = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/letters/reply-39.json");
    let (letter, settings) = LetterJson::load(&input).expect("example letter");
    let mut r = LetterRenderer::with_options(Default::default(), settings);

    // Fonts are found and parsed once, as in the app.
    let t = Instant::now();
    let first = r
        .render_pdf(&letter, &PdfOptions::default())
        .expect("renders");
    println!(
        "first export (discovers and parses fonts): {:.1} ms",
        ms(t.elapsed())
    );
    println!("pages: {}", first.pages);
    println!(
        "pdf size: {} bytes ({:.1} KB; target ≤ 150 KB)",
        first.output.len(),
        first.output.len() as f64 / 1024.0
    );

    let mut layout = Vec::new();
    let mut svg = Vec::new();
    let mut pdf = Vec::new();
    for _ in 0..iterations {
        let t = Instant::now();
        r.layout(&letter).unwrap();
        layout.push(t.elapsed());
        let t = Instant::now();
        r.render_svg(&letter).unwrap();
        svg.push(t.elapsed());
        let t = Instant::now();
        r.render_pdf(&letter, &PdfOptions::default()).unwrap();
        pdf.push(t.elapsed());
    }
    println!("in-process, {iterations} iterations, fonts cached:");
    println!("  layout      median {:.2} ms", ms(median(layout)));
    println!("  svg preview median {:.2} ms", ms(median(svg)));
    let mut sorted = pdf.clone();
    sorted.sort();
    println!(
        "  pdf export  median {:.2} ms (min {:.2}, p90 {:.2}; target ≤ 20 ms)",
        ms(median(pdf)),
        ms(sorted[0]),
        ms(sorted[sorted.len() * 9 / 10])
    );

    // Whole process, side by side.
    let bin = env!("CARGO_BIN_EXE_jianban-letter");
    let dir = std::env::temp_dir().join(format!("jianban-letter-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let docx = dir.join("reply-39.docx");
    time_cmd(Command::new(bin).arg("render").arg(&input).arg(&docx));
    let Some(lo) = find_libreoffice() else {
        println!("LibreOffice not found: install libreoffice-writer-nogui for the comparison");
        return;
    };
    let profile = format!(
        "-env:UserInstallation=file://{}",
        dir.join("lo-profile").display()
    );
    let lo_cmd = || {
        let mut c = Command::new(&lo);
        c.arg(&profile)
            .args(["--headless", "--convert-to", "pdf", "--outdir"])
            .arg(dir.join("lo"))
            .arg(&docx);
        c
    };
    // One untimed run each: LibreOffice creates its profile, both warm the page cache.
    time_cmd(&mut lo_cmd());
    time_cmd(
        Command::new(bin)
            .arg("render")
            .arg(&input)
            .arg(dir.join("cli.pdf")),
    );
    let mut cli = Vec::new();
    let mut office = Vec::new();
    for _ in 0..process_runs {
        cli.push(time_cmd(
            Command::new(bin)
                .arg("render")
                .arg(&input)
                .arg(dir.join("cli.pdf")),
        ));
        office.push(time_cmd(&mut lo_cmd()));
    }
    let (c, o) = (median(cli), median(office));
    let lo_pdf = dir.join("lo/reply-39.pdf");
    println!("whole process, {process_runs} runs each, alternating:");
    println!("  jianban-letter render → pdf   median {:.1} ms", ms(c));
    println!(
        "  libreoffice --convert-to pdf  median {:.1} ms ({} bytes)",
        ms(o),
        std::fs::metadata(&lo_pdf).map(|m| m.len()).unwrap_or(0)
    );
    println!(
        "  speed-up: {:.1}× (target ≥ 30×)",
        o.as_secs_f64() / c.as_secs_f64()
    );
    let _ = std::fs::remove_dir_all(&dir);
}
