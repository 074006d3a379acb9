//! Hooks: typed events that modules subscribe to. Subscribers run inside the
//! write's transaction, in their declared order; a `before` subscriber can
//! refuse the write with a message that reaches the user.

use crate::item::Item;
use crate::site::Writer;

/// Something that happens in a site.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum Event<'a> {
    /// An item is added (a copy counts as an addition).
    ItemAdded(&'a Item),
    /// An item's fields change; `previous` is the stored version.
    ItemModified {
        /// The item with its new values.
        item: &'a Item,
        /// The item as it was.
        previous: &'a Item,
    },
    /// An item moves or is renamed; `from` is its old path.
    ItemMoved {
        /// The item at its new place.
        item: &'a Item,
        /// Its old path.
        from: &'a str,
    },
    /// A workflow transition is fired: `item` is in its new state,
    /// `previous` in the old one.
    ItemTransitioned {
        /// The item in its new state.
        item: &'a Item,
        /// The item as it was.
        previous: &'a Item,
        /// The transition's id.
        transition: &'a str,
        /// The comment given.
        comment: &'a str,
    },
    /// A user logged in.
    UserLoggedIn {
        /// Their login.
        login: &'a str,
    },
    /// An item is removed (each item of a removed container too, deepest first).
    ItemRemoved(&'a Item),
    /// A module is installed on the site.
    ModuleInstalled {
        /// The module's name.
        module: &'a str,
        /// The version installed.
        version: &'a str,
    },
    /// A module's upgrade steps ran.
    ModuleUpgraded {
        /// The module's name.
        module: &'a str,
        /// The version it was at.
        from: &'a str,
        /// The version it is at now.
        to: &'a str,
    },
    /// The site was created (root, admin account and modules in place).
    SiteCreated {
        /// The site's id.
        site: &'a str,
    },
}

/// When a subscriber runs relative to the write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Phase {
    /// Before the write is stored; may veto it.
    Before,
    /// After it is stored, still inside the transaction.
    After,
}

/// A refusal, with a message for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Veto(pub String);

/// What a subscriber does.
pub type Handler = fn(&mut Writer<'_>, &Event<'_>) -> Result<(), Veto>;

/// A module's subscription to events.
#[derive(Clone, Copy)]
pub struct Subscriber {
    /// A name for logs and errors.
    pub name: &'static str,
    /// Before or after the write.
    pub phase: Phase,
    /// Lower runs first; ties run in module order.
    pub order: i32,
    /// The function called for every event; it matches the ones it wants.
    pub handler: Handler,
}

impl std::fmt::Debug for Subscriber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Subscriber")
            .field("name", &self.name)
            .field("phase", &self.phase)
            .field("order", &self.order)
            .finish()
    }
}
