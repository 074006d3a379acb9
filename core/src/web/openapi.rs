//! `GET /@openapi`: an OpenAPI 3.1 document of the JSON API, built with
//! `utoipa` from the table below. Each row is one operation as
//! plone.restapi defines it (path, method, parameters, request and answer
//! shapes, error statuses); the services of every part of the web layer are
//! listed here, so a new service means a new row, and the test at the
//! bottom checks that every name in [`SERVICE_NAMES`] and the admin part's
//! `SERVICES` has one.

use serde_json::Value;
use utoipa::openapi::path::{HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
use utoipa::openapi::{
    ComponentsBuilder, ContentBuilder, InfoBuilder, OpenApiBuilder, PathItem, PathsBuilder, Ref,
    Required, ResponseBuilder, Tag,
};

/// Every service name the API answers (the router's `@…` segments), but
/// for those of the admin part, which lists its own (`admin::SERVICES`).
#[cfg(test)]
pub(super) const SERVICE_NAMES: &[&str] = &[
    "@login",
    "@login-renew",
    "@logout",
    "@workflow",
    "@history",
    "@sharing",
    "@audit",
    "@search",
    "@types",
    "@vocabularies",
    "@navigation",
    "@breadcrumbs",
    "@contextnavigation",
    "@navroot",
    "@actions",
    "@site",
    "@querystring",
    "@querystring-search",
    "@lock",
    "@linkintegrity",
    "@copy",
    "@move",
    "@translations",
    "@@download",
    "@@images",
];

/// Where a parameter goes.
#[derive(Clone, Copy)]
enum In {
    Path,
    Query,
    Header,
}

/// One parameter: name, where, required, description.
type Param = (&'static str, In, bool, &'static str);

/// One operation of the API.
struct Op {
    path: &'static str,
    method: HttpMethod,
    tag: &'static str,
    summary: &'static str,
    params: &'static [Param],
    /// The request body's schema (a component name), if any.
    body: Option<&'static str>,
    /// The success status, and its schema (a component name) if it has a body.
    ok: (u16, Option<&'static str>),
    /// The error statuses it may answer.
    errors: &'static [u16],
}

const PATH: Param = ("path", In::Path, true, "the item's path in the site");
const B_START: Param = ("b_start", In::Query, false, "batch start (0-based)");
const B_SIZE: Param = ("b_size", In::Query, false, "batch size (25 by default)");
const PREFER: Param = (
    "Prefer",
    In::Header,
    false,
    "`return=representation` to get 200 and the result instead of 204",
);
const IF_MATCH: Param = (
    "If-Match",
    In::Header,
    false,
    "the ETag read: refuses the write if the item changed since",
);
const LOCK_TOKEN: Param = ("Lock-Token", In::Header, false, "the lock's token");
const USER_ID: Param = ("id", In::Path, true, "the login");
const GROUP_ID: Param = ("id", In::Path, true, "the group's id");
const ADDON_ID: Param = ("id", In::Path, true, "the module's name");
const EXPAND: Param = (
    "expand",
    In::Query,
    false,
    "components to include inline (breadcrumbs, navigation, actions, types…)",
);

use HttpMethod::{Delete, Get, Patch, Post};

/// The API, one row per operation.
const OPS: &[Op] = &[
    // Content
    Op {
        path: "/{path}",
        method: Get,
        tag: "content",
        summary: "Read an item (folderish items list their children, batched)",
        params: &[PATH, EXPAND, B_START, B_SIZE],
        body: None,
        ok: (200, Some("Content")),
        errors: &[401, 404],
    },
    Op {
        path: "/{path}",
        method: Post,
        tag: "content",
        summary: "Add an item in a container",
        params: &[PATH],
        body: Some("NewContent"),
        ok: (201, Some("Content")),
        errors: &[400, 401, 403, 404, 409],
    },
    Op {
        path: "/{path}",
        method: Patch,
        tag: "content",
        summary: "Change an item's fields, or order its children",
        params: &[PATH, PREFER, IF_MATCH, LOCK_TOKEN],
        body: Some("Object"),
        ok: (204, None),
        errors: &[400, 401, 403, 404, 409, 412],
    },
    Op {
        path: "/{path}",
        method: Delete,
        tag: "content",
        summary: "Delete an item",
        params: &[PATH, IF_MATCH, LOCK_TOKEN],
        body: None,
        ok: (204, None),
        errors: &[401, 403, 404, 409],
    },
    Op {
        path: "/{path}/@@download/{field}",
        method: Get,
        tag: "content",
        summary: "Download a file field",
        params: &[PATH, ("field", In::Path, true, "the field's name")],
        body: None,
        ok: (200, Some("Binary")),
        errors: &[401, 404],
    },
    Op {
        path: "/{path}/@@images/{field}",
        method: Get,
        tag: "content",
        summary: "Show an image field",
        params: &[PATH, ("field", In::Path, true, "the field's name")],
        body: None,
        ok: (200, Some("Binary")),
        errors: &[401, 404],
    },
    Op {
        path: "/{path}/@@images/{field}/{scale}",
        method: Get,
        tag: "content",
        summary: "Show an image field at one of Plone's scales (the original when it fits or cannot be scaled)",
        params: &[
            PATH,
            ("field", In::Path, true, "the field's name"),
            ("scale", In::Path, true, "huge, great, larger, large, teaser, preview, mini, thumb, tile, icon or listing"),
        ],
        body: None,
        ok: (200, Some("Binary")),
        errors: &[401, 404],
    },
    Op {
        path: "/{path}/@copy",
        method: Post,
        tag: "content",
        summary: "Copy items into this container",
        params: &[PATH],
        body: Some("Source"),
        ok: (200, Some("CopyResult")),
        errors: &[400, 401, 403, 404],
    },
    Op {
        path: "/{path}/@move",
        method: Post,
        tag: "content",
        summary: "Move items into this container",
        params: &[PATH],
        body: Some("Source"),
        ok: (200, Some("CopyResult")),
        errors: &[400, 401, 403, 404, 409],
    },
    Op {
        path: "/{path}/@lock",
        method: Get,
        tag: "content",
        summary: "Whether the item is locked, and by whom",
        params: &[PATH],
        body: None,
        ok: (200, Some("Lock")),
        errors: &[401, 404],
    },
    Op {
        path: "/{path}/@lock",
        method: Post,
        tag: "content",
        summary: "Lock the item",
        params: &[PATH],
        body: Some("Object"),
        ok: (200, Some("Lock")),
        errors: &[401, 403, 404, 409],
    },
    Op {
        path: "/{path}/@lock",
        method: Patch,
        tag: "content",
        summary: "Refresh the lock",
        params: &[PATH, LOCK_TOKEN],
        body: None,
        ok: (200, Some("Lock")),
        errors: &[401, 403, 404],
    },
    Op {
        path: "/{path}/@lock",
        method: Delete,
        tag: "content",
        summary: "Unlock the item",
        params: &[PATH, LOCK_TOKEN],
        body: None,
        ok: (200, Some("Lock")),
        errors: &[401, 403, 404],
    },
    Op {
        path: "/{path}/@linkintegrity",
        method: Get,
        tag: "content",
        summary: "Items that link to these items (before deleting them)",
        params: &[PATH, ("uids", In::Query, true, "the items' uids")],
        body: None,
        ok: (200, Some("Array")),
        errors: &[400, 401, 404],
    },
    Op {
        path: "/{path}/@translations",
        method: Get,
        tag: "content",
        summary: "The item's translations",
        params: &[PATH],
        body: None,
        ok: (200, Some("Object")),
        errors: &[401, 404],
    },
    Op {
        path: "/{path}/@translations",
        method: Post,
        tag: "content",
        summary: "Link a translation",
        params: &[PATH],
        body: Some("Object"),
        ok: (201, Some("Object")),
        errors: &[400, 401, 403, 404],
    },
    Op {
        path: "/{path}/@translations",
        method: Delete,
        tag: "content",
        summary: "Unlink a translation",
        params: &[PATH],
        body: Some("Object"),
        ok: (204, None),
        errors: &[400, 401, 403, 404],
    },
    // Workflow, history, sharing
    Op {
        path: "/{path}/@workflow",
        method: Get,
        tag: "workflow",
        summary: "The item's state, history and transitions open to the caller",
        params: &[PATH],
        body: None,
        ok: (200, Some("Workflow")),
        errors: &[401, 404],
    },
    Op {
        path: "/{path}/@workflow/{transition}",
        method: Post,
        tag: "workflow",
        summary: "Fire a transition",
        params: &[PATH, ("transition", In::Path, true, "the transition's id")],
        body: Some("Object"),
        ok: (200, Some("Object")),
        errors: &[400, 401, 403, 404, 409],
    },
    Op {
        path: "/{path}/@history",
        method: Get,
        tag: "workflow",
        summary: "The item's history",
        params: &[PATH],
        body: None,
        ok: (200, Some("Array")),
        errors: &[401, 403, 404],
    },
    Op {
        path: "/{path}/@sharing",
        method: Get,
        tag: "workflow",
        summary: "Local roles on the item",
        params: &[PATH, ("search", In::Query, false, "principals to list")],
        body: None,
        ok: (200, Some("Object")),
        errors: &[401, 403, 404],
    },
    Op {
        path: "/{path}/@sharing",
        method: Post,
        tag: "workflow",
        summary: "Grant or revoke local roles",
        params: &[PATH],
        body: Some("Object"),
        ok: (204, None),
        errors: &[400, 401, 403, 404],
    },
    Op {
        path: "/@audit",
        method: Get,
        tag: "admin",
        summary: "The audit log, newest first (`format=csv` downloads it)",
        params: &[B_START, B_SIZE, ("format", In::Query, false, "`csv`")],
        body: None,
        ok: (200, Some("Collection")),
        errors: &[401, 403],
    },
    // Search and navigation
    Op {
        path: "/{path}/@search",
        method: Get,
        tag: "search",
        summary: "Search the catalog below the item",
        params: &[
            PATH,
            ("SearchableText", In::Query, false, "full text"),
            ("portal_type", In::Query, false, "types"),
            ("review_state", In::Query, false, "states"),
            ("sort_on", In::Query, false, "index to sort on"),
            ("sort_order", In::Query, false, "ascending or descending"),
            (
                "metadata_fields",
                In::Query,
                false,
                "more fields per result",
            ),
            ("fullobjects", In::Query, false, "whole items"),
            B_START,
            B_SIZE,
        ],
        body: None,
        ok: (200, Some("Collection")),
        errors: &[400, 401],
    },
    Op {
        path: "/@querystring",
        method: Get,
        tag: "search",
        summary: "The indexes and operations a query may use",
        params: &[],
        body: None,
        ok: (200, Some("Object")),
        errors: &[],
    },
    Op {
        path: "/@querystring-search",
        method: Post,
        tag: "search",
        summary: "Run a stored-query style search",
        params: &[],
        body: Some("Object"),
        ok: (200, Some("Collection")),
        errors: &[400],
    },
    Op {
        path: "/@querystring-search",
        method: Get,
        tag: "search",
        summary: "Run a stored-query style search (query in `query` as JSON)",
        params: &[("query", In::Query, true, "the query, as JSON")],
        body: None,
        ok: (200, Some("Collection")),
        errors: &[400],
    },
    Op {
        path: "/{path}/@navigation",
        method: Get,
        tag: "navigation",
        summary: "The main navigation",
        params: &[
            PATH,
            ("expand.navigation.depth", In::Query, false, "levels"),
        ],
        body: None,
        ok: (200, Some("Object")),
        errors: &[404],
    },
    Op {
        path: "/{path}/@breadcrumbs",
        method: Get,
        tag: "navigation",
        summary: "The path to the item",
        params: &[PATH],
        body: None,
        ok: (200, Some("Object")),
        errors: &[404],
    },
    Op {
        path: "/{path}/@contextnavigation",
        method: Get,
        tag: "navigation",
        summary: "The navigation around the item",
        params: &[PATH],
        body: None,
        ok: (200, Some("Object")),
        errors: &[404],
    },
    Op {
        path: "/{path}/@navroot",
        method: Get,
        tag: "navigation",
        summary: "The navigation root of the item",
        params: &[PATH],
        body: None,
        ok: (200, Some("Object")),
        errors: &[404],
    },
    Op {
        path: "/{path}/@actions",
        method: Get,
        tag: "navigation",
        summary: "Actions open to the caller, by category",
        params: &[PATH],
        body: None,
        ok: (200, Some("Object")),
        errors: &[404],
    },
    Op {
        path: "/@site",
        method: Get,
        tag: "navigation",
        summary: "Site settings: title, languages…",
        params: &[],
        body: None,
        ok: (200, Some("Object")),
        errors: &[],
    },
    // Types and vocabularies
    Op {
        path: "/@types",
        method: Get,
        tag: "types",
        summary: "The content types addable here",
        params: &[],
        body: None,
        ok: (200, Some("Array")),
        errors: &[401],
    },
    Op {
        path: "/@types/{type}",
        method: Get,
        tag: "types",
        summary: "A type's JSON schema",
        params: &[("type", In::Path, true, "the type's name")],
        body: None,
        ok: (200, Some("Object")),
        errors: &[401, 404],
    },
    Op {
        path: "/@vocabularies",
        method: Get,
        tag: "types",
        summary: "The vocabularies",
        params: &[],
        body: None,
        ok: (200, Some("Array")),
        errors: &[401],
    },
    Op {
        path: "/@vocabularies/{name}",
        method: Get,
        tag: "types",
        summary: "A vocabulary's terms, batched",
        params: &[
            ("name", In::Path, true, "the vocabulary"),
            ("title", In::Query, false, "filter on titles"),
            ("token", In::Query, false, "filter on tokens"),
            B_START,
            B_SIZE,
        ],
        body: None,
        ok: (200, Some("Collection")),
        errors: &[401, 404],
    },
    // Authentication
    Op {
        path: "/@login",
        method: Post,
        tag: "auth",
        summary: "Log in: a token",
        params: &[],
        body: Some("Login"),
        ok: (200, Some("Token")),
        errors: &[400, 401, 429],
    },
    Op {
        path: "/@login-renew",
        method: Post,
        tag: "auth",
        summary: "A fresh token",
        params: &[],
        body: None,
        ok: (200, Some("Token")),
        errors: &[401],
    },
    Op {
        path: "/@logout",
        method: Post,
        tag: "auth",
        summary: "End the session",
        params: &[],
        body: None,
        ok: (204, None),
        errors: &[401],
    },
    // Users and groups
    Op {
        path: "/@users",
        method: Get,
        tag: "users",
        summary: "Accounts, batched; `Accept: text/csv` exports them",
        params: &[
            ("query", In::Query, false, "part of the login"),
            (
                "search",
                In::Query,
                false,
                "part of the login, full name or e-mail",
            ),
            (
                "groups-filter:list",
                In::Query,
                false,
                "only members of these groups",
            ),
            B_START,
            B_SIZE,
        ],
        body: None,
        ok: (200, Some("UserCollection")),
        errors: &[401, 403],
    },
    Op {
        path: "/@users",
        method: Post,
        tag: "users",
        summary: "Add an account",
        params: &[],
        body: Some("NewUser"),
        ok: (201, Some("User")),
        errors: &[400, 401, 403, 409],
    },
    Op {
        path: "/@users/{id}",
        method: Get,
        tag: "users",
        summary: "An account",
        params: &[USER_ID],
        body: None,
        ok: (200, Some("User")),
        errors: &[401, 403, 404],
    },
    Op {
        path: "/@users/{id}",
        method: Patch,
        tag: "users",
        summary: "Change an account (one's own profile, or as a user manager)",
        params: &[USER_ID],
        body: Some("UserPatch"),
        ok: (204, None),
        errors: &[400, 401, 403, 404],
    },
    Op {
        path: "/@users/{id}",
        method: Delete,
        tag: "users",
        summary: "Delete an account",
        params: &[USER_ID],
        body: None,
        ok: (204, None),
        errors: &[400, 401, 403, 404],
    },
    Op {
        path: "/@users/{id}/reset-password",
        method: Post,
        tag: "users",
        summary: "Send the reset mail (empty body), or set a password with a reset token",
        params: &[USER_ID],
        body: Some("Object"),
        ok: (204, None),
        errors: &[400, 401, 404],
    },
    Op {
        path: "/@groups",
        method: Get,
        tag: "users",
        summary: "Groups (a bare array)",
        params: &[("query", In::Query, false, "part of the id or title")],
        body: None,
        ok: (200, Some("GroupList")),
        errors: &[401, 403],
    },
    Op {
        path: "/@groups",
        method: Post,
        tag: "users",
        summary: "Add a group",
        params: &[],
        body: Some("NewGroup"),
        ok: (201, Some("Group")),
        errors: &[400, 401, 403, 409],
    },
    Op {
        path: "/@groups/{id}",
        method: Get,
        tag: "users",
        summary: "A group and its members",
        params: &[GROUP_ID],
        body: None,
        ok: (200, Some("Group")),
        errors: &[401, 403, 404],
    },
    Op {
        path: "/@groups/{id}",
        method: Patch,
        tag: "users",
        summary: "Change a group; `users: {login: true|false}` adds or removes members",
        params: &[GROUP_ID],
        body: Some("GroupPatch"),
        ok: (204, None),
        errors: &[400, 401, 403, 404],
    },
    Op {
        path: "/@groups/{id}",
        method: Delete,
        tag: "users",
        summary: "Delete a group made by the town",
        params: &[GROUP_ID],
        body: None,
        ok: (204, None),
        errors: &[400, 401, 403, 404],
    },
    Op {
        path: "/@principals",
        method: Get,
        tag: "users",
        summary: "Users and groups matching `search`",
        params: &[(
            "search",
            In::Query,
            true,
            "part of a login, name, e-mail, group id or title",
        )],
        body: None,
        ok: (200, Some("Principals")),
        errors: &[400, 401],
    },
    Op {
        path: "/@roles",
        method: Get,
        tag: "users",
        summary: "The roles that can be granted",
        params: &[],
        body: None,
        ok: (200, Some("Array")),
        errors: &[401],
    },
    Op {
        path: "/@userschema",
        method: Get,
        tag: "users",
        summary: "The JSON schema of the member form",
        params: &[],
        body: None,
        ok: (200, Some("Object")),
        errors: &[401],
    },
    // Modules
    Op {
        path: "/@addons",
        method: Get,
        tag: "admin",
        summary: "Modules linked or installed, with their state on the site",
        params: &[],
        body: None,
        ok: (200, Some("AddonCollection")),
        errors: &[401, 403],
    },
    Op {
        path: "/@addons/{id}",
        method: Get,
        tag: "admin",
        summary: "One module",
        params: &[ADDON_ID],
        body: None,
        ok: (200, Some("Addon")),
        errors: &[401, 403, 404],
    },
    Op {
        path: "/@addons/{id}/install",
        method: Post,
        tag: "admin",
        summary: "Turn a module on (from the next start)",
        params: &[ADDON_ID, PREFER],
        body: None,
        ok: (204, None),
        errors: &[400, 401, 403],
    },
    Op {
        path: "/@addons/{id}/uninstall",
        method: Post,
        tag: "admin",
        summary: "Turn a module off (from the next start; its data is kept)",
        params: &[ADDON_ID, PREFER],
        body: None,
        ok: (204, None),
        errors: &[400, 401, 403, 404],
    },
    Op {
        path: "/@addons/{id}/upgrade",
        method: Post,
        tag: "admin",
        summary: "Run a module's pending upgrade steps",
        params: &[ADDON_ID, PREFER],
        body: None,
        ok: (204, None),
        errors: &[400, 401, 403],
    },
    Op {
        path: "/@upgrade",
        method: Get,
        tag: "admin",
        summary: "Pending upgrade steps, grouped by module and versions",
        params: &[],
        body: None,
        ok: (200, Some("Upgrade")),
        errors: &[401, 403],
    },
    Op {
        path: "/@upgrade",
        method: Post,
        tag: "admin",
        summary: "Run the pending upgrade steps, or list them with `dry_run`",
        params: &[],
        body: Some("UpgradeRequest"),
        ok: (200, Some("UpgradeReport")),
        errors: &[400, 401, 403],
    },
    Op {
        path: "/@openapi",
        method: Get,
        tag: "admin",
        summary: "This document",
        params: &[],
        body: None,
        ok: (200, Some("Object")),
        errors: &[],
    },
];

/// Component schemas: name, description, properties (name, JSON type), required.
type SchemaRow = (
    &'static str,
    &'static str,
    &'static [(&'static str, Type)],
    &'static [&'static str],
);

const SCHEMAS: &[SchemaRow] = &[
    ("Object", "A JSON object", &[], &[]),
    ("Array", "A JSON array", &[], &[]),
    ("Binary", "The file's bytes", &[], &[]),
    (
        "Error",
        "An error: `type`, `message`, and `errors` per field for invalid input",
        &[
            ("type", Type::String),
            ("message", Type::String),
            ("context", Type::String),
            ("errors", Type::Array),
        ],
        &["type", "message"],
    ),
    (
        "Content",
        "An item in plone.restapi's shape",
        &[
            ("@id", Type::String),
            ("@type", Type::String),
            ("UID", Type::String),
            ("id", Type::String),
            ("title", Type::String),
            ("description", Type::String),
            ("review_state", Type::String),
            ("created", Type::String),
            ("modified", Type::String),
            ("parent", Type::Object),
            ("items", Type::Array),
            ("items_total", Type::Integer),
            ("batching", Type::Object),
        ],
        &["@id", "@type", "UID"],
    ),
    (
        "NewContent",
        "A new item: its type and fields",
        &[
            ("@type", Type::String),
            ("id", Type::String),
            ("title", Type::String),
        ],
        &["@type"],
    ),
    (
        "Source",
        "The items to copy or move",
        &[("source", Type::Array)],
        &["source"],
    ),
    ("CopyResult", "Each item's old and new address", &[], &[]),
    (
        "Lock",
        "A lock's state",
        &[
            ("locked", Type::Boolean),
            ("stealable", Type::Boolean),
            ("token", Type::String),
            ("creator", Type::String),
        ],
        &[],
    ),
    (
        "Workflow",
        "An item's workflow state",
        &[
            ("@id", Type::String),
            ("state", Type::Object),
            ("history", Type::Array),
            ("transitions", Type::Array),
        ],
        &[],
    ),
    (
        "Collection",
        "A batched collection",
        &[
            ("@id", Type::String),
            ("items", Type::Array),
            ("items_total", Type::Integer),
            ("batching", Type::Object),
        ],
        &["@id", "items", "items_total"],
    ),
    (
        "Login",
        "Credentials",
        &[("login", Type::String), ("password", Type::String)],
        &["login", "password"],
    ),
    (
        "Token",
        "A login token (JWT)",
        &[("token", Type::String)],
        &["token"],
    ),
    (
        "User",
        "An account",
        &[
            ("@id", Type::String),
            ("id", Type::String),
            ("username", Type::String),
            ("fullname", Type::String),
            ("email", Type::String),
            ("roles", Type::Array),
            ("groups", Type::Object),
            ("language", Type::String),
            ("enabled", Type::Boolean),
        ],
        &["@id", "id", "username"],
    ),
    (
        "UserCollection",
        "Accounts, batched",
        &[
            ("@id", Type::String),
            ("items", Type::Array),
            ("items_total", Type::Integer),
            ("batching", Type::Object),
        ],
        &["@id", "items", "items_total"],
    ),
    (
        "NewUser",
        "A new account: a password, or `sendPasswordReset`",
        &[
            ("username", Type::String),
            ("email", Type::String),
            ("fullname", Type::String),
            ("password", Type::String),
            ("roles", Type::Array),
            ("groups", Type::Array),
            ("language", Type::String),
            ("sendPasswordReset", Type::Boolean),
        ],
        &["username"],
    ),
    (
        "UserPatch",
        "Changes to an account; changing one's own password needs `old_password`",
        &[
            ("fullname", Type::String),
            ("email", Type::String),
            ("roles", Type::Object),
            ("language", Type::String),
            ("enabled", Type::Boolean),
            ("password", Type::String),
            ("old_password", Type::String),
        ],
        &[],
    ),
    (
        "Group",
        "A group",
        &[
            ("@id", Type::String),
            ("id", Type::String),
            ("groupname", Type::String),
            ("title", Type::String),
            ("description", Type::String),
            ("email", Type::String),
            ("roles", Type::Array),
            ("kind", Type::String),
            ("members", Type::Object),
        ],
        &["@id", "id"],
    ),
    ("GroupList", "Groups", &[], &[]),
    (
        "NewGroup",
        "A new group",
        &[
            ("groupname", Type::String),
            ("title", Type::String),
            ("description", Type::String),
            ("email", Type::String),
            ("roles", Type::Array),
            ("users", Type::Array),
        ],
        &["groupname"],
    ),
    (
        "GroupPatch",
        "Changes to a group",
        &[
            ("title", Type::String),
            ("description", Type::String),
            ("email", Type::String),
            ("roles", Type::Array),
            ("users", Type::Object),
        ],
        &[],
    ),
    (
        "Principals",
        "Users and groups",
        &[("users", Type::Array), ("groups", Type::Array)],
        &["users", "groups"],
    ),
    (
        "Addon",
        "A module and its state on the site",
        &[
            ("@id", Type::String),
            ("id", Type::String),
            ("title", Type::String),
            ("version", Type::String),
            ("is_installed", Type::Boolean),
            ("upgrade_info", Type::Object),
            ("restart_required", Type::Boolean),
        ],
        &["@id", "id", "is_installed"],
    ),
    (
        "AddonCollection",
        "Modules",
        &[
            ("@id", Type::String),
            ("items", Type::Array),
            ("items_total", Type::Integer),
        ],
        &["@id", "items", "items_total"],
    ),
    (
        "Upgrade",
        "Pending upgrade steps",
        &[
            ("@id", Type::String),
            ("upgrade_steps", Type::Object),
            ("versions", Type::Object),
        ],
        &["@id", "upgrade_steps", "versions"],
    ),
    (
        "UpgradeRequest",
        "Whether only to list the steps",
        &[("dry_run", Type::Boolean)],
        &[],
    ),
    (
        "UpgradeReport",
        "What the upgrade did",
        &[
            ("@id", Type::String),
            ("dry_run", Type::Boolean),
            ("report", Type::String),
            ("upgraded", Type::Boolean),
            ("versions", Type::Object),
        ],
        &["dry_run", "report", "upgraded"],
    ),
];

fn status_text(code: u16) -> &'static str {
    match code {
        200 => "OK",
        201 => "Created (with `Location`)",
        204 => "Done, no body",
        400 => "Bad input: the message and `errors` say what to change",
        401 => "Log in first",
        403 => "Not allowed for this user",
        404 => "Not found",
        409 => "Conflict (taken, changed meanwhile, or refused by a rule)",
        412 => "The item changed since it was read",
        429 => "Too many failed attempts",
        _ => "",
    }
}

fn schema_ref(name: &str) -> Ref {
    Ref::from_schema_name(name)
}

/// The document, with `base` as the server's address.
pub(super) fn document(base: &str) -> Value {
    let mut paths = PathsBuilder::new();
    for op in OPS {
        let mut o = OperationBuilder::new()
            .tag(op.tag)
            .summary(Some(op.summary))
            .operation_id(Some(format!(
                "{}{}",
                match op.method {
                    Get => "get",
                    Post => "post",
                    Patch => "patch",
                    Delete => "delete",
                    _ => "other",
                },
                op.path
            )));
        for (name, at, required, description) in op.params {
            o = o.parameter(
                ParameterBuilder::new()
                    .name(*name)
                    .parameter_in(match at {
                        In::Path => ParameterIn::Path,
                        In::Query => ParameterIn::Query,
                        In::Header => ParameterIn::Header,
                    })
                    .required(if *required {
                        Required::True
                    } else {
                        Required::False
                    })
                    .description(Some(*description))
                    .schema(Some(ObjectBuilder::new().schema_type(Type::String))),
            );
        }
        if let Some(body) = op.body {
            o = o.request_body(Some(
                RequestBodyBuilder::new()
                    .required(Some(Required::True))
                    .content(
                        "application/json",
                        ContentBuilder::new().schema(Some(schema_ref(body))).build(),
                    )
                    .build(),
            ));
        }
        let (code, schema) = op.ok;
        let mut ok = ResponseBuilder::new().description(status_text(code));
        if let Some(s) = schema {
            let media = if s == "Binary" {
                "application/octet-stream"
            } else {
                "application/json"
            };
            ok = ok.content(
                media,
                ContentBuilder::new().schema(Some(schema_ref(s))).build(),
            );
        }
        o = o.response(code.to_string(), ok.build());
        for e in op.errors {
            o = o.response(
                e.to_string(),
                ResponseBuilder::new()
                    .description(status_text(*e))
                    .content(
                        "application/json",
                        ContentBuilder::new()
                            .schema(Some(schema_ref("Error")))
                            .build(),
                    )
                    .build(),
            );
        }
        paths = paths.path(op.path, PathItem::new(op.method.clone(), o.build()));
    }
    let mut components = ComponentsBuilder::new();
    for (name, description, props, required) in SCHEMAS {
        let mut s = ObjectBuilder::new().description(Some(*description));
        s = match *name {
            "Array" | "GroupList" => s.schema_type(Type::Array),
            "Binary" => s
                .schema_type(Type::String)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary))),
            _ => s.schema_type(Type::Object),
        };
        for (p, t) in *props {
            s = s.property(*p, ObjectBuilder::new().schema_type(t.clone()));
        }
        for r in *required {
            s = s.required(*r);
        }
        components = components.schema(*name, s);
    }
    let doc = OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("Beffroi")
                .version(crate::module::CORE_VERSION)
                .description(Some(
                    "The JSON API of a Beffroi site, following plone.restapi's conventions: content at its path with `Accept: application/json` or under `/++api++/`, named services after `@`. Authenticate with `Authorization: Bearer <token>` (from `@login`) or HTTP Basic.",
                ))
                .build(),
        )
        .servers(Some([utoipa::openapi::Server::new(base)]))
        .paths(paths.build())
        .components(Some(components.build()))
        .tags(Some(
            [
                "content",
                "workflow",
                "search",
                "navigation",
                "types",
                "auth",
                "users",
                "admin",
            ]
            .map(Tag::new),
        ))
        .build();
    serde_json::to_value(&doc).unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_service_has_a_path_and_every_ref_a_schema() {
        let doc = document("http://town.test");
        let paths = doc["paths"].as_object().unwrap();
        for name in SERVICE_NAMES.iter().chain(super::super::admin::SERVICES) {
            assert!(
                paths.keys().any(|p| p.split('/').any(|seg| seg == *name)),
                "{name} has no path in the OpenAPI document"
            );
        }
        let text = doc.to_string();
        for piece in text.split("#/components/schemas/").skip(1) {
            let name: String = piece.chars().take_while(|c| *c != '"').collect();
            assert!(
                doc["components"]["schemas"].get(&name).is_some(),
                "{name} is referenced but not defined"
            );
        }
    }
}
