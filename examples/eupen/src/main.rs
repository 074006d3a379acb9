//! Eupen, the second example town: German first, then French, Dutch and
//! English, with a theme of its own (colours, logo, and a folder listing
//! laid out as cards). It shows that two towns share the code and look
//! different.
#![forbid(unsafe_code)]

beffroi::main!(beffroi_website);

#[cfg(test)]
mod tests {
    /// The modules registered in this binary are exactly the ones the site
    /// names, plus the core: a crate dropped by the linker would show here.
    #[test]
    fn registered_modules_are_exactly_the_expected_set() {
        let registry = beffroi::Registry::global().expect("registry");
        assert_eq!(registry.names(), vec!["beffroi", "website"]);
        registry
            .check_linked(&super::linked_modules())
            .expect("every dependency is linked");
    }
}
