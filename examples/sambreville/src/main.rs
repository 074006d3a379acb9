//! Sambreville, the demo town: a site binary that links every module of the
//! workspace. `cargo run --release` serves it with demo content.
#![forbid(unsafe_code)]

mod demo;

beffroi::main!(beffroi_website, beffroi_catalog);

#[cfg(test)]
mod tests {
    /// The modules registered in this binary are exactly the ones the site
    /// names, plus the core and the town's own: a crate dropped by the
    /// linker would show here.
    #[test]
    fn registered_modules_are_exactly_the_expected_set() {
        let registry = beffroi::Registry::global().expect("registry");
        assert_eq!(
            registry.names(),
            vec!["beffroi", "catalog", "sambreville", "website"]
        );
        registry
            .check_linked(&super::linked_modules())
            .expect("every dependency is linked");
        let linked: Vec<&str> = super::linked_modules()
            .iter()
            .map(|m| m.manifest().name)
            .collect();
        assert_eq!(linked, vec!["website", "catalog"]);
    }
}
