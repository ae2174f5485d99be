//! The `keywarden` binary: all the work lives in the library.
fn main() -> std::process::ExitCode {
    keywarden::cli::main()
}
