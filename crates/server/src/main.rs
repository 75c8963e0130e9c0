fn main() -> std::process::ExitCode {
    jianban_server::cli::main()
}
