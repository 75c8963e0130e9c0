fn main() {
    // The app's own commands get `allow-<command>` permissions generated from
    // this list; a command missing here cannot be granted to any window
    // (capabilities/main.json grants them).
    let manifest = tauri_build::AppManifest::new().commands(&["list_assignments"]);
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest))
        .expect("failed to run the Tauri build script");
}
