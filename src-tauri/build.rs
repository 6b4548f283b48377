fn main() {
    // The window embeds the built front end; without it Tauri's own error names no way out.
    if !std::path::Path::new("ui/dist/index.html").exists() {
        panic!("the window's front end is not built: run scripts/build-ui (scripts/run and scripts/test do)");
    }
    // The capabilities live beside the window's sources, not at the workspace root.
    let attributes = tauri_build::Attributes::new().capabilities_path_pattern("./src-tauri/capabilities/**/*");
    tauri_build::try_build(attributes).expect("tauri-build failed");
}
