fn main() {
    std::process::exit(indaba::cli::main());
}
