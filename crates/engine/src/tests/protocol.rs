//! The window's protocol in TypeScript (`ui/src/protocol.ts`) is generated from the Rust types
//! the engine answers with, so the page and the engine cannot drift: this test fails when the
//! committed file is not what the types give. `UPDATE_PROTOCOL=1` rewrites it.

use std::collections::BTreeMap;

use ts_rs::{Config, TS, TypeVisitor};

use crate::control::{Event, Failure, Reply, Request, View};

/// Every declared type reachable from the protocol's, each once, in name order.
struct Declarations<'a> {
    cfg: &'a Config,
    found: BTreeMap<String, String>,
}

impl TypeVisitor for Declarations<'_> {
    fn visit<T: TS + 'static + ?Sized>(&mut self) {
        // Built-in types (strings, numbers, arrays, options) have no declaration of their own.
        if T::output_path().is_none() {
            return;
        }
        let name = T::ident(self.cfg);
        if self.found.contains_key(&name) {
            return;
        }
        let docs = T::docs().unwrap_or_default();
        self.found.insert(name, format!("{docs}export {}", T::decl(self.cfg)));
        T::visit_dependencies(self);
    }
}

fn typescript() -> String {
    // The engine's ids and counts are JSON numbers well inside JavaScript's safe integers.
    let cfg = Config::new().with_large_int("number");
    let mut declarations = Declarations {
        cfg: &cfg,
        found: BTreeMap::new(),
    };
    declarations.visit::<Request>();
    declarations.visit::<Reply>();
    declarations.visit::<Event>();
    declarations.visit::<View>();
    declarations.visit::<Failure>();
    let mut file = String::from(
        "// Generated from the engine's Rust types by crates/engine/src/tests/protocol.rs: do not edit.\n\
         // UPDATE_PROTOCOL=1 cargo test -p engine protocol rewrites it.\n",
    );
    for declaration in declarations.found.values() {
        file.push('\n');
        file.push_str(declaration);
        file.push('\n');
    }
    file
}

#[test]
fn the_windows_typescript_protocol_is_what_the_rust_types_say() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../ui/src/protocol.ts");
    let generated = typescript();
    if std::env::var_os("UPDATE_PROTOCOL").is_some() {
        std::fs::create_dir_all(std::path::Path::new(path).parent().unwrap()).unwrap();
        std::fs::write(path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == generated,
        "ui/src/protocol.ts is stale: run `UPDATE_PROTOCOL=1 cargo test -p engine protocol` and commit it"
    );
}
