//! From the name a town types to a crate name, a module name and a title.
