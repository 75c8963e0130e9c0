// Release builds on Windows have no console window.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    // Before any thread exists: they set environment variables.
    jianban_app::memory::configure();
    jianban_app::rendering::configure();
    jianban_app::run();
}
