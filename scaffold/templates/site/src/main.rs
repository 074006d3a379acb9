//! @TITLE_DOC@: a town site on Beffroi. `cargo run` serves it on
//! http://127.0.0.1:8080/ with demo content created on first start in ./data.
#![forbid(unsafe_code)]

beffroi::main!(@MAIN_ARGS@);

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used)] // A test fails loudly; that is its job.

    /// The modules registered in this binary are exactly the core and the
    /// ones the site names: a crate dropped by the linker would show here.
    #[test]
    fn registered_modules_are_exactly_the_expected_set() {
        let registry = beffroi::Registry::global().expect("registry");
        assert_eq!(registry.names(), vec![@REGISTERED@]);
        registry
            .check_linked(&super::linked_modules())
            .expect("every dependency is linked");
    }
}
