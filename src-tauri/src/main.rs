// Release builds on Windows have no console window.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    // Before any thread exists: it sets an environment variable.
    jianban_app::rendering::configure();
    jianban_app::run();
}
