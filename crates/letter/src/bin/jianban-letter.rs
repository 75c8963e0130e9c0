//! Command line: render a letter file, list the fonts, or show the layout.
//!
//! ```text
//! jianban-letter render LETTER.json OUT.pdf|OUT.docx|OUT.svg [--public] [--timing]
//! jianban-letter layout LETTER.json
//! jianban-letter fonts
//! ```

use std::path::Path;
use std::process::ExitCode;

use jianban_letter::json::LetterJson;
use jianban_letter::{FontOptions, LetterError, LetterRenderer};

const USAGE: &str = "用法：
  jianban-letter render 答复函.json 输出.pdf|输出.docx|输出.svg [--public]
      按 GB/T 9704 版式排版并导出；--public 导出公开版本（去掉联系人和电话）；
      --timing 显示各阶段耗时
  jianban-letter layout 答复函.json
      显示每页每行的排版结果
  jianban-letter fonts
      显示本机用于仿宋、小标宋、黑体、楷体、宋体的字体";

fn fail(e: &LetterError) -> ExitCode {
    eprintln!("错误 [{}]：{e}", e.code());
    ExitCode::from(1)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let public = args.iter().any(|a| a == "--public");
    let timing = args.iter().any(|a| a == "--timing");
    let pos: Vec<&str> = args
        .iter()
        .filter(|a| !a.starts_with("--"))
        .map(|s| s.as_str())
        .collect();
    match pos.as_slice() {
        ["render", input, output] => {
            let (mut letter, settings) = match LetterJson::load(Path::new(input)) {
                Ok(x) => x,
                Err(e) => return fail(&e),
            };
            if public {
                letter = letter.public_version();
            }
            let mut r = LetterRenderer::with_options(FontOptions::default(), settings);
            if timing {
                // Phase timings for maintainers: fonts, layout, the export.
                let t = std::time::Instant::now();
                let fonts = r.font_set().map(|_| ());
                eprintln!(
                    "计时：字体发现与解析 {:.1} ms",
                    t.elapsed().as_secs_f64() * 1e3
                );
                if fonts.is_ok() {
                    let t = std::time::Instant::now();
                    let _ = r.layout(&letter);
                    eprintln!("计时：排版 {:.1} ms", t.elapsed().as_secs_f64() * 1e3);
                }
            }
            let t = std::time::Instant::now();
            let result = r.export(&letter, Path::new(output));
            if timing {
                eprintln!(
                    "计时：导出（含排版）{:.1} ms",
                    t.elapsed().as_secs_f64() * 1e3
                );
            }
            match result {
                Ok(done) => {
                    for m in done.report.messages_zh() {
                        eprintln!("提示：{m}");
                    }
                    for f in &done.output {
                        println!("{}（共 {} 页）", f.display(), done.pages);
                    }
                    // The process ends here: unmapping fonts and freeing the
                    // caches one by one would only add to the run time.
                    std::mem::forget(r);
                    ExitCode::SUCCESS
                }
                Err(e) => fail(&e),
            }
        }
        ["layout", input] => {
            let (letter, settings) = match LetterJson::load(Path::new(input)) {
                Ok(x) => x,
                Err(e) => return fail(&e),
            };
            let mut r = LetterRenderer::with_options(FontOptions::default(), settings);
            match r.layout(&letter) {
                Ok((layout, report)) => {
                    for p in &layout.pages {
                        println!("=== 第 {} 页 ===", p.number);
                        for l in &p.lines {
                            let row = l
                                .row
                                .map(|r| format!("{:>2}", r + 1))
                                .unwrap_or("  ".into());
                            println!("{row} {:<11} {}", format!("{:?}", l.role), l.text());
                        }
                    }
                    for m in report.messages_zh() {
                        eprintln!("提示：{m}");
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => fail(&e),
            }
        }
        ["fonts"] => {
            let mut r = LetterRenderer::new();
            match r.font_choices() {
                Ok(choices) => {
                    for c in choices {
                        let note = if c.substituted { "（替代）" } else { "" };
                        println!(
                            "{}：{}{note}  {} #{}",
                            c.wanted,
                            c.family,
                            c.path.display(),
                            c.index
                        );
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => fail(&e),
            }
        }
        _ => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
    }
}
