//! The demo town's content: Sambreville's services with their opening
//! hours, a few news items and an event, in French.

use beffroi::prelude::*;

fn fields(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

const HOURS: &str = "<h2>Heures d'ouverture</h2>\
<ul><li>Lundi, mardi, jeudi et vendredi : de 8 h 30 à 12 h</li>\
<li>Mercredi : de 8 h 30 à 12 h et de 13 h 30 à 16 h</li>\
<li>Premier samedi du mois : de 9 h à 12 h (sauf en juillet et en août)</li></ul>";

pub(crate) fn add(w: &mut Writer<'_>) -> Result<()> {
    w.add_with(
        "/",
        "Document",
        fields(json!({
            "title": "Bienvenue à Sambreville",
            "description": "Le site officiel de la Ville de Sambreville : démarches, actualités et agenda.",
            "text": "<p>Sambreville réunit Auvelais, Arsimont, Falisolle, Keumiée, Moignelée, Tamines et Velaine-sur-Sambre. \
                     Vous trouverez ici les services communaux, leurs heures d'ouverture, les actualités et l'agenda de la ville.</p>",
        })),
        AddOptions { id: Some("accueil".into()), ..AddOptions::default() },
    )?;

    let services = w.add(
        "/",
        "Folder",
        fields(json!({
            "title": "Services communaux",
            "description": "Les services de l'administration communale et leurs heures d'ouverture.",
        })),
    )?;
    let list = [
        (
            "Population et état civil",
            "Cartes d'identité, passeports, permis de conduire, domiciliations, naissances, mariages et décès.",
            "<p>Le service Population délivre les cartes d'identité électroniques (eID), les Kids-ID, les passeports \
             et les permis de conduire. Le service État civil enregistre les naissances, les mariages, les cohabitations \
             légales et les décès.</p><p>Prenez rendez-vous par téléphone au <strong>071 26 02 11</strong>.</p>",
        ),
        (
            "Urbanisme",
            "Permis d'urbanisme, renseignements urbanistiques et divisions de biens.",
            "<p>Le service Urbanisme instruit les demandes de permis d'urbanisme et de permis d'environnement, \
             et délivre les renseignements urbanistiques demandés par les notaires.</p>\
             <p>Les consultations de plans se font uniquement sur rendez-vous.</p>",
        ),
        (
            "Travaux et environnement",
            "Voiries, espaces verts, propreté publique et collecte des déchets.",
            "<p>Signalez un nid-de-poule, un éclairage public défectueux ou un dépôt clandestin au service Travaux. \
             Le calendrier des collectes de déchets est disponible à l'accueil de l'hôtel de ville.</p>",
        ),
        (
            "Affaires sociales et CPAS",
            "Aide sociale, allocations, pensions et accompagnement des aînés.",
            "<p>Le Centre public d'action sociale (CPAS) accompagne les citoyens en difficulté. Le service des \
             Affaires sociales aide à introduire les demandes de pension et d'allocation pour personnes handicapées.</p>",
        ),
    ];
    for (title, description, text) in list {
        w.add(
            &services.path,
            "Document",
            fields(json!({
                "title": title,
                "description": description,
                "text": format!("{text}{HOURS}"),
            })),
        )?;
    }

    let news = w.add_with(
        "/",
        "Folder",
        fields(json!({
            "title": "Actualités",
            "description": "Les nouvelles de la Ville de Sambreville.",
        })),
        AddOptions {
            id: Some("actualites".into()),
            ..AddOptions::default()
        },
    )?;
    let items = [
        (
            "Travaux de réfection de la rue de la Station à Auvelais",
            "Du 7 au 18 décembre, la circulation sera interdite entre la place de la Gare et la rue Hicguet.",
            "<p>Une déviation est mise en place par la rue des Glaces Nationales. Les riverains gardent l'accès \
             à leur domicile. Les collectes de déchets sont maintenues.</p>",
        ),
        (
            "Le marché de Noël revient sur la place de Tamines",
            "Chalets, artisans locaux et animations pour les enfants les 12 et 13 décembre.",
            "<p>Une trentaine d'exposants vous attendent de 11 h à 20 h. Un service de navette gratuit relie \
             Auvelais, Arsimont et Tamines le samedi.</p>",
        ),
        (
            "Nouveaux horaires du service Population pendant les fêtes",
            "Le service Population sera fermé les 24, 25 et 31 décembre ainsi que le 1er janvier.",
            "<p>Pensez à commander votre carte d'identité ou votre passeport à temps si vous voyagez pendant \
             les vacances d'hiver.</p>",
        ),
    ];
    for (title, description, text) in items {
        w.add(
            &news.path,
            "News Item",
            fields(json!({"title": title, "description": description, "text": text})),
        )?;
    }

    let agenda = w.add_with(
        "/",
        "Folder",
        fields(json!({
            "title": "Agenda",
            "description": "Les événements à Sambreville.",
        })),
        AddOptions {
            id: Some("agenda".into()),
            ..AddOptions::default()
        },
    )?;
    w.add(
        &agenda.path,
        "Event",
        fields(json!({
            "title": "Conseil communal",
            "description": "Séance publique du conseil communal.",
            "start": "2026-12-14T19:30:00+01:00",
            "end": "2026-12-14T22:30:00+01:00",
            "location": "Salle du conseil, hôtel de ville",
            "address": {"street": "Grand-Place", "postcode": "5060", "locality": "Sambreville", "lat": 50.4447, "lon": 4.6157},
            "contact_email": "secretariat@sambreville.be",
            "contact_phone": "+32 71 26 02 11",
            "text": "<p>L'ordre du jour est publié sept jours francs avant la séance. La séance est publique, \
                     sauf pour les points relatifs aux personnes.</p>",
        })),
    )?;

    w.add(
        "/",
        "Link",
        fields(json!({
            "title": "Portail de la Wallonie",
            "description": "Les démarches régionales en ligne.",
            "remote_url": "https://www.wallonie.be/",
        })),
    )?;
    publish_all(w, "/")
}

/// Publishes everything the demo added, as a town's reviewer would: new
/// items start private in the simple publication workflow.
fn publish_all(w: &mut Writer<'_>, path: &str) -> Result<()> {
    for child in w.children(path)? {
        if child.review_state.as_deref() == Some("private") {
            w.transition(&child.path, "publish", "")?;
        }
        publish_all(w, &child.path)?;
    }
    Ok(())
}
