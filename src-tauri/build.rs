fn main() {
    // The app's own commands, one list (src/command_names.rs).
    let names: &[&str] = include!("src/command_names.rs");
    println!("cargo:rerun-if-changed=src/command_names.rs");
    let manifest = tauri_build::AppManifest::new().commands(names);
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest))
        .expect("failed to run the Tauri build script");
}
