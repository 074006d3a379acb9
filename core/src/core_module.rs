//! The core's own module: the site root type, the base templates and the
//! core's messages. Every site has it, first.

use crate::error::Result;
use crate::module::{Manifest, Module, UpgradeStep};
use crate::site::Writer;

/// The core module's name.
pub(crate) const NAME: &str = "beffroi";

/// The core, as a module.
pub struct CoreModule;

impl Module for CoreModule {
    fn manifest(&self) -> Manifest {
        Manifest {
            name: NAME,
            version: env!("CARGO_PKG_VERSION"),
            title: "Beffroi core",
            core: "*",
            types: &[("types/site.toml", include_str!("../types/site.toml"))],
            templates: &[
                ("base.html", include_str!("../templates/base.html")),
                (
                    "item_view.html",
                    include_str!("../templates/item_view.html"),
                ),
                (
                    "folder_listing.html",
                    include_str!("../templates/folder_listing.html"),
                ),
                ("error.html", include_str!("../templates/error.html")),
                ("login.html", include_str!("../templates/login.html")),
                (
                    "reset_request.html",
                    include_str!("../templates/reset_request.html"),
                ),
                (
                    "reset_form.html",
                    include_str!("../templates/reset_form.html"),
                ),
                ("message.html", include_str!("../templates/message.html")),
                ("toolbar.html", include_str!("../templates/toolbar.html")),
                (
                    "setup_fields.html",
                    include_str!("../templates/setup_fields.html"),
                ),
                (
                    "setup_status.html",
                    include_str!("../templates/setup_status.html"),
                ),
                (
                    "setup_header.html",
                    include_str!("../templates/setup_header.html"),
                ),
                (
                    "setup_link.html",
                    include_str!("../templates/setup_link.html"),
                ),
                (
                    "setup_overview.html",
                    include_str!("../templates/setup_overview.html"),
                ),
                (
                    "setup_users.html",
                    include_str!("../templates/setup_users.html"),
                ),
                (
                    "setup_user.html",
                    include_str!("../templates/setup_user.html"),
                ),
                (
                    "setup_groups.html",
                    include_str!("../templates/setup_groups.html"),
                ),
                (
                    "setup_group.html",
                    include_str!("../templates/setup_group.html"),
                ),
                (
                    "setup_modules.html",
                    include_str!("../templates/setup_modules.html"),
                ),
                (
                    "setup_settings.html",
                    include_str!("../templates/setup_settings.html"),
                ),
                (
                    "setup_workflows.html",
                    include_str!("../templates/setup_workflows.html"),
                ),
                (
                    "setup_audit.html",
                    include_str!("../templates/setup_audit.html"),
                ),
                // The editing pages.
                (
                    "edit_form.html",
                    include_str!("../templates/edit_form.html"),
                ),
                (
                    "folder_contents.html",
                    include_str!("../templates/folder_contents.html"),
                ),
                (
                    "delete_confirmation.html",
                    include_str!("../templates/delete_confirmation.html"),
                ),
                (
                    "rename_form.html",
                    include_str!("../templates/rename_form.html"),
                ),
                (
                    "edit_report.html",
                    include_str!("../templates/edit_report.html"),
                ),
                (
                    "history_page.html",
                    include_str!("../templates/history_page.html"),
                ),
                (
                    "sharing_page.html",
                    include_str!("../templates/sharing_page.html"),
                ),
            ],
            translations: crate::translations!(
                "../locales/base",
                "../locales/content",
                "../locales/nav",
                "../locales/admin",
                "../locales/edit",
                "../locales/setup",
                "../locales/i18n"
            ),
            workflows: &[
                (
                    "workflows/one_state.toml",
                    include_str!("../workflows/one_state.toml"),
                ),
                (
                    "workflows/simple_publication.toml",
                    include_str!("../workflows/simple_publication.toml"),
                ),
            ],
            ..Manifest::EMPTY
        }
    }

    fn subscribers(&self) -> Vec<crate::hooks::Subscriber> {
        let mut s = vec![crate::versions::subscriber(), crate::locks::subscriber()];
        s.extend(crate::translations::subscribers());
        s.push(crate::redirects::subscriber());
        s
    }

    fn upgrade_steps(&self) -> Vec<UpgradeStep> {
        vec![UpgradeStep {
            to: "0.2.0",
            title: "Workflows and security: built-in groups, the signing secret, and every item put in its workflow's initial state",
            run: upgrade_0_2_0,
        }]
    }
}

/// Sites made before workflows existed: items had no state. Each gets its
/// workflow's initial state and the local roles that state grants.
fn upgrade_0_2_0(w: &mut Writer<'_>) -> Result<()> {
    w.install_security_defaults()?;
    let site = w.site();
    for item in site.walk()? {
        if item.review_state.is_some() {
            continue;
        }
        if let Some(wf) = site.workflow_for(&item.type_name) {
            let mut it = item.clone();
            it.review_state = Some(wf.initial.clone());
            it.workflow_roles = site.security.workflow_roles(&it);
            w.store_item(&it);
        }
    }
    Ok(())
}

crate::register_module!(CoreModule);

/// The core's files served at `/++resource++beffroi/{name}`: name, media
/// type, content.
pub(crate) const ASSETS: &[(&str, &str, &str)] = &[
    (
        "style.css",
        "text/css; charset=utf-8",
        include_str!("../assets/style.css"),
    ),
    // The editing pages.
    (
        "editing.css",
        "text/css; charset=utf-8",
        include_str!("../assets/editing.css"),
    ),
    (
        "editor.js",
        "text/javascript; charset=utf-8",
        include_str!("../assets/editor.js"),
    ),
];
