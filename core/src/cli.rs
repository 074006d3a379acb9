//! The command line every site binary shares, through [`run`].

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

use crate::config::SiteConfig;
use crate::module::{Module, Registry};
use crate::site::Site;
use crate::store::{SledStore, Store};
use crate::web::Sites;

/// What a site binary's `main` hands to [`run`]; written by [`main!`](crate::main).
pub struct Launch {
    /// The module crates the site names.
    pub linked: Vec<&'static dyn Module>,
    /// The site's `site.toml`, embedded at compile time.
    pub site_toml: &'static str,
    /// The site crate's folder, where relative paths in `site.toml` start.
    pub site_dir: &'static str,
}

#[derive(Parser)]
#[command(version, about = "A Beffroi site: serve it, and look after its data.")]
struct Cli {
    /// The data folder (created on first start).
    #[arg(long, global = true, env = "BEFFROI_DATA", default_value = "./data")]
    data: PathBuf,
    /// A `site.toml` to use instead of the one built in; repeat for several sites.
    #[arg(long = "site-config", global = true)]
    site_configs: Vec<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the sites over HTTP (the default).
    Serve {
        /// Address and port to listen on.
        #[arg(long, env = "BEFFROI_BIND", default_value = "127.0.0.1:8080")]
        bind: SocketAddr,
    },
    /// List the configured sites and whether they are created.
    Sites,
    /// List modules: versions linked and installed, enabled per site, pending upgrades.
    Modules,
    /// Run pending upgrade steps on every site.
    Upgrade {
        /// Only print the steps that would run.
        #[arg(long)]
        dry_run: bool,
    },
    /// Export a site into a new folder.
    Export {
        /// The site's id.
        #[arg(long)]
        site: String,
        /// The folder to create.
        #[arg(long)]
        out: PathBuf,
    },
    /// Replace a site's content with an export.
    Import {
        /// The site's id.
        #[arg(long)]
        site: String,
        /// The export's folder.
        #[arg(long)]
        from: PathBuf,
    },
    /// Check the configuration, content types, workflows and modules without starting.
    Check,
    /// Accounts: add, list, set a password, disable, enable.
    Users {
        #[command(subcommand)]
        action: UsersCmd,
        /// The site's id (needed when several are configured).
        #[arg(long)]
        site: Option<String>,
    },
    /// Groups: add, list, change members.
    Groups {
        #[command(subcommand)]
        action: GroupsCmd,
        /// The site's id (needed when several are configured).
        #[arg(long)]
        site: Option<String>,
    },
    /// The town's services (each service × function is a group).
    Services {
        #[command(subcommand)]
        action: ServicesCmd,
        /// The site's id (needed when several are configured).
        #[arg(long)]
        site: Option<String>,
    },
    /// Workflows: list them, or draw each as an SVG diagram.
    Workflows {
        #[command(subcommand)]
        action: WorkflowsCmd,
        /// The site's id (needed when several are configured).
        #[arg(long)]
        site: Option<String>,
    },
    /// Rebuild every index modules derive from the content (the catalog).
    Reindex {
        /// Only this site (all sites without it).
        #[arg(long)]
        site: Option<String>,
    },
    /// Print the audit log (newest first).
    Audit {
        /// `text`, `csv` or `json` (one entry per line).
        #[arg(long, default_value = "text")]
        format: String,
        /// How many entries.
        #[arg(long, default_value_t = 100)]
        limit: usize,
        /// The site's id (needed when several are configured).
        #[arg(long)]
        site: Option<String>,
    },
    /// The outgoing mail queue: list it, or send what waits.
    Mail {
        #[command(subcommand)]
        action: MailCmd,
        /// The site's id (needed when several are configured).
        #[arg(long)]
        site: Option<String>,
    },
}

#[derive(Subcommand)]
enum UsersCmd {
    /// Add an account. The password is read from standard input with
    /// `--password-stdin`, else generated and printed once.
    Add {
        /// The login.
        login: String,
        /// The full name.
        #[arg(long)]
        fullname: String,
        /// The e-mail address (needed for password resets).
        #[arg(long)]
        email: Option<String>,
        /// A site-wide role; repeat for several.
        #[arg(long = "role")]
        roles: Vec<String>,
        /// The language of the user's pages (one of the site's).
        #[arg(long)]
        language: Option<String>,
        /// Read the password from standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List accounts.
    List,
    /// Set a password (from standard input with `--password-stdin`, else generated).
    Passwd {
        /// The login.
        login: String,
        /// Read the password from standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Replace an account's site-wide roles (none with no `--role`).
    Roles {
        /// The login.
        login: String,
        /// A role; repeat for several.
        #[arg(long = "role")]
        roles: Vec<String>,
    },
    /// Disable an account: it can no longer log in, its sessions stop.
    Disable {
        /// The login.
        login: String,
    },
    /// Enable a disabled account.
    Enable {
        /// The login.
        login: String,
    },
}

#[derive(Subcommand)]
enum GroupsCmd {
    /// Add a group.
    Add {
        /// Its id.
        id: String,
        /// Its name.
        #[arg(long)]
        title: String,
        /// A site-wide role its members get; repeat for several.
        #[arg(long = "role")]
        roles: Vec<String>,
    },
    /// List groups with their members.
    List,
    /// Show a group's members, adding and removing some first.
    Members {
        /// The group's id (a service's function group: `service_function`).
        id: String,
        /// Logins to add.
        #[arg(long)]
        add: Vec<String>,
        /// Logins to remove.
        #[arg(long)]
        remove: Vec<String>,
    },
}

#[derive(Subcommand)]
enum ServicesCmd {
    /// Add a service.
    Add {
        /// Its id (`population`, `travaux`).
        id: String,
        /// Its name.
        #[arg(long)]
        title: String,
        /// The service it belongs to.
        #[arg(long)]
        parent: Option<String>,
    },
    /// List services and their function groups.
    List,
}

#[derive(Subcommand)]
enum WorkflowsCmd {
    /// List workflows, their states and transitions, and the types using them.
    List,
    /// Write one SVG diagram per workflow into a folder.
    Diagram {
        /// The folder to write into (created if needed).
        #[arg(long)]
        out: PathBuf,
        /// The language of titles.
        #[arg(long, default_value = "en")]
        lang: String,
    },
    /// Put an item back in its workflow's initial state (for items left in
    /// a state the workflow no longer has).
    Reset {
        /// The item's path (`/actualites/fete`).
        path: String,
    },
}

#[derive(Subcommand)]
enum MailCmd {
    /// List the queue.
    List,
    /// Send waiting mail through `[mail] smtp_host` now.
    Send,
}

fn pick_site<'a>(sites: &'a [Arc<Site>], id: Option<&str>) -> anyhow::Result<&'a Arc<Site>> {
    match id {
        Some(id) => find(sites, id),
        None if sites.len() == 1 => Ok(&sites[0]),
        None => anyhow::bail!(
            "several sites are configured; name one with --site ({})",
            sites.iter().map(|s| s.id()).collect::<Vec<_>>().join(", ")
        ),
    }
}

fn read_password(from_stdin: bool) -> anyhow::Result<(String, bool)> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line)?;
        Ok((line.trim_end_matches(['\r', '\n']).to_owned(), false))
    } else {
        Ok((crate::users::generate_password(), true))
    }
}

fn created(s: &Site) -> anyhow::Result<()> {
    anyhow::ensure!(
        s.meta()?.is_some(),
        "site `{}` has not been created yet: start it once with `serve`",
        s.id()
    );
    Ok(())
}

/// Runs the command line. Errors are printed as one line and give a
/// non-zero exit code.
pub fn run(launch: Launch) -> ExitCode {
    let cli = Cli::parse();
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("BEFFROI_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .try_init();
    match execute(cli, &launch) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", one_line(&e));
            ExitCode::FAILURE
        }
    }
}

fn one_line(e: &anyhow::Error) -> String {
    e.chain()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(": ")
        .replace('\n', " ")
}

fn configs(cli: &Cli, launch: &Launch) -> anyhow::Result<Vec<SiteConfig>> {
    if cli.site_configs.is_empty() {
        return Ok(vec![SiteConfig::parse(
            "site.toml (built in)",
            launch.site_toml,
            Path::new(launch.site_dir),
        )?]);
    }
    let mut out = Vec::new();
    for path in &cli.site_configs {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
        let base = path.parent().unwrap_or(Path::new("."));
        out.push(SiteConfig::parse(&path.display().to_string(), &text, base)?);
    }
    let mut ids = std::collections::BTreeSet::new();
    for c in &out {
        anyhow::ensure!(
            ids.insert(c.id.clone()),
            "two site configurations use the id `{}`",
            c.id
        );
    }
    Ok(out)
}

fn open_sites(cli: &Cli, launch: &Launch) -> anyhow::Result<(Registry, Vec<Arc<Site>>)> {
    let configs = configs(cli, launch)?;
    // Run-time modules the sites name join the compiled-in ones.
    let registry = crate::dynamic::load(&Registry::global()?, &configs)?;
    registry.check_linked(&launch.linked)?;
    let store: Arc<dyn Store> = Arc::new(SledStore::open(&cli.data)?);
    let mut sites = Vec::new();
    for c in configs {
        sites.push(Arc::new(Site::open(c, Arc::clone(&store), &registry)?));
    }
    Ok((registry, sites))
}

fn find<'a>(sites: &'a [Arc<Site>], id: &str) -> anyhow::Result<&'a Arc<Site>> {
    sites.iter().find(|s| s.id() == id).ok_or_else(|| {
        anyhow::anyhow!(
            "no site `{id}`; configured sites: {}",
            sites.iter().map(|s| s.id()).collect::<Vec<_>>().join(", ")
        )
    })
}

fn bar(len: u64, what: &str) -> ProgressBar {
    let pb = ProgressBar::new(len);
    if let Ok(style) = ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({eta})") {
        pb.set_style(style.progress_chars("=> "));
    }
    pb.set_message(what.to_owned());
    pb
}

/// Checks configuration, modules, types, templates and translations.
fn check(cli: &Cli, launch: &Launch) -> anyhow::Result<()> {
    let configs = configs(cli, launch)?;
    let registry = crate::dynamic::load(&Registry::global()?, &configs)?;
    registry.check_linked(&launch.linked)?;
    for c in &configs {
        let modules = registry.resolve(&c.enabled())?;
        // Opening a site on a throw-away store checks types, vocabularies,
        // templates and translations without touching the data folder.
        let tmp = std::env::temp_dir().join(format!("beffroi-check-{}", std::process::id()));
        let store: Arc<dyn Store> = Arc::new(SledStore::open(&tmp)?);
        // The site (and the store it holds) is dropped before its folder goes.
        let opened = Site::open(c.clone(), store, &registry).map(drop);
        let _ = std::fs::remove_dir_all(&tmp);
        opened?;
        let translations = crate::i18n::check_catalogs(&modules, &c.languages);
        if !translations.is_complete() {
            anyhow::bail!(
                "site {}: translations are incomplete:\n{translations}",
                c.id
            );
        }
        println!(
            "site {}: ok ({} modules: {})",
            c.id,
            modules.len(),
            modules
                .iter()
                .map(|m| m.manifest().name)
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    println!("registered modules: {}", registry.names().join(", "));
    for (name, file) in crate::dynamic::loaded() {
        println!("run-time module {name}: loaded from {file}");
    }
    match crate::dynamic::expected() {
        Some(build) => println!("run-time modules: this binary loads libraries built for {build}"),
        None => {
            println!("run-time modules: not available (built without beffroi's `dynamic` feature)")
        }
    }
    Ok(())
}

fn execute(cli: Cli, launch: &Launch) -> anyhow::Result<()> {
    // `check` must not open the data folder: it runs beside a live server.
    if matches!(cli.command, Some(Command::Check)) {
        return check(&cli, launch);
    }
    let (registry, sites) = open_sites(&cli, launch)?;
    match cli.command {
        None => {
            let bind = std::env::var("BEFFROI_BIND").unwrap_or_else(|_| "127.0.0.1:8080".into());
            let bind: SocketAddr = bind.parse().map_err(|e| {
                anyhow::anyhow!("BEFFROI_BIND `{bind}` is not an address and port: {e}")
            })?;
            serve(&sites, bind)
        }
        Some(Command::Serve { bind }) => serve(&sites, bind),
        Some(Command::Sites) => {
            for s in &sites {
                let state = match s.meta()? {
                    Some(m) => format!("created {}", m.created.format("%Y-%m-%d %H:%M")),
                    None => "not created yet (created by the first `serve`)".into(),
                };
                let hosts = if s.config().hosts.is_empty() {
                    "-".into()
                } else {
                    s.config().hosts.join(", ")
                };
                println!("{}\t{}\thosts: {hosts}\t{state}", s.id(), s.config().title);
            }
            Ok(())
        }
        Some(Command::Modules) => {
            let run_time = crate::dynamic::loaded();
            for s in &sites {
                println!("site {}:", s.id());
                for st in s.module_status(&registry)? {
                    let installed = st.installed.as_deref().unwrap_or("not installed");
                    let linked = st.linked.as_deref().unwrap_or("not linked");
                    let state = match (st.enabled, st.installed.is_some()) {
                        (true, _) => "enabled",
                        (false, true) => "disabled (its data is kept)",
                        (false, false) => "available",
                    };
                    println!(
                        "  {:<16} linked {linked:<10} installed {installed:<14} {state}",
                        st.name
                    );
                    if let Some((_, file)) = run_time.iter().find(|(n, _)| *n == st.name) {
                        println!("      run-time module, loaded from {file}");
                    }
                    for (to, title) in &st.pending {
                        println!("      pending upgrade to {to}: {title}");
                    }
                }
            }
            Ok(())
        }
        Some(Command::Upgrade { dry_run }) => {
            for s in &sites {
                let outdated = s.outdated_modules()?;
                if outdated.is_empty() {
                    println!("site {}: up to date", s.id());
                    continue;
                }
                if dry_run {
                    for st in s.module_status(&registry)? {
                        for (to, title) in &st.pending {
                            println!("site {}: {} → {to}: {title}", s.id(), st.name);
                        }
                    }
                    for (m, from) in &outdated {
                        println!(
                            "site {}: {} {from} → {} (version recorded)",
                            s.id(),
                            m.manifest().name,
                            m.manifest().version
                        );
                    }
                    continue;
                }
                let pending: usize = s
                    .module_status(&registry)?
                    .iter()
                    .map(|st| st.pending.len())
                    .sum();
                let pb = bar(pending as u64, &format!("upgrading {}", s.id()));
                let n = s.upgrade(&mut |module, title| {
                    pb.println(format!("{module}: {title}"));
                    pb.inc(1);
                })?;
                pb.finish_and_clear();
                println!("site {}: {n} upgrade steps run", s.id());
            }
            Ok(())
        }
        Some(Command::Export { site, out }) => {
            let s = find(&sites, &site)?;
            let pb = bar(0, &format!("exporting {site}"));
            let who = crate::security::Principal::system("admin");
            let summary = crate::export::export_site(s, &who, &out, &mut |done, total| {
                pb.set_length(total);
                pb.set_position(done);
            })?;
            pb.finish_and_clear();
            println!(
                "exported {site} to {}: {} items, {} users, {} files",
                out.display(),
                summary.items,
                summary.users,
                summary.blobs
            );
            Ok(())
        }
        Some(Command::Import { site, from }) => {
            let s = find(&sites, &site)?;
            let pb = bar(0, &format!("importing {site}"));
            let summary = crate::export::import_site(s, &from, &mut |done, total| {
                pb.set_length(total);
                pb.set_position(done);
            })?;
            pb.finish_and_clear();
            // Indexes are derived from the content: rebuild them for it.
            reindex(s)?;
            println!(
                "imported {} into {site}: {} items, {} users, {} files",
                from.display(),
                summary.items,
                summary.users,
                summary.blobs
            );
            Ok(())
        }
        Some(Command::Check) => check(&cli, launch),
        Some(Command::Users { action, site }) => users(pick_site(&sites, site.as_deref())?, action),
        Some(Command::Groups { action, site }) => {
            groups(pick_site(&sites, site.as_deref())?, action)
        }
        Some(Command::Services { action, site }) => {
            services(pick_site(&sites, site.as_deref())?, action)
        }
        Some(Command::Workflows { action, site }) => {
            workflows(pick_site(&sites, site.as_deref())?, action)
        }
        Some(Command::Reindex { site }) => {
            for s in sites
                .iter()
                .filter(|s| site.as_deref().is_none_or(|id| id == s.id()))
            {
                created(s)?;
                reindex(s)?;
            }
            if let Some(id) = site.as_deref() {
                find(&sites, id)?;
            }
            Ok(())
        }
        Some(Command::Audit {
            format,
            limit,
            site,
        }) => {
            let s = pick_site(&sites, site.as_deref())?;
            created(s)?;
            let who = crate::security::Principal::system("admin");
            let (entries, _) = s.audit_log(&who, 0, limit)?;
            match format.as_str() {
                "csv" => print!("{}", crate::audit::to_csv(&entries)),
                "json" => {
                    for e in &entries {
                        println!("{}", serde_json::to_string(e)?);
                    }
                }
                "text" => {
                    for e in &entries {
                        println!(
                            "{}  {:<24} {:<12} {} {}{}",
                            e.time.format("%Y-%m-%d %H:%M:%S"),
                            e.event,
                            e.actor,
                            e.target,
                            e.detail,
                            e.address
                                .as_deref()
                                .map(|a| format!(" (from {a})"))
                                .unwrap_or_default()
                        );
                    }
                }
                other => anyhow::bail!("--format `{other}`: use text, csv or json"),
            }
            Ok(())
        }
        Some(Command::Mail { action, site }) => {
            let s = pick_site(&sites, site.as_deref())?;
            created(s)?;
            match action {
                MailCmd::List => {
                    for m in s.mails()? {
                        let state = match (&m.sent, &m.error) {
                            (Some(t), _) => format!("sent {}", t.format("%Y-%m-%d %H:%M")),
                            (None, Some(e)) => format!("waiting (last error: {e})"),
                            (None, None) => "waiting".into(),
                        };
                        println!(
                            "{}  to {}  «{}»  {state}",
                            m.queued.format("%Y-%m-%d %H:%M"),
                            m.to,
                            m.subject
                        );
                    }
                }
                MailCmd::Send => {
                    anyhow::ensure!(
                        s.config().mail.smtp_host.is_some(),
                        "no `[mail] smtp_host` in site.toml: mail stays in the queue"
                    );
                    println!("{} sent", s.send_queued_mail()?);
                }
            }
            Ok(())
        }
    }
}

/// Runs every module's reindex on a site, with a progress bar.
fn reindex(s: &Site) -> anyhow::Result<()> {
    let mut any = false;
    for m in s.modules() {
        let pb = bar(0, &format!("{}: reindexing {}", s.id(), m.manifest().name));
        let done = m.reindex(s, &mut |done, total| {
            pb.set_length(total);
            pb.set_position(done);
        })?;
        pb.finish_and_clear();
        if let Some(n) = done {
            println!("site {}: {} reindexed {n} items", s.id(), m.manifest().name);
            any = true;
        }
    }
    if !any {
        println!("site {}: no module keeps an index", s.id());
    }
    Ok(())
}

fn users(s: &Site, action: UsersCmd) -> anyhow::Result<()> {
    created(s)?;
    let admin = crate::security::Principal::system("admin");
    match action {
        UsersCmd::Add {
            login,
            fullname,
            email,
            roles,
            language,
            password_stdin,
        } => {
            let (password, generated) = read_password(password_stdin)?;
            s.write(&admin, |w| {
                w.add_user(&login, &fullname, email.as_deref(), &password, &roles)?;
                w.set_user_language(&login, language.as_deref())
            })?;
            if generated {
                println!("added {login}; password: {password} (shown once)");
            } else {
                println!("added {login}");
            }
        }
        UsersCmd::List => {
            for u in s.users()? {
                println!(
                    "{:<20} {:<30} {:<30} {:<10} roles: {}  groups: {}",
                    u.login,
                    u.fullname,
                    u.email.as_deref().unwrap_or("-"),
                    if u.enabled { "enabled" } else { "disabled" },
                    if u.roles.is_empty() {
                        "-".to_owned()
                    } else {
                        u.roles.join(", ")
                    },
                    s.groups_of(&u.login)?.join(", ")
                );
            }
        }
        UsersCmd::Passwd {
            login,
            password_stdin,
        } => {
            let (password, generated) = read_password(password_stdin)?;
            s.write(&admin, |w| w.set_password(&login, &password))?;
            if generated {
                println!("new password for {login}: {password} (shown once)");
            } else {
                println!("password of {login} changed");
            }
        }
        UsersCmd::Roles { login, roles } => {
            s.write(&admin, |w| w.set_user_roles(&login, &roles))?;
            println!(
                "{login}: {}",
                if roles.is_empty() {
                    "no site-wide roles".to_owned()
                } else {
                    roles.join(", ")
                }
            );
        }
        UsersCmd::Disable { login } => {
            s.write(&admin, |w| w.set_user_enabled(&login, false))?;
            println!("{login} disabled");
        }
        UsersCmd::Enable { login } => {
            s.write(&admin, |w| w.set_user_enabled(&login, true))?;
            println!("{login} enabled");
        }
    }
    Ok(())
}

fn groups(s: &Site, action: GroupsCmd) -> anyhow::Result<()> {
    created(s)?;
    let admin = crate::security::Principal::system("admin");
    match action {
        GroupsCmd::Add { id, title, roles } => {
            s.write(&admin, |w| w.add_group(&id, &title, &roles))?;
            println!("added group {id}");
        }
        GroupsCmd::List => {
            for g in s.groups()? {
                let members: Vec<&str> = g.members.iter().map(String::as_str).collect();
                let roles: Vec<&str> = g.roles.iter().map(String::as_str).collect();
                println!(
                    "{:<30} {:<30} roles: {:<20} members: {}",
                    g.id,
                    g.title,
                    if roles.is_empty() {
                        "-".to_owned()
                    } else {
                        roles.join(", ")
                    },
                    members.join(", ")
                );
            }
        }
        GroupsCmd::Members { id, add, remove } => {
            let g = if add.is_empty() && remove.is_empty() {
                s.group(&id)?
                    .ok_or_else(|| anyhow::anyhow!("no group `{id}`"))?
            } else {
                s.write(&admin, |w| w.set_group_members(&id, &add, &remove))?
            };
            for m in &g.members {
                println!("{m}");
            }
        }
    }
    Ok(())
}

fn services(s: &Site, action: ServicesCmd) -> anyhow::Result<()> {
    created(s)?;
    let admin = crate::security::Principal::system("admin");
    match action {
        ServicesCmd::Add { id, title, parent } => {
            s.write(&admin, |w| w.add_service(&id, &title, parent.as_deref()))?;
            let groups: Vec<String> = s
                .functions()
                .iter()
                .map(|f| crate::security::function_group(&id, f))
                .collect();
            println!("added service {id}; its groups: {}", groups.join(", "));
        }
        ServicesCmd::List => {
            for sv in s.services()? {
                let groups: Vec<String> = s
                    .functions()
                    .iter()
                    .map(|f| crate::security::function_group(&sv.id, f))
                    .collect();
                println!(
                    "{:<20} {:<30} in: {:<12} groups: {}",
                    sv.id,
                    sv.title,
                    sv.parent.as_deref().unwrap_or("-"),
                    groups.join(", ")
                );
            }
        }
    }
    Ok(())
}

fn workflows(s: &Site, action: WorkflowsCmd) -> anyhow::Result<()> {
    match action {
        WorkflowsCmd::List => {
            for w in s.workflows() {
                let types: Vec<&str> = s
                    .schema()
                    .types()
                    .filter(|t| s.workflow_for(&t.name).is_some_and(|x| x.name == w.name))
                    .map(|t| t.name.as_str())
                    .collect();
                println!("{} ({}) — initial: {}", w.name, w.source, w.initial);
                println!(
                    "  types: {}",
                    if types.is_empty() {
                        "-".to_owned()
                    } else {
                        types.join(", ")
                    }
                );
                for st in &w.states {
                    println!(
                        "  state {}{}",
                        st.id,
                        if st.is_final { " (final)" } else { "" }
                    );
                }
                for t in &w.transitions {
                    let who = t.permission.clone().unwrap_or_else(|| t.roles.join(", "));
                    println!("  {}: {} → {} [{who}]", t.id, t.from.join("|"), t.to);
                }
            }
        }
        WorkflowsCmd::Reset { path } => {
            created(s)?;
            let admin = crate::security::Principal::system("admin");
            let item = s.write(&admin, |w| w.reset_workflow_state(&path))?;
            println!(
                "{}: {}",
                item.path,
                item.review_state.as_deref().unwrap_or("-")
            );
        }
        WorkflowsCmd::Diagram { out, lang } => {
            std::fs::create_dir_all(&out)
                .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", out.display()))?;
            for w in s.workflows() {
                let path = out.join(format!("{}.svg", w.name));
                std::fs::write(&path, crate::diagram::svg(w, &lang))
                    .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
                println!("{}", path.display());
            }
        }
    }
    Ok(())
}

fn prepare(sites: &[Arc<Site>]) -> anyhow::Result<()> {
    let password = std::env::var("BEFFROI_ADMIN_PASSWORD").ok();
    for s in sites {
        if let Some(generated) = s.create(password.as_deref())? {
            println!(
                "site {}: created. Admin account: admin / {generated} (shown once; set BEFFROI_ADMIN_PASSWORD to choose it)",
                s.id()
            );
        }
        for name in s.install_new_modules()? {
            tracing::info!(site = s.id(), module = %name, "module installed");
        }
        for m in s.modules() {
            m.opened(s)?;
        }
        for (m, from) in s.outdated_modules()? {
            tracing::warn!(
                site = s.id(),
                module = m.manifest().name,
                installed = %from,
                linked = m.manifest().version,
                "module data is older than the code: run `upgrade --dry-run`, then `upgrade`"
            );
        }
    }
    Ok(())
}

fn serve(sites: &[Arc<Site>], bind: SocketAddr) -> anyhow::Result<()> {
    prepare(sites)?;
    let sites = Arc::new(Sites::new(sites.to_vec())?);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(bind)
            .await
            .map_err(|e| anyhow::anyhow!("cannot listen on {bind}: {e}"))?;
        let addr = listener.local_addr()?;
        for s in sites.all() {
            tracing::info!(site = s.id(), "serving on http://{addr}/");
        }
        println!("listening on http://{addr}/");
        let mailer = Arc::clone(&sites);
        tokio::spawn(async move {
            // Sends queued mail every 30 seconds where a relay is configured.
            loop {
                tokio::time::sleep(std::time::Duration::from_secs(30)).await;
                let s = Arc::clone(&mailer);
                let _ = tokio::task::spawn_blocking(move || {
                    for site in s.all() {
                        if let Err(e) = site.send_queued_mail() {
                            tracing::warn!(site = site.id(), error = %e, "sending mail failed");
                        }
                    }
                })
                .await;
            }
        });
        axum::serve(
            listener,
            crate::web::app(sites).into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown_signal())
        .await?;
        Ok(())
    })
}

/// Ctrl-C, or SIGTERM from a service manager: finish the requests in flight, then stop.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let term = async {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut s) => {
                    s.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {},
            _ = term => {},
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
